"""The one error path: what each kind of failure is shown as, and the atomic writer's full-disk line."""

from __future__ import annotations

import errno
import os

import pytest

from specs.atomic import atomic_file
from specs.errors import ConfigError, DataError, ResourceError, describe, one_line


def _shown(exc: BaseException, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str], int]:
    monkeypatch.delenv("SPECS_DEBUG", raising=False)
    said, kept = [], []
    with pytest.raises(SystemExit) as exit_info, one_line(said.append, kept.append):
        raise exc
    return said, kept, exit_info.value.code


def test_our_errors_are_their_line_with_their_exit_code(monkeypatch):
    assert _shown(ConfigError("--set 'x': expected key=value"), monkeypatch) == (
        ["error: --set 'x': expected key=value"], [], 2)
    said, kept, code = _shown(DataError("d.jsonl", 3, "missing", "question"), monkeypatch)
    assert (said, kept, code) == (["error: d.jsonl:3: field 'question': missing"], [], 1)


def test_an_unexpected_error_is_one_line_and_its_traceback_is_kept(monkeypatch):
    said, kept, code = _shown(TypeError("'int' object is not subscriptable"), monkeypatch)
    assert code == 1 and len(said) == 1 and said[0].startswith("error: unexpected TypeError: 'int' object")
    assert "a bug in specs" in said[0] and "Traceback (most recent call last)" in kept[0]


def test_the_machine_running_out_is_one_line(monkeypatch):
    said, _, code = _shown(MemoryError(), monkeypatch)
    assert code == 1 and said == ["error: out of memory: lower batch_size (or max_new_tokens / max_completion_length) "
                                  "and rerun"]
    assert describe(OSError(errno.EACCES, "Permission denied", "/x"))[0] == (
        "/x: permission denied: give this user access to it (chmod/chown), or use another path")


def test_ctrl_c_exits_130_and_says_so(monkeypatch):
    said, _, code = _shown(KeyboardInterrupt(), monkeypatch)
    assert code == 130 and said[0].startswith("interrupted (Ctrl-C)")


def test_debug_lets_the_traceback_through(monkeypatch):
    monkeypatch.setenv("SPECS_DEBUG", "1")
    with pytest.raises(TypeError), one_line(print, print):
        raise TypeError("shown with its traceback")


def test_a_full_disk_while_writing_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("the old, whole file")

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    full_disk = f"^{target}: the disk is full: free space or write elsewhere$"
    with pytest.raises(ResourceError, match=full_disk), atomic_file(target) as handle:
        handle.write("new")
    assert target.read_text() == "the old, whole file" and [p.name for p in tmp_path.iterdir()] == ["out.json"]
