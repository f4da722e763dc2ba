"""Run a function in a fresh process and return its result: what it held (a vLLM engine, CUDA caches, DeepSpeed
state, a process group) is gone when it returns.

An in-process vLLM engine keeps its GPU memory after ``del``, and a second engine in the same process fails (vLLM
issue #21073): each ``specs run`` stage, and each model distillation samples with vLLM, runs in a process of its
own. Under ``accelerate launch`` every rank calls this at the same point; the new processes inherit the launch's
ranks and meet on a fresh port that rank 0 picks. Failures come back as one line (``describe``d where they happen,
their traceback kept in run.log); Ctrl-C reaches both processes; a killed parent takes the child with it.
"""

from __future__ import annotations

import contextlib
import os
import resource
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, TypeVar

from specs import console
from specs.distributed import is_main_process, num_processes
from specs.errors import ResourceError, SpecsError, StageFailed, debugging, describe

R = TypeVar("R")


def in_fresh_process(fn: Callable[..., R], *args: Any, label: str) -> R:
    """``fn(*args)`` in a new (spawned) process; ``fn`` and ``args`` must pickle (a module-level function).
    ``label`` names the work in a failure's line."""
    log = console.log_file()
    with _fresh_group_port(), ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_die_with_parent,
                                                  initargs=(os.getpid(),)) as pool:
        future = pool.submit(_call, fn, args, log)
        try:
            return future.result()
        except BrokenProcessPool:
            raise ResourceError(f"{label}: its process was killed (by the OS: out of memory? "
                                "see dmesg); lower batch_size or the lengths, or free memory, and rerun") from None
        except KeyboardInterrupt:  # Ctrl-C on the parent alone: the child stops too (no writer left behind)
            for process in pool._processes.values():  # the executor has no public handle on its processes
                process.terminate()
            raise


def peak_rss_mb() -> float:
    """This process's peak resident memory, or its children's (vLLM's engine processes) if larger, in MB."""
    self, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(max(self.ru_maxrss, children.ru_maxrss) / 1024, 1)


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _call(fn: Callable[..., R], args: tuple, log) -> R:
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning)  # as specs.cli.main: notices, not user errors
    if log is not None:
        console.attach(log.parent, header=False)
    try:
        return fn(*args)
    except (SpecsError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # described here, where its type and traceback are; the parent shows the line
        if debugging():
            raise
        import traceback

        console.keep("".join(traceback.format_exception(exc)))
        raise StageFailed(*describe(exc)) from None


def _die_with_parent(parent: int) -> None:
    """Linux: the child gets SIGKILL when its parent dies, and ends now if the parent died before it could ask."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def _fresh_group_port() -> Iterator[None]:
    """Under ``accelerate launch``: the children meet on a free port rank 0 picks (the parents' group holds the
    launcher's); in a single process nothing changes."""

    if num_processes() == 1:
        yield
        return
    from accelerate.utils import broadcast_object_list

    port = [_free_port() if is_main_process() else 0]
    broadcast_object_list(port)
    # torchrun's ranks join its agent's store; the children make a store of their own on the new port
    fresh = {"MASTER_PORT": str(port[0]), "TORCHELASTIC_USE_AGENT_STORE": "False"}
    old = {key: os.environ.get(key) for key in fresh}
    os.environ.update(fresh)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("", 0))
        return sock.getsockname()[1]
