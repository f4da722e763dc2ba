"""``specs report RUN_DIR``: re-render a run folder's ``report.html`` (no training, no models loaded).

Register with ``app.command("report")(report_command)``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from specs.report.run_report import render_run_report


def report_command(
    run_dir: Path = typer.Argument(..., help="A run folder written by `specs run` (finished or not)."),
) -> None:
    """Re-render RUN_DIR/report.html: summary, GRPO and cold-start curves, rollouts, preference pairs."""

    path = render_run_report(run_dir)
    typer.echo(f"report: {path}")


__all__ = ["report_command"]
