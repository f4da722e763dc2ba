"""One process per run folder: a lock file naming its holder, taken over when that holder is gone.

Why: two ``specs run`` on one folder both ran every stage and overwrote each other's artifacts. The lock is a
file created with ``O_EXCL`` (atomic on local and NFS v3+ filesystems) holding the owner's pid, host and start
time; a second process refuses with one line naming the first. A lock whose pid no longer runs on this host (a
SIGKILL, a crash) is stale and taken over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from specs.errors import ConfigError

LOCK = ".lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # torn by a kill between create and write: treat as stale


@contextlib.contextmanager
def run_lock(root: Path, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold ``root/.lock`` for the duration; refuse (``ConfigError``) while another live process holds it."""
    path = Path(root) / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder and holder.get("host") == me["host"] and not _alive(int(holder.get("pid", -1))):
                log(f"{root}: took over the lock of process {holder['pid']} (no longer running)")
            elif holder and holder.get("host") != me["host"]:
                raise ConfigError(f"{root}: in use by process {holder.get('pid')} on {holder.get('host')} since "
                                  f"{holder.get('started')}; if that run is gone, delete {path}") from None
            elif holder:
                raise ConfigError(f"{root}: in use by process {holder['pid']} (started {holder.get('started')}); "
                                  "wait for it to finish or stop it") from None
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as handle:
            json.dump(me, handle)
        break
    else:
        raise ConfigError(f"{root}: could not take the run lock {path}")
    try:
        yield
    finally:
        if _holder(path) == me:
            path.unlink(missing_ok=True)
