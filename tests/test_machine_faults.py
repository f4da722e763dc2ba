"""The machine's faults, made for real: a full disk (a small tmpfs), a read-only file system, permission denied
(the command run as ``nobody``: root reads through any mode). Each is one line naming the file and the fix —
never "a bug in specs", never a traceback — and leaves no temp file behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import specs
from specs.cli import app

SRC = Path(specs.__file__).resolve().parents[1]
PERMISSION = "permission denied: give this user access to it (chmod/chown), or use another path"
ROW = {"id": "1", "question": "How many?", "answer": "3", "images": []}


def _mount(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or 'not root'}): the full-disk and "
                    "read-only cases need one")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB file system of its own, nearly full (a few KiB left), unmounted afterwards."""
    disk = tmp_path / "disk"
    _mount(disk, "size=1m")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "ro"
    _mount(disk, "size=1m,ro")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int = 0) -> None:
    """Fill ``disk`` up, leaving about ``leave`` bytes."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    (disk / "ballast").write_bytes(b"\0" * max(free - leave, 0))


def _one_line(argv: list[str], says: str) -> str:
    result = CliRunner().invoke(app, argv)
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output and "a bug in specs" not in output, output
    assert len([line for line in output.splitlines() if line.startswith("error:")]) == 1, output
    assert says in output, output
    return output


def _only(disk: Path, *names: str) -> None:
    left = sorted(str(p.relative_to(disk)) for p in disk.rglob("*"))
    assert left == sorted(names), left


def test_full_disk_while_saving_a_model(small_disk: Path) -> None:
    line = _one_line(["tiny-model", "--out", str(small_disk / "m")], "the disk is full: free space or write elsewhere")
    assert str(small_disk / "m") in line
    _only(small_disk)


@pytest.mark.parametrize("command", ["combine", "grade", "toyworld"])
def test_full_disk_while_writing_data(command: str, small_disk: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(ROW) + "\n")
    graded = tmp_path / "g.jsonl"
    graded.write_text(json.dumps({"response": "<answer>3</answer>" * 50, "ground_truth": "3"}) + "\n")
    argv = {"combine": ["data", "combine", str(data), "--out", str(small_disk / "t.jsonl")],
            "grade": ["grade", str(graded), "--out", str(small_disk / "o.jsonl")],
            "toyworld": ["toyworld", "generate", "--split", "train", "--n", "50", "--out", str(small_disk / "w")]}
    _fill(small_disk)
    _one_line(argv[command], "the disk is full")
    leftovers = [p.name for p in small_disk.rglob("*") if p.name.endswith(".tmp") or p.name == ".specs-pending"]
    assert not leftovers, leftovers


def test_read_only_file_system(read_only: Path) -> None:
    _one_line(["tiny-model", "--out", str(read_only / "m")], "the file system is read-only: write elsewhere")


# --- permission denied: the command runs as nobody ------------------------------------------------------------
@pytest.fixture
def as_nobody() -> Iterator[tuple[Path, callable]]:
    """A world-readable scratch folder and a runner of ``specs`` as the user nobody."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a command as nobody (root reads through any file mode)")
    root = Path(tempfile.mkdtemp(prefix="specs-nobody-"))
    root.chmod(0o755)

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(SRC), "HOME": str(root), "SPECS_DEBUG": ""}
        return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable,
                               "-m", "specs", *args], capture_output=True, text=True, env=env, timeout=120)
    try:
        yield root, run
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _denied(result: subprocess.CompletedProcess, path: Path) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output and "a bug in specs" not in output, output
    assert output.strip() == f"error: {path}: {PERMISSION}", output


def test_permission_denied_on_the_input(as_nobody) -> None:
    root, run = as_nobody
    data = root / "d.jsonl"
    data.write_text(json.dumps(ROW) + "\n")
    data.chmod(0o600)  # root's own: nobody may not read it
    _denied(run("data", "check", str(data)), data)


def test_permission_denied_on_the_weights(as_nobody, tiny_vlm: Path) -> None:
    root, run = as_nobody
    model = Path(shutil.copytree(tiny_vlm, root / "model"))
    for path in [model, *model.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (model / "model.safetensors").chmod(0o600)
    data = root / "d.jsonl"
    data.write_text(json.dumps(ROW) + "\n")
    data.chmod(0o644)
    _denied(run("eval", str(model), str(data), "--out", str(root / "out" / "r.json")), model / "model.safetensors")


def test_permission_denied_on_the_output_folder(as_nobody) -> None:
    root, run = as_nobody
    graded = root / "g.jsonl"
    graded.write_text(json.dumps({"response": "<answer>3</answer>", "ground_truth": "3"}) + "\n")
    graded.chmod(0o644)
    (root / "locked").mkdir(mode=0o755)  # root's: nobody may not write in it
    result = run("grade", str(graded), "--out", str(root / "locked" / "o.jsonl"))
    _denied(result, root / "locked" / "o.jsonl")
    assert not list((root / "locked").iterdir())
