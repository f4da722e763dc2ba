"""Experiment tracking for every training stage: TensorBoard in the run folder and a growing metrics JSONL.

Why both: TensorBoard (or W&B, through ``report_to``) is how people watch a day-long run; ``metrics.jsonl``
is the same numbers as plain lines, readable while the stage runs (``tail -f``), by scripts and after a crash —
``trainer_log.json`` appears only when a stage ends.

Where: beside the stage's output folder ``out``: ``<out>.metrics.jsonl`` and ``tensorboard/<out name>/``, so
``tensorboard --logdir RUN/models/tensorboard`` shows every stage of a run side by side.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from specs.console import duration, say
from specs.data.jsonl import write_text_atomic

TENSORBOARD = "tensorboard"


def metrics_path(out: Path) -> Path:
    """Where a stage writing its model to ``out`` appends its per-step metrics."""
    return out.parent / f"{out.name}.metrics.jsonl"


def tensorboard_dir(out: Path) -> Path:
    return out.parent / TENSORBOARD / out.name


class MetricsJSONL(TrainerCallback):
    """Append every log the trainer emits (rewards by function, loss, step time, …) as one JSON line.

    Main process only; each line is flushed as written. A stage that starts from step 0 starts a new file; a
    stage resumed from a checkpoint keeps the lines up to that step and continues after them.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.started = time.time()

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = []
        if state.global_step > 0 and self.path.is_file():  # resumed: keep the history up to the checkpoint
            for line in self.path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line torn by the kill
                if row.get("step", 0) <= state.global_step:
                    kept.append(line)
        write_text_atomic(self.path, "".join(f"{line}\n" for line in kept))

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        row: dict[str, Any] = {"step": state.global_step, "epoch": state.epoch,
                               "time": round(time.time() - self.started, 3)}
        row.update({k: _plain(v) for k, v in logs.items()})
        with self.path.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
            handle.flush()


def _plain(value: Any) -> Any:
    """JSON-safe: NaN/inf become None (JSON has no NaN), other non-serialisable values their string."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


class ConsoleLine(TrainerCallback):
    """One compact line per logging step instead of the trainer's raw dict: step/total, the numbers that say how
    the stage goes (rewards by function, DPO margins, loss), step time and ETA."""

    KEYS = (("rewards/format_reward/mean", "format_reward"), ("rewards/accuracy_reward/mean", "accuracy_reward"),
            ("reward", "reward"), ("filter/dropped_share", "dropped"), ("rewards/margins", "margin"),
            ("rewards/chosen", "chosen"), ("loss", "loss"))

    def __init__(self, name: str):
        self.name = name

    def on_train_begin(self, args, state, control, **kwargs):
        self.start, self.first = time.time(), state.global_step

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs or "loss" not in logs:
            return
        done = max(state.global_step - self.first, 1)
        per_step = (time.time() - self.start) / done
        eta = duration(per_step * (state.max_steps - state.global_step))
        shown = "  ".join(f"{label} {logs[key]:.3f}" for key, label in self.KEYS
                          if isinstance(logs.get(key), (int, float)))
        say(f"  {self.name} step {state.global_step}/{state.max_steps}  {shown}  {per_step:.2f} s/step  ETA {eta}")


def tracking_callbacks(report_to: list[str], out: Path) -> list[TrainerCallback]:
    """The callbacks every training stage adds: the metrics JSONL and the console line always, TensorBoard when
    asked for."""
    callbacks: list[TrainerCallback] = [MetricsJSONL(metrics_path(out)), ConsoleLine(out.name)]
    if TENSORBOARD in report_to:
        from transformers.integrations import TensorBoardCallback

        board = TensorBoardCallback()  # writer created lazily, on the main process only
        board.logging_dir = str(tensorboard_dir(out))
        callbacks.append(board)
    return callbacks


def trainer_report_to(report_to: list[str]) -> list[str] | str:
    """What the TRL config's ``report_to`` gets: everything but TensorBoard, which we attach ourselves so that
    its events land in the run folder rather than in the trainer's scratch folder."""
    others = [name for name in report_to if name != TENSORBOARD]
    return others or "none"
