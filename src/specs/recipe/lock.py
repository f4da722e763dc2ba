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


def _boot_ticks(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, Linux), or None: a pid reused by another process
    has another start, so a lock whose holder died is not mistaken for one held by the pid's new owner."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(holder: dict) -> bool:
    pid = holder.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        pass
    recorded, now = holder.get("ticks"), _boot_ticks(pid)
    return not (isinstance(recorded, int) and now is not None and now != recorded)


def _holder(path: Path) -> dict | None:
    """The lock's holder, or None when the file is torn (a kill between create and write) or holds anything but
    the object we write: stale either way."""
    try:
        holder = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError):
        return None
    return holder if isinstance(holder, dict) and isinstance(holder.get("host"), str) else None


@contextlib.contextmanager
def run_lock(root: Path, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold ``root/.lock`` for the duration; refuse (``ConfigError``) while another live process holds it."""
    path = Path(root) / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
          "ticks": _boot_ticks(os.getpid())}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder and holder.get("host") == me["host"] and not _alive(holder):
                log(f"{root}: took over the lock of process {holder.get('pid')} (no longer running)")
            elif holder and holder.get("host") != me["host"]:
                raise ConfigError(f"{root}: in use by process {holder.get('pid')} on {holder.get('host')} since "
                                  f"{holder.get('started')}; if that run is gone, delete {path}") from None
            elif holder:
                raise ConfigError(f"{root}: in use by process {holder.get('pid')} (started {holder.get('started')}); "
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
