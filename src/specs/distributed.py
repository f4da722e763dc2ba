"""Multi-process helpers: shard prompts across ranks, gather results in order, let only rank 0 write.

Under ``accelerate launch`` every rank runs the same stage; generation-heavy stages (eval, distill) split their
prompts, and artifacts are written by the main process alone. In a single process all of this is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _state():
    import torch
    from accelerate import PartialState

    # cpu=True lets `torchrun` ranks on a CPU machine form a gloo group (accelerate's launcher needs mpirun there)
    return PartialState(cpu=not torch.cuda.is_available())


def runner_group() -> None:
    """Join the launch's process group on gloo, with no GPU context: for a process that only coordinates (the
    ``specs run`` runner, whose stages run in processes of their own). Call before anything else asks for the state."""
    from accelerate import PartialState

    PartialState(cpu=True)


def num_processes() -> int:
    return _state().num_processes


def process_index() -> int:
    return _state().process_index


def local_rank() -> int:
    return _state().local_process_index


def device():
    """This process's device: its GPU under ``accelerate launch`` / ``torchrun`` (cuda:LOCAL_RANK), else the CPU."""
    return _state().device


def weights_sharded() -> bool:
    """True under ``accelerate launch`` with DeepSpeed ZeRO-3 or FSDP: no rank holds the whole model."""
    import os

    zero3 = os.environ.get("ACCELERATE_USE_DEEPSPEED") == "true" and os.environ.get(
        "ACCELERATE_DEEPSPEED_ZERO_STAGE") == "3"
    return zero3 or os.environ.get("ACCELERATE_USE_FSDP") == "true"


def is_main_process() -> bool:
    return _state().is_main_process


def wait_for_everyone() -> None:
    _state().wait_for_everyone()


def sharded_map(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], equal: bool = False) -> list[R]:
    """``fn`` over this rank's contiguous share of ``items``; every rank gets all results, in input order.

    ``equal``: every rank gets the same number of items (the last one repeated, its extra results dropped), so
    that each makes the same number of forward passes — which a model sharded across the ranks (ZeRO-3, FSDP)
    needs, since every forward pass is a collective.
    """
    state = _state()
    if state.num_processes == 1:
        return fn(items)
    from accelerate.utils import gather_object

    with state.split_between_processes(list(range(len(items))), apply_padding=equal) as mine:
        local = fn([items[i] for i in mine]) if mine else []
        tagged = list(zip(mine, local, strict=True))
    gathered = dict(gather_object(tagged))  # a padded index repeats: keep one result for it
    return [gathered[i] for i in range(len(items))]
