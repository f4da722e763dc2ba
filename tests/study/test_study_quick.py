"""End to end: ``specs study --preset quick`` on the cached toy base (every arm × 3 seeds), then a resume."""

import json
import re

import pytest
import typer
from typer.testing import CliRunner

from specs.study.cli import study_command
from specs.study.config import ARMS, DEFAULT_ARMS

pytestmark = pytest.mark.slow


def invoke(out, toy_base):
    app = typer.Typer()
    app.command()(study_command)
    return CliRunner().invoke(app, ["--out", str(out), "--preset", "quick", "--base-model", str(toy_base)])


@pytest.fixture(scope="module")
def quick(toy_base, tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "quick"
    result = invoke(out, toy_base)
    assert result.exit_code == 0, result.output
    return out, result.output


def test_every_arm_and_seed_is_in_study_json(quick):
    out, _ = quick
    study = json.loads((out / "study.json").read_text())
    assert study["seeds"] == [0, 1, 2] and study["arms"] == list(DEFAULT_ARMS)
    assert {(r["seed"], r["arm"]) for r in study["runs"]} == {(s, a) for s in (0, 1, 2) for a in DEFAULT_ARMS}
    ks = [str(k) for k in study["config"]["pass_k"]]
    for r in study["runs"]:
        for model in ("base", "grpo_zero", "final"):
            assert set(r["models"][model]) == {"id", "ood"}, (r["arm"], model)
        assert set(r["passk"]["final"]) == set(ks) and set(r["passk"]["base"]) == set(ks)
        assert r["rbf"]["base"] >= 1 and r["rbf"]["final"] >= 1
        if r["arm"] == "grpo_only":
            assert r["models"]["cold_start"] is None and r["gf"] is None and r["pairs"] is None
            continue
        assert r["rbf"]["cold_start"] >= 1 and r["pairs"]["n"] > 0
        assert [p["step"] for p in r["gf"]["points"]] == [0, 1, 2, 3]  # gf_every 1, 3 steps
        assert set(r["gf"]["summary"]) == {"format_rate", "accuracy"}
        if ARMS[r["arm"]].method == "dpo":
            assert r["chosen_reward"]["series"] and r["chosen_reward"]["last"] is not None
    assert study["timings"]["stage_seconds_total"] > 0


def test_report_files_with_embedded_figures_and_the_claims_table(quick):
    out, output = quick
    for name in ("report.md", "report.html", "final_accuracy.png", "rbf.png", "passk.png", "gf_curves.png"):
        assert (out / name).is_file(), name
    html = (out / "report.html").read_text()
    assert len(re.findall(r'src="data:image/png;base64,', html)) >= 5
    assert "<th>claim</th>" in html and "<th>decision</th>" in html
    md = (out / "report.md").read_text()
    assert "| # | claim | paper | measured | rows | decision |" in md
    for n in range(1, 7):
        assert re.search(rf"^claim {n}: (held|not held|inconclusive) ", output, re.M), output[-2000:]


def test_a_rerun_skips_everything(quick, toy_base):
    out, _ = quick
    before = (out / "seed-1" / "specs" / "models" / "final" / "model.safetensors").stat().st_mtime
    result = invoke(out, toy_base)
    assert result.exit_code == 0, result.output
    assert not re.search(r"^\[\d+/\d+\] \w+$", result.output, re.M)  # no stage ran again
    assert result.output.count("done already, skipped") == 2 + 3 * (5 + 4 * 7 + 3)
    assert (out / "seed-1" / "specs" / "models" / "final" / "model.safetensors").stat().st_mtime == before
