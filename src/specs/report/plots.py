"""Figures for the reports (matplotlib, Agg backend: no display needed), returned as PNG bytes to embed.

The shared helpers (:func:`pyplot`, :func:`integer_steps`, :func:`png`) serve the study's figures too. The run's
figures are drawn from the per-step rows a training stage logs (``<stage>.metrics.jsonl`` or
``trainer_log.json``): each maker returns ``None`` when its rows hold nothing to draw, so a partial run folder
simply has fewer figures. Every series is drawn with markers, since a short run may log a single step.
"""

from __future__ import annotations

import io
from typing import Any

Rows = list[dict[str, Any]]

GRPO_REWARDS = (("rewards/format_reward/mean", "format reward"), ("rewards/accuracy_reward/mean", "accuracy reward"),
                ("reward", "total reward"))
DROPPED = "filter/dropped_share"
DPO_REWARDS = (("rewards/chosen", "rewards/chosen"), ("rewards/rejected", "rewards/rejected"),
               ("rewards/margins", "rewards/margins"))


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (imported late: ``specs --help`` stays fast)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def integer_steps(ax) -> None:
    """Training steps are integers: no 2.5 on the x axis (nor 2.84 … 3.16 around a single logged step)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    low, high = ax.get_xlim()
    if high - low < 2:  # half a step of room either side, so only the logged steps get ticks
        middle, half = (low + high) / 2, (high - low) / 2 + 0.5
        ax.set_xlim(middle - half, middle + half)


def png(fig, dpi: int = 90) -> bytes:
    """The figure as PNG bytes; the figure is closed (a long run re-renders after every stage)."""
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=dpi)
    pyplot().close(fig)
    return buffer.getvalue()


def series(rows: Rows, key: str) -> tuple[list[int], list[float]]:
    """``(steps, values)`` of ``key`` over the logged rows; one value per step (the last logged wins), in step
    order; rows without a step or with a null value (NaN in the log) are skipped."""
    by_step: dict[int, float] = {}
    for row in rows:
        value, step = row.get(key), row.get("step")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(step, (int, float)):
            by_step[int(step)] = float(value)
    steps = sorted(by_step)
    return steps, [by_step[s] for s in steps]


def _lines(ax, rows: Rows, keys: tuple[tuple[str, str], ...]) -> bool:
    drawn = False
    for i, (key, label) in enumerate(keys):
        steps, values = series(rows, key)
        if steps:
            ax.plot(steps, values, f"C{i}-", marker="o", ms=4, lw=1.2, label=label)
            drawn = True
    if drawn:
        ax.set_xlabel("step", fontsize=8)
        integer_steps(ax)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    return drawn


def grpo_figure(stages: dict[str, Rows]) -> bytes | None:
    """One column per GRPO stage (label → rows): rewards by function and in total; below them the share of
    prompt groups the online filter dropped, when any stage logged it."""
    stages = {label: rows for label, rows in stages.items()
              if any(series(rows, key)[0] for key, _ in GRPO_REWARDS + ((DROPPED, ""),))}
    if not stages:
        return None
    with_filter = any(series(rows, DROPPED)[0] for rows in stages.values())
    plt = pyplot()
    fig, axes = plt.subplots(2 if with_filter else 1, len(stages), figsize=(4.6 * len(stages), 5.6 if with_filter
                             else 3.2), squeeze=False)
    for col, (label, rows) in enumerate(stages.items()):
        ax = axes[0][col]
        _lines(ax, rows, GRPO_REWARDS)
        ax.set_title(f"{label}: mean reward per batch", fontsize=9)
        if with_filter:
            low = axes[1][col]
            low.set_title(f"{label}: {DROPPED}", fontsize=9)
            if _lines(low, rows, ((DROPPED, "dropped share"),)):
                low.set_ylim(-0.02, 1.02)
            else:
                low.axis("off")
                low.text(0.5, 0.5, "not logged (online filter off)", ha="center", va="center", fontsize=9,
                         color="gray", transform=low.transAxes)
    return png(fig)


def dpo_figure(rows: Rows) -> bytes | None:
    """The cold start: DPO's implicit rewards (chosen, rejected, margin) and the loss. An SFT cold start has only
    the loss. When no step logged ``loss`` (a run shorter than ``logging_steps``), the trainer's closing
    ``train_loss`` (the mean over training) is shown, labelled as such."""
    loss = "loss" if series(rows, "loss")[0] else "train_loss"
    has_rewards = any(series(rows, key)[0] for key, _ in DPO_REWARDS)
    has_loss = bool(series(rows, loss)[0])
    if not (has_rewards or has_loss):
        return None
    plt = pyplot()
    panels = int(has_rewards) + int(has_loss)
    fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels, 3.2), squeeze=False)
    if has_rewards:
        ax = axes[0][0]
        _lines(ax, rows, DPO_REWARDS)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_title("implicit rewards (β·log-ratio to the base)", fontsize=9)
    if has_loss:
        ax = axes[0][panels - 1]
        label = "loss" if loss == "loss" else "train_loss (mean over training)"
        _lines(ax, rows, ((loss, label),))
        ax.set_title("loss", fontsize=9)
    return png(fig)


def gf_figure(curve: dict[str, Any]) -> bytes | None:
    """The cold start's GF tracking (``gf_curve.json``): Ψ on ID and OOD and the GF, one panel per Ψ."""
    points, curves = curve.get("points") or [], curve.get("curves") or {}
    metrics = [m for m in ("format_rate", "accuracy") if curves.get(m)]
    if not points or not metrics:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.2), squeeze=False)
    steps = [p["step"] for p in points]
    for col, metric in enumerate(metrics):
        ax = axes[0][col]
        ax.plot(steps, [p["id"][metric] for p in points], "C0-", marker="o", ms=4, label="Ψ ID")
        ax.plot(steps, [p["ood"][metric] for p in points], "C1--", marker="o", ms=4, label="Ψ OOD")
        ax.plot([c["step"] for c in curves[metric]], [c["gf"] for c in curves[metric]], "C2:", marker="s", ms=4,
                label=f"GF (β={curve.get('beta', 2.0)})")
        best = curve.get("best_step")
        if best is not None and metric == curve.get("metric_for_selection"):
            ax.axvline(best, color="gray", lw=0.8, ls="--", label=f"best step {best}")
        ax.set_title(f"Ψ = {metric}", fontsize=9)
        ax.set_xlabel("cold-start step", fontsize=8)
        ax.set_ylim(-0.02, 1.02)
        integer_steps(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return png(fig)
