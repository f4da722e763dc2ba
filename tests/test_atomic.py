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
    from specs.atomic import sweep

    keep = [tmp_path / "a.json", tmp_path / ".lock", tmp_path / "models" / ".final.trainer" / "checkpoint-1" / "x",
            tmp_path / ".pairs.jsonl.samples" / "chosen" / "chunk-00000.jsonl"]
    stale = [tmp_path / ".a.json.k3j.tmp", tmp_path / "data" / ".train-1.png.abc.tmp"]
    for path in keep + stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (tmp_path / "models" / ".final.q1w2.tmp").mkdir()  # an atomic_dir's temp folder
    (tmp_path / "models" / ".final.q1w2.tmp" / "model.safetensors").write_text("half")
    (tmp_path / "models" / ".base.old").mkdir()
    assert sweep(tmp_path) == 4
    assert all(p.exists() for p in keep) and not any(p.exists() for p in stale)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".final.trainer"]
