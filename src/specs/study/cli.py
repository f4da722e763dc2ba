"""``specs study``: every arm × seed of the SPECS pipeline, then the paper's claims judged on the spread.

Register with ``app.command("study")(study_command)``; optionally ``app.command("study-report")(report_command)``
to re-render a report from a ``study.json`` (e.g. after changing the decision rule) without any training.
"""

from __future__ import annotations

from pathlib import Path

import typer

from specs.paths import check_output
from specs.study.claims import evaluate_claims
from specs.study.config import load_study
from specs.study.report import read_study, render_report
from specs.study.runner import Study


def study_command(
    out: Path = typer.Option(..., "--out", help="Study folder (rerunning skips every completed stage)."),
    preset: str = typer.Option("quick", "--preset", help="quick (CI-sized), full (the real study), or a study YAML."),
    base_model: Path | None = typer.Option(None, "--base-model", help="Base model folder (unset: toy base)."),
    sets: list[str] = typer.Option([], "--set", "-s", help="Override a study key: seeds=[0,1,2], overrides.a.b=v …"),
) -> None:
    """GRPO only / SFT / DPO / SPECS / coupled pairs → the same final GRPO, over seeds; report.md and report.html."""

    Study(load_study(preset, sets, base_model), out, log=typer.echo).execute()
    _summary(render_report(out / "study.json", out), out)


def report_command(
    study_json: Path = typer.Argument(..., exists=True, dir_okay=False, help="A study.json written by specs study."),
    out: Path = typer.Option(None, "--out", help="Report folder (default: the study.json's folder)."),
) -> None:
    """Re-render report.md, report.html and the figures from study.json alone."""

    folder = out or study_json.parent
    if folder.resolve() != study_json.parent.resolve():  # beside its study.json, the folder is the study's own
        check_output(folder, {"STUDY_JSON": study_json}, folder=True)
    _summary(render_report(study_json, folder), folder)


def _summary(paths: dict[str, Path], out: Path) -> None:


    study = read_study(out / "study.json") if (out / "study.json").is_file() else None
    if study is not None:
        for claim in evaluate_claims(study):
            typer.echo(f"claim {claim.number}: {claim.decision:<12} {claim.title}")
    typer.echo(f"report: {paths['markdown']} and {paths['html']}")


__all__ = ["report_command", "study_command"]
