import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_vlm(tmp_path_factory):
    """A random tiny Qwen2.5-VL folder, built offline once per test session."""
    from specs.models.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-qwen2_5_vl", "qwen2_5_vl")


@pytest.fixture(scope="session")
def toy_base():
    """The default toy base model: the package's prebuilt one, installed into .cache/ (settings-checked)."""
    from pathlib import Path

    from specs.toybase.pretrain import build_toy_base

    path = Path(__file__).resolve().parents[1] / ".cache" / "toy-base"
    build_toy_base(path)
    return path


@pytest.fixture(scope="session")
def toy_world(tmp_path_factory):
    """Small toy-world splits shared by the stage tests."""
    from specs.toyworld import generate_split

    root = tmp_path_factory.mktemp("world")
    sizes = {"train": 64, "id-test": 32, "ood-test": 32}
    return {split: generate_split(root, split, n, seed=7) for split, n in sizes.items()}


@pytest.fixture
def fake_judge(monkeypatch):
    """A loopback OpenAI-compatible judge server (tests/judge/judge_helpers.py); no API key in the environment."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).parent / "judge"))
    from judge_helpers import KEY_ENV, FakeJudge

    monkeypatch.delenv(KEY_ENV, raising=False)
    server = FakeJudge()
    yield server
    server.close()


@pytest.fixture(scope="session")
def toy_fast_run(toy_base, tmp_path_factory):
    """One ``specs run toy-fast`` shared by the tests that read a whole run folder: (folder, console output). Run as
    a user runs it, in its own process: the stages' processes print to the same console."""
    out = tmp_path_factory.mktemp("run") / "fast"
    result = subprocess.run([sys.executable, "-m", "specs", "run", "toy-fast", "--out", str(out), "--set",
                             f"base_model={toy_base}"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out, result.stdout


CONFIGS = Path(__file__).parents[1] / "configs" / "accelerate"


def accelerate_launch(*args: str, config: str = "ddp", env: dict | None = None) -> str:
    """``accelerate launch`` with one of our shipped configs, 2 processes; on a CPU machine the ranks use gloo."""
    with socket.socket() as sock:  # a free loopback port for the rendezvous
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    cmd = [
        sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(CONFIGS / f"{config}.yaml"),
        "--num_processes", "2", "--mixed_precision", "no", "--main_process_port", str(port), "-m", "specs", *args,
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="session")
def launch():
    """:func:`accelerate_launch`, for test modules in any folder."""
    return accelerate_launch
