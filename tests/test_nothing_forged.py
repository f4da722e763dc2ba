"""The kinds of issue 23 that are not one command's one line: checkpoints passed over, locks taken over, SIGTERM,
judge replies bounded, report.html inert for any run-folder content, one picture everywhere, weights whole and
with the user's umask. Each is a kind of the corpus (counted by ``test_the_kinds_are_sixty``)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch
from PIL import Image

from specs.errors import Interrupted, interrupt_on_sigterm
from specs.stages.common import resumable_checkpoint

PAYLOAD = b"\x80\x04cos\nsystem\n(S'touch /tmp/pwned-ckpt'\ntR."  # a pickle that would run a command


# --- checkpoints: the safe loader only, a bad one passed over for the one before -----------------------------
def _checkpoint(scratch: Path, step: int) -> Path:
    folder = scratch / f"checkpoint-{step}"
    folder.mkdir(parents=True)
    import numpy as np

    torch.save({"python": [1, 2], "numpy": np.random.get_state(), "cpu": torch.zeros(2)}, folder / "rng_state.pth")
    torch.save({"state": {}, "param_groups": [{"lr": 0.1}]}, folder / "optimizer.pt")
    (folder / "training_args.bin").write_bytes(PAYLOAD)  # transformers' own pickle, which resume never reads
    (folder / "trainer_state.json").write_text("{}")
    return folder


BREAKS = {
    "a pickle in rng_state.pth": lambda f: (f / "rng_state.pth").write_bytes(PAYLOAD),
    "a truncated optimizer.pt": lambda f: (f / "optimizer.pt").write_bytes((f / "optimizer.pt").read_bytes()[:40]),
    "pickled weights": lambda f: (f / "pytorch_model.bin").write_bytes(PAYLOAD),
    "truncated safetensors": lambda f: (f / "model.safetensors").write_bytes(b"\x10" + b"\0" * 7 + b"{}"),
    "an empty scheduler.pt": lambda f: (f / "scheduler.pt").write_bytes(b""),
}


@pytest.mark.parametrize("kind", BREAKS)
def test_a_checkpoint_that_cannot_load_is_passed_over(kind: str, tmp_path: Path) -> None:
    _checkpoint(tmp_path, 2)
    BREAKS[kind](_checkpoint(tmp_path, 4))
    said: list[str] = []
    assert resumable_checkpoint(tmp_path, said.append) == str(tmp_path / "checkpoint-2")
    assert len(said) == 1 and said[0].startswith("checkpoint-4 passed over: "), said
    assert "weights_only=False" not in said[0] and "\n" not in said[0]
    assert not Path("/tmp/pwned-ckpt").exists()


# --- the run lock: garbage or a reused pid is stale -----------------------------------------------------------
@pytest.mark.parametrize("text", ["[]", "null", "7", '{"pid": "x", "host": 1}', "{\"pid\": 1", ""])
def test_a_lock_holding_garbage_is_taken_over(text: str, tmp_path: Path) -> None:
    from specs.recipe.lock import LOCK, run_lock

    (tmp_path / LOCK).write_text(text)
    with run_lock(tmp_path, lambda _line: None):
        assert json.loads((tmp_path / LOCK).read_text())["pid"] == os.getpid()
    assert not (tmp_path / LOCK).exists()


def test_a_stale_lock_whose_pid_now_runs_another_process_is_taken_over(tmp_path: Path) -> None:
    from specs.recipe.lock import LOCK, run_lock

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:  # the lock's holder died; its pid now belongs to this sleeper, which started at another time
        (tmp_path / LOCK).write_text(json.dumps({"pid": other.pid, "host": socket.gethostname(), "ticks": 1}))
        said: list[str] = []
        with run_lock(tmp_path, said.append):
            pass
        assert said and "no longer running" in said[0]
    finally:
        other.kill()
        other.wait()


# --- SIGTERM is Ctrl-C: the stage named, the resume command, not left "running" -------------------------------
def test_sigterm_is_handled_as_ctrl_c(tmp_path: Path) -> None:
    from specs.recipe.runner import Run, Stage
    from specs.recipe.schema import load_recipe

    previous = signal.getsignal(signal.SIGTERM)
    interrupt_on_sigterm()
    try:
        run = Run(load_recipe("toy-fast"), tmp_path / "run", lambda _line: None)
        stage = Stage("grpo_zero", [tmp_path / "run" / "m"], lambda: os.kill(os.getpid(), signal.SIGTERM))
        with pytest.raises(Interrupted, match=r"^\[1/1\] grpo_zero: interrupted \(SIGTERM\)\. Resume with: "):
            run.execute([stage])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert json.loads(run.manifest_path.read_text())["stages"]["grpo_zero"]["status"] == "interrupted"


# --- judge replies: a size cap and a total deadline -------------------------------------------------------------
class _Trickle(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"choices": [{"message": {"content": "x" * self.server.size}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), self.server.chunk):
                self.wfile.write(body[start : start + self.server.chunk])
                self.wfile.flush()
                self.server.stop.wait(self.server.pause)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("kind", "size", "chunk", "pause", "says"), [
    ("an 8 MB reply to max_tokens=64", 8_000_000, 1 << 20, 0.0, "sent a reply of more than"),
    ("a reply trickling a byte at a time", 10, 1, 0.2, "did not finish its reply within judge.timeout=1s"),
])
def test_judge_replies_are_bounded(kind: str, size: int, chunk: int, pause: float, says: str, tmp_path) -> None:
    from specs.judge import JudgeConfig
    from specs.judge.client import JudgeClient, JudgeError

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.size, server.chunk, server.pause, server.stop = size, chunk, pause, threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = JudgeConfig(base_url=f"http://127.0.0.1:{server.server_port}", model="m", max_tokens=64,
                             timeout=1, max_retries=0, cache_dir=str(tmp_path / "cache"))
        with pytest.raises(JudgeError, match=says) as caught:
            JudgeClient(config).ask("q")
        assert "\n" not in str(caught.value)
        assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").rglob("*.json"))  # never cached
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


# --- report.html stays inert whatever the run folder holds ----------------------------------------------------
ATTACK = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def _forge(value):
    if isinstance(value, dict):
        return {(ATTACK + k if isinstance(k, str) and k.startswith("id") else k): _forge(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_forge(v) for v in value]
    return ATTACK if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value


def test_report_html_is_inert_for_any_run_folder_content(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent / "report"))
    from run_synthetic import full_run

    from specs.report.run_report import render_run_report

    root = full_run(tmp_path / "run")
    for path in root.rglob("*.json"):  # every value a string of markup, every count too
        path.write_text(json.dumps(_forge(json.loads(path.read_text()))))
    for path in root.rglob("*.jsonl"):
        path.write_text("".join(json.dumps(_forge(json.loads(line))) + "\n" for line in path.read_text().splitlines()
                                if line.strip().endswith("}")))
    (root / "recipe.yaml").write_text(f"name: '{ATTACK}'\nbase_model: '{ATTACK}'\n")
    page = render_run_report(root).read_text()
    assert "<script>" not in page and "<img src=x" not in page and "onerror=alert" not in page.replace(
        "onerror=alert(2)&gt;", "")


# --- one picture everywhere -------------------------------------------------------------------------------------
def _jpeg(path: Path, size: tuple[int, int], orientation: int | None = None, mode: str = "RGB") -> Path:
    img = Image.new(mode, size)
    exif = img.getexif()
    if orientation:
        exif[0x0112] = orientation
    img.save(path, format="JPEG", exif=exif.tobytes())
    return path


@pytest.mark.parametrize(("kind", "size", "orientation", "mode", "seen"), [
    ("an EXIF-rotated JPEG", (40, 20), 6, "RGB", (20, 40)),
    ("a CMYK JPEG", (40, 20), None, "CMYK", (40, 20)),
    ("a grey JPEG mirrored by EXIF", (40, 20), 2, "L", (40, 20)),
])
def test_every_consumer_sees_one_picture(kind: str, size, orientation, mode, seen, tmp_path: Path) -> None:
    import datasets

    from specs.data.image import image_size, open_image

    path = _jpeg(tmp_path / "a.jpg", size, orientation, mode)
    mine = open_image(path)
    theirs = datasets.Dataset.from_dict({"images": [[str(path)]]}).cast_column(
        "images", datasets.List(datasets.Image(mode="RGB")))[0]["images"][0]  # what the trainers get
    assert mine.size == theirs.size == image_size(path) == seen and mine.mode == theirs.mode == "RGB"
    assert list(mine.getdata()) == list(theirs.getdata())


# --- weights: whole, and with the user's umask --------------------------------------------------------------
@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_weights_get_the_umask(umask: int, tmp_path: Path, tiny_vlm: Path) -> None:
    from specs.models.tiny import build_tiny_model

    old = os.umask(umask)
    try:
        build_tiny_model(tmp_path / "m", "qwen2_5_vl")
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "m").iterdir()}
    assert set(modes.values()) == {0o666 & ~umask}, modes


def test_toy_base_rebuilds_truncated_weights(tmp_path: Path, toy_base: Path) -> None:
    from specs.toybase.pretrain import build_toy_base

    out = Path(shutil.copytree(toy_base, tmp_path / "base"))
    weights = out / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    build_toy_base(out)
    assert weights.read_bytes() == (toy_base / "model.safetensors").read_bytes()


def test_the_kinds_are_sixty() -> None:
    from test_cli_hostile import CASES

    here = len(BREAKS) + 6 + 1 + 1 + 2 + 1 + 3 + 2 + 1
    assert len(CASES) + here >= 60, len(CASES) + here
