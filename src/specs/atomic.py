"""The one atomic writer: every artifact (file or folder) appears whole or not at all, with the user's umask.

Why one place: a temp file in the target's folder plus ``os.replace`` is the only crash-safe way to write, and
``tempfile`` creates with mode 0600 (folders 0700) whatever the umask — so every writer also has to set the mode
the user expects. Doing both once keeps "nothing half-written, nothing unreadable to the group" true everywhere.
A full disk or a folder we may not write is the user's to fix, so it leaves here as one ``ResourceError`` line.

Why a journal: a killed writer leaves its temp behind, and a name pattern cannot tell our ``.x.tmp`` from a
user's. Before a temp is created its name is recorded in ``.specs-pending/`` beside it (with the writer's pid);
:func:`sweep` removes only what is recorded there, so a file we did not write is never removed.
Why a mark: a folder we write holds :data:`MARK`, so ``--out`` may replace it; a folder without it is the user's
(``specs.paths.check_output`` refuses to write over it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from specs.errors import OS_HINTS, machine_fault, os_error

MARK = ".specs-output"  # in every folder specs writes: the proof that replacing it loses nothing of the user's
PENDING = ".specs-pending"  # beside a temp while it exists: its name and writer, so only our temps are swept


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def mark(folder: str | Path) -> None:
    """Record ``folder`` as one specs wrote (see :data:`MARK`)."""
    (Path(folder) / MARK).write_text("written by specs; --out may replace this folder\n", encoding="utf-8")


def ours(folder: str | Path) -> bool:
    """Whether ``folder`` is missing, empty, or one specs wrote (it holds :data:`MARK`)."""
    folder = Path(folder)
    if not folder.is_dir():
        return not folder.exists()
    return (folder / MARK).is_file() or not any(folder.iterdir())


@contextlib.contextmanager
def _pending(parent: Path, name: str) -> Iterator[Path]:
    """Record ``parent/name`` as ours before it is created; drop the record once it is gone (or renamed)."""
    journal = parent / PENDING
    if journal.is_dir():
        _sweep_journal(journal, only_dead=True)  # what killed writers left here (ours: recorded; theirs: gone)
    entry = journal / f"{name}@{os.getpid()}@{socket.gethostname()}"  # an empty file: a full disk still takes it
    try:
        for _ in range(3):  # another writer may remove the (empty) journal folder between our mkdir and create
            journal.mkdir(exist_ok=True)
            try:
                entry.touch()
                break
            except FileNotFoundError:
                continue
        yield parent / name
    finally:
        entry.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            journal.rmdir()  # only when empty


def _new_name(path: Path) -> str:
    return f".{path.name}.{secrets.token_hex(4)}.tmp"


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Open a temp file beside ``path`` for writing (``"w"`` text, ``"wb"`` bytes); on success it replaces
    ``path`` with mode 0666 & ~umask; on any error it is removed and ``path`` is untouched.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_file(target) as handle:
    ...     _ = handle.write("whole")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('whole', ['a.txt'])
    """
    path = Path(path)
    with _machine_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with _pending(path.parent, _new_name(path)) as tmp:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            try:
                with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
                    yield handle
                os.chmod(tmp, 0o666 & ~_umask())
                os.replace(tmp, path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise


@contextlib.contextmanager
def atomic_dir(out: str | Path) -> Iterator[Path]:
    """A temp folder beside ``out`` to fill; on success it replaces ``out`` (an old ``out`` is moved aside first,
    then deleted) with the user's umask on it and on everything in it (0777 & ~umask for folders, 0666 & ~umask for
    files: a library's 0600 weights included) and :data:`MARK` in it; on any error it is removed and ``out`` is
    untouched. The caller checks that ``out`` may be replaced (``specs.paths.check_output``)."""
    out = Path(out)
    with _machine_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        with _pending(out.parent, _new_name(out)) as tmp:
            try:
                tmp.mkdir(mode=0o700)
                yield tmp
                mark(tmp)
                _umask_modes(tmp)
                if out.exists():
                    with _pending(out.parent, f".{out.name}.old") as old:
                        shutil.rmtree(old, ignore_errors=True)
                        os.replace(out, old)
                        os.replace(tmp, out)
                        shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(tmp, out)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise


def _umask_modes(root: Path) -> None:
    mask = _umask()
    os.chmod(root, 0o777 & ~mask)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o777 & ~mask)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o666 & ~mask)


def sweep(root: str | Path) -> int:
    """Remove what killed writers left under ``root``: only temps recorded in a ``.specs-pending`` journal (a
    replaced folder's ``.old`` is put back when its new version never arrived). Only safe while nothing else
    writes there (``specs run`` holds the folder's lock). Returns how many were removed."""
    return sum(_sweep_journal(journal) for journal in sorted(Path(root).rglob(PENDING),
                                                              key=lambda p: len(p.parts), reverse=True)
               if journal.is_dir() and not journal.is_symlink())


def _dead(entry: Path) -> bool:
    """Whether the writer an entry names (``<temp>@<pid>@<host>``) is gone: on this host, its pid no longer runs."""
    try:
        _, pid, host = entry.name.rsplit("@", 2)
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _sweep_journal(journal: Path, only_dead: bool = False) -> int:
    """Remove the temps ``journal`` records (those of dead writers when ``only_dead``) and their entries."""
    removed = 0
    for entry in list(journal.iterdir()):
        if entry.name.count("@") < 2 or not entry.is_file() or (only_dead and not _dead(entry)):
            continue  # not an entry we write (``<temp>@<pid>@<host>``), or its writer may still be at work
        target = journal.parent / entry.name.rsplit("@", 2)[0]
        if entry.name.endswith(".old") and target.is_dir() and not target.with_name(target.name[1:-4]).exists():
            os.replace(target, target.with_name(target.name[1:-4]))  # killed between the two renames
        elif target.is_dir() and not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
            removed += 1
        elif target.exists() or target.is_symlink():
            target.unlink()
            removed += 1
        entry.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        journal.rmdir()
    return removed


@contextlib.contextmanager
def _machine_errors(target: Path) -> Iterator[None]:
    """A full disk, a quota, a read-only or forbidden folder → ``ResourceError`` naming what was being written
    (also when a library reports it as its own error: safetensors' ``SafetensorError`` wraps the OS error)."""
    try:
        yield
    except OSError as exc:
        if exc.errno in OS_HINTS:  # the machine's problems errors.py knows the fix for
            raise os_error(exc, target) from None
        raise
    except Exception as exc:
        if (fault := machine_fault(exc)) is not None:
            raise os_error(fault, target) from None
        raise
