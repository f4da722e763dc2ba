"""One error path: every failure a user can fix is a :class:`SpecsError`, shown as one line.

Library errors we can foresee are translated into these where they happen (a truncated weights file where
models load, a decompression bomb where images open, a full disk in the atomic writer); the command line prints
``error: <message>`` and exits non-zero (:func:`one_line`). ``specs --debug`` or ``SPECS_DEBUG=1`` shows the
traceback instead. Anything else is a bug in specs: one line that says so, with its traceback in ``run.log``.
Pure Python: the core raises these without importing a library.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path


class SpecsError(Exception):
    """A failure the user can fix, as one line that says where and what to do."""

    exit_code = 1

    def __reduce__(self):  # as its line: it crosses from a stage's process to the runner's whatever its __init__
        return _restore, (type(self), str(self), self.exit_code)


def _restore(cls: type[SpecsError], line: str, exit_code: int) -> SpecsError:
    exc = Exception.__new__(cls)
    Exception.__init__(exc, line)
    exc.exit_code = exit_code
    return exc


class StageFailed(SpecsError):
    """A failure inside a stage's own process, already described (``describe``) and its traceback kept there."""

    def __init__(self, line: str, exit_code: int = 1):
        super().__init__(line)
        self.exit_code = exit_code


class ConfigError(SpecsError, ValueError):
    """A bad recipe, config file, ``--set`` or command-line value (a ``ValueError`` so validators may raise it)."""

    exit_code = 2


class DataError(SpecsError, ValueError):
    """Bad input data, located: ``FILE:LINE: field 'x': message``."""

    def __init__(self, path: str | Path, line: int | None, message: str, field: str | None = None):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"field '{field}': {message}" if field else message
        super().__init__(f"{where}: {what}")


class ModelError(SpecsError, ValueError):
    """A model folder that cannot be used (missing or broken files, not an image-text model)."""


class Interrupted(SpecsError):
    """Ctrl-C during ``specs run``: which stage stopped and the command that resumes it."""

    exit_code = 130


class Terminated(KeyboardInterrupt):
    """SIGTERM (what a cluster scheduler or ``kill`` sends), raised where Ctrl-C's ``KeyboardInterrupt`` is, so
    it is handled as Ctrl-C is: the stage is marked interrupted, one line names it and the resume command."""


def _on_sigterm(_signum, _frame) -> None:
    raise Terminated


def interrupt_on_sigterm() -> None:
    """Turn SIGTERM into :class:`Terminated` in this (main) thread; elsewhere Python cannot set handlers."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


def interruption(exc: KeyboardInterrupt) -> str:
    """What stopped us, as a user names it."""
    return "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"


class ResourceError(SpecsError):
    """The machine ran out of something: disk space, memory, file permissions."""


OS_HINTS = {
    errno.ENOSPC: "the disk is full: free space or write elsewhere",
    errno.EDQUOT: "the disk quota is exceeded: free space or write elsewhere",
    errno.EACCES: "permission denied: give this user access to it (chmod/chown), or use another path",
    errno.EPERM: "permission denied: give this user access to it (chmod/chown), or use another path",
    errno.EROFS: "the file system is read-only: write elsewhere",
}


def os_error(exc: OSError, path: str | Path | None = None) -> ResourceError:
    """An ``OSError`` as one line: the path (``path``, else the one the OS names) and the fix when it is known.

    >>> str(os_error(OSError(errno.ENOSPC, "No space left on device", "/tmp/.x.tmp"), "/tmp/x"))
    '/tmp/x: the disk is full: free space or write elsewhere'
    """
    what = OS_HINTS.get(exc.errno or -1) or exc.strerror or str(exc)
    where = path if path is not None else exc.filename
    return ResourceError(f"{where}: {what}" if where else what)


_FAULT_TEXT = {"no space left on device": errno.ENOSPC, "os error 28": errno.ENOSPC, "storagefull": errno.ENOSPC,
               "disk quota exceeded": errno.EDQUOT, "read-only file system": errno.EROFS,
               "permission denied": errno.EACCES, "os error 13": errno.EACCES}


def machine_fault(exc: BaseException) -> OSError | None:
    """The machine's fault inside a library's own error type, as the ``OSError`` it wraps (safetensors raises
    ``SafetensorError`` for a full disk; torch a ``RuntimeError``), or None when it is not one.

    >>> machine_fault(RuntimeError("Error while serializing: IoError(Os { code: 28, kind: StorageFull })")).errno
    28
    """
    if isinstance(exc, OSError):
        return exc if exc.errno in OS_HINTS else None
    text = str(exc).lower().replace(" ", "")
    for marker, code in _FAULT_TEXT.items():
        if marker.replace(" ", "") in text:
            return OSError(code, os.strerror(code))
    return None


_CONTROL = {i: f"\\x{i:02x}" for i in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def visible(text: str) -> str:
    """``text`` as one inert line: newlines, terminal escapes and other control characters shown as ``\\n``,
    ``\\x1b``… — a value from a file (a field name, an image path) can neither start a forged ``error:`` line nor
    drive the terminal. Every message and log line goes through it (``one_line``, ``console``).

    >>> visible("a.png\\x1b]0;pwned\\x07\\nerror: forged")
    'a.png\\\\x1b]0;pwned\\\\x07\\\\nerror: forged'
    """
    return text.translate(_CONTROL)


def debugging() -> bool:
    """``--debug`` was given or ``SPECS_DEBUG`` is set: show tracebacks instead of one line."""
    return os.environ.get("SPECS_DEBUG", "") not in ("", "0")


def describe(exc: BaseException) -> tuple[str, int]:
    """The line and exit code a failure is shown as. Our errors say themselves; an ``OSError`` or running out of
    memory is the machine's; anything else is our bug."""
    if isinstance(exc, SpecsError):
        return str(exc), exc.exit_code
    if isinstance(exc, OSError):
        return str(os_error(exc)), 1
    if isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError":  # torch.OutOfMemoryError
        return "out of memory: lower batch_size (or max_new_tokens / max_completion_length) and rerun", 1
    if (fault := machine_fault(exc)) is not None:  # a library's wrapper of a full disk, a forbidden file
        return str(os_error(fault)), 1
    return (f"unexpected {type(exc).__name__}: {exc} — a bug in specs, not in your input; the traceback is in "
            "run.log when there is one, or rerun with SPECS_DEBUG=1 to see it"), 1


@contextlib.contextmanager
def one_line(echo, log_traceback) -> Iterator[None]:
    """Turn any failure inside into ``echo("error: …")`` and ``SystemExit(code)``; Ctrl-C or SIGTERM exits 130.

    ``log_traceback(text)`` keeps the traceback of an unexpected error (the run's ``run.log``). With
    :func:`debugging` on, failures propagate with their traceback.
    """
    interrupt_on_sigterm()
    try:
        yield
    except KeyboardInterrupt as exc:
        if debugging():
            raise
        echo(f"interrupted ({interruption(exc)}); what was being written was not kept (outputs are written whole "
             "or not at all)")
        raise SystemExit(130) from None
    except Exception as exc:
        if debugging() or type(exc).__module__.split(".")[0] in ("click", "typer"):  # their usage errors, exits
            raise
        line, code = describe(exc)
        if not isinstance(exc, (SpecsError, OSError, MemoryError)) and machine_fault(exc) is None:
            import traceback

            log_traceback("".join(traceback.format_exception(exc)))
        echo(visible(line if isinstance(exc, Interrupted) else f"error: {line}"))
        sys.stderr.flush()
        raise SystemExit(code) from None
