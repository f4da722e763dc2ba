"""What a user sees: our own lines on rank 0, library chatter off, everything also in the run folder's run.log.

Why: a day-long 7B run is watched through its console. Library progress bars and warnings (a "Loading weights"
bar per model load, dataset casting bars, the trainer's raw log dicts) drown the few lines that matter — which
stage is running, how training goes, what each eval measured. Each library is quieted with its own switch (not by
filtering its output); ``specs run -v`` keeps them.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from typer.core import TyperGroup

from specs.distributed import is_main_process, process_index
from specs.errors import one_line, visible

_log_file: Path | None = None


class OneLineErrors(TyperGroup):
    """A command group whose commands' failures reach the user as one line (``errors.one_line``): the root CLI
    and each sub-app (``specs data``, ``specs benchmark``, ``specs toyworld``) use it."""

    def get_command(self, ctx, cmd_name):
        """The command, its path arguments unchecked for readability: click would refuse an unreadable file as a
        usage error (a box, exit 2); opened by our code, permission denied is one line naming the file."""
        command = super().get_command(ctx, cmd_name)
        for param in getattr(command, "params", []):
            info = getattr(getattr(param, "type_descriptor", None), "parameter_info", None)  # typer >= 0.2x
            for holder in (info, getattr(param, "type", None)):  # and click.Path, where older typer puts it
                if getattr(holder, "readable", False):
                    holder.readable = False
        return command

    def invoke(self, ctx):
        with one_line(error, keep):
            return super().invoke(ctx)


def say(line: str) -> None:
    """Print one line (rank 0 only) and append it to the run's ``run.log`` when one is attached. Its control
    characters and newlines are shown escaped (``errors.visible``): values from files are data, never layout."""
    if not is_main_process():
        return
    line = visible(line)
    print(line, flush=True)
    keep(line)


def say_block(text: str) -> None:
    """Several lines of our own layout (a table), each said as :func:`say` says it."""
    for line in text.split("\n"):
        say(line)


def error(line: str) -> None:
    """Print a failure's one line on stderr (every rank: the failing one may not be the main one) and log it."""
    import sys

    line = visible(line)
    print(line if is_main_process() else f"[rank {process_index()}] {line}", file=sys.stderr, flush=True)
    keep(line)


def keep(text: str) -> None:
    """Append ``text`` to the attached ``run.log`` (an unexpected error's traceback goes there, not the console)."""
    if _log_file is not None:  # a traceback keeps its lines; what is inside them is shown as data
        with _log_file.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(visible(line) for line in text.rstrip("\n").split("\n")) + "\n")


def log_file() -> Path | None:
    """The attached ``run.log``, if any."""
    return _log_file


def attach(run_dir: Path, header: bool = True) -> Path:
    """Send every later :func:`say` line to ``run_dir/run.log`` too (appended: a rerun continues the log; a stage's
    own process attaches without a ``---`` header line)."""
    global _log_file

    _log_file = Path(run_dir) / "run.log"
    if not is_main_process():  # one writer; the other ranks' lines were never printed
        return _log_file
    _log_file.parent.mkdir(parents=True, exist_ok=True)
    if not header:
        return _log_file
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    with _log_file.open("a", encoding="utf-8") as handle:
        handle.write(f"--- {stamp}\n")
    return _log_file


def quiet_libraries() -> None:
    """Silence transformers, datasets, TRL, accelerate, DeepSpeed and vLLM through their own verbosity switches."""
    import logging

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")  # vLLM's engine logs, in every process it starts
    try:
        import torch

        if not torch.cuda.is_available():
            os.environ.setdefault("DS_ACCELERATOR", "cpu")  # DeepSpeed warns when it has to guess this
    except ImportError:  # pragma: no cover - torch is a dependency
        pass
    import datasets
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()  # "Loading weights" bars
    datasets.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    for name in ("trl", "accelerate", "DeepSpeed", "torch.distributed"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import warnings

    for module in ("transformers", "trl", "peft", "accelerate", "datasets", "torch"):  # deprecation notices
        for category in (FutureWarning, DeprecationWarning):
            warnings.filterwarnings("ignore", category=category, module=module)


def duration(seconds: float) -> str:
    """``0:03:07`` (hours:minutes:seconds), the ETA format."""
    return str(datetime.timedelta(seconds=int(max(seconds, 0))))
