"""The ``specs`` command line. Each concern owns its commands in ``<concern>/cli.py``; this file wires them.

Command modules import torch/transformers inside the command bodies, so ``specs --help`` stays fast. Commands
raise our errors (``specs/errors.py``); the root group alone turns them into one line.
"""

from __future__ import annotations

import os
import warnings

import typer

from specs.benchmarks.cli import app as benchmark_app
from specs.console import OneLineErrors
from specs.data.cli import app as data_app
from specs.grading.cli import grade_command
from specs.lmms.cli import lmms_eval_command
from specs.metrics.cli import rbf_command
from specs.models.cli import tiny_model_command
from specs.recipe.cli import cost_command, rehearse_command, run_command
from specs.report.cli import report_command as run_report_command
from specs.stages.cli import register as register_stages
from specs.study.cli import report_command as study_report_command
from specs.study.cli import study_command
from specs.toybase.cli import toy_base_command
from specs.toyworld.cli import app as toyworld_app

app = typer.Typer(
    cls=OneLineErrors,
    name="specs",
    help="SPECS: self-distilled, preference-based cold start for vision-language reasoning RL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show the traceback of a failure (or SPECS_DEBUG=1).")):
    if debug:
        os.environ["SPECS_DEBUG"] = "1"


app.add_typer(data_app, name="data")
app.add_typer(benchmark_app, name="benchmark")
app.add_typer(toyworld_app, name="toyworld")
app.command("tiny-model")(tiny_model_command)
app.command("toy-base")(toy_base_command)
app.command("run")(run_command)
app.command("rehearse")(rehearse_command)
app.command("cost")(cost_command)
app.command("report")(run_report_command)
register_stages(app)
app.command("rbf")(rbf_command)
app.command("grade")(grade_command)
app.command("lmms-eval")(lmms_eval_command)
app.command("study")(study_command)
app.command("study-report")(study_report_command)


def main() -> None:
    # Models and data come from local paths only; never wait on a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notices, not user errors
    try:
        app()
    finally:
        _close_process_group()


def _close_process_group() -> None:
    """Leave a torch.distributed group cleanly: a rank exiting with its gloo threads alive can abort (SIGABRT)."""
    import sys

    if "torch" not in sys.modules:  # nothing distributed ran (and --help stays fast)
        return
    import torch.distributed as dist

    if "vllm.distributed.parallel_state" in sys.modules:  # an in-process engine's groups first: vLLM's exit hook
        from vllm.distributed.parallel_state import destroy_model_parallel  # would destroy them after the default

        destroy_model_parallel()
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
