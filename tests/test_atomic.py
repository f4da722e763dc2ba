"""The one atomic writer: whole or nothing, and the user's umask rather than tempfile's 0600/0700."""

import os
import stat

import pytest

from specs.atomic import atomic_dir, atomic_file


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_files_and_folders_get_the_umask_mode(tmp_path, umask_022):
    with atomic_file(tmp_path / "a.json") as handle:
        handle.write("{}")
    with atomic_dir(tmp_path / "model") as folder:
        (folder / "w.bin").write_bytes(b"x")
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o755


def test_a_failed_write_leaves_the_old_artifact_and_no_temp(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "w.bin").write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file(tmp_path / "a.txt") as handle:
        handle.write("half")
        raise RuntimeError("killed")
    with pytest.raises(RuntimeError), atomic_dir(tmp_path / "model") as folder:
        (folder / "w.bin").write_bytes(b"half")
        raise RuntimeError("killed")
    assert (tmp_path / "a.txt").read_text() == "old" and (tmp_path / "model" / "w.bin").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "model"]


def test_sweep_removes_what_killed_writers_left_and_nothing_else(tmp_path):
    """Only temps recorded in a ``.specs-pending`` journal go; a user's ``.notes.old`` or ``.draft.tmp`` stays."""
    from specs.atomic import PENDING, sweep

    keep = [tmp_path / "a.json", tmp_path / ".lock", tmp_path / "models" / ".final.trainer" / "checkpoint-1" / "x",
            tmp_path / ".pairs.jsonl.samples" / "chosen" / "chunk-00000.jsonl", tmp_path / ".notes.old",
            tmp_path / "src" / ".draft.tmp", tmp_path / ".cache.old" / "x"]
    stale = [tmp_path / ".a.json.k3j.tmp", tmp_path / "data" / ".train-1.png.abc.tmp"]
    for path in keep + stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (tmp_path / "models" / ".final.q1w2.tmp").mkdir()  # an atomic_dir's temp folder
    (tmp_path / "models" / ".final.q1w2.tmp" / "model.safetensors").write_text("half")
    for path in [*stale, tmp_path / "models" / ".final.q1w2.tmp"]:
        (path.parent / PENDING).mkdir(exist_ok=True)
        (path.parent / PENDING / f"{path.name}@1@elsewhere").touch()
    assert sweep(tmp_path) == 3
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".final.trainer"]
    assert not list(tmp_path.rglob(PENDING))


def test_a_killed_writers_temp_goes_with_the_next_write_beside_it(tmp_path):
    import subprocess
    import sys

    from specs.atomic import PENDING, atomic_dir

    subprocess.run([sys.executable, "-c", "import os, sys\nfrom specs.atomic import atomic_dir\n"
                    f"with atomic_dir({str(tmp_path / 'm')!r}) as tmp:\n    (tmp / 'w').write_text('half')\n"
                    "    os._exit(9)"], check=False)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with atomic_dir(tmp_path / "m") as folder:
        (folder / "w").write_text("whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"], list(tmp_path.iterdir())
    assert (tmp_path / "m" / "w").read_text() == "whole" and not (tmp_path / PENDING).exists()


def test_a_library_s_0600_weights_get_the_umask(tmp_path, umask_022):
    with atomic_dir(tmp_path / "model") as folder:
        (folder / "w.safetensors").write_bytes(b"x")
        os.chmod(folder / "w.safetensors", 0o600)
    assert stat.S_IMODE((tmp_path / "model" / "w.safetensors").stat().st_mode) == 0o644
