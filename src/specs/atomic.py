"""The one atomic writer: every artifact (file or folder) appears whole or not at all, with the user's umask.

Why one place: a temp file in the target's folder plus ``os.replace`` is the only crash-safe way to write, and
``tempfile`` creates with mode 0600 (folders 0700) whatever the umask — so every writer also has to set the mode
the user expects. Doing both once keeps "nothing half-written, nothing unreadable to the group" true everywhere.
A full disk or a folder we may not write is the user's to fix, so it leaves here as one ``ResourceError`` line.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from specs.errors import OS_HINTS, os_error


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Open a temp file beside ``path`` for writing (``"w"`` text, ``"wb"`` bytes); on success it replaces
    ``path`` with mode 0666 & ~umask; on any error it is removed and ``path`` is untouched.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_file(target) as handle:
    ...     _ = handle.write("whole")
    >>> target.read_text()
    'whole'
    """
    path = Path(path)
    with _machine_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
                yield handle
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@contextlib.contextmanager
def atomic_dir(out: str | Path) -> Iterator[Path]:
    """A temp folder beside ``out`` to fill; on success it replaces ``out`` (an old ``out`` is moved aside first,
    then deleted) with mode 0777 & ~umask; on any error it is removed and ``out`` is untouched."""
    out = Path(out)
    with _machine_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
        try:
            yield tmp
            os.chmod(tmp, 0o777 & ~_umask())
            if out.exists():
                old = out.with_name(f".{out.name}.old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(out, old)
                os.replace(tmp, out)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def sweep(root: str | Path) -> int:
    """Delete what killed writers left under ``root``: temp files and folders (``.<name>.*.tmp``) and a replaced
    folder's ``.<name>.old``. Only safe while nothing else writes there (``specs run`` holds the folder's lock).
    Returns how many were removed.
    """
    stale = [p for p in Path(root).rglob(".*") if p.name.endswith(".tmp") or p.name.endswith(".old")]
    for path in sorted(stale, key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return len(stale)


@contextlib.contextmanager
def _machine_errors(target: Path) -> Iterator[None]:
    """A full disk, a quota, a read-only or forbidden folder → ``ResourceError`` naming what was being written."""
    try:
        yield
    except OSError as exc:
        if exc.errno in OS_HINTS:  # the machine's problems errors.py knows the fix for
            raise os_error(exc, target) from None
        raise
