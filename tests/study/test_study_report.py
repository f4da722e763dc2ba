"""The report, rebuilt from a synthetic study.json: files, self-contained HTML, and every number recomputed."""

import json
import math
import re
import shutil
import statistics

import numpy as np
import pytest
import typer
from study_synthetic import ARMS, synthetic_study
from typer.testing import CliRunner

from specs.study.claims import evaluate_claims
from specs.study.cli import report_command
from specs.study.report import render_report


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    study = synthetic_study()
    (out / "study.json").write_text(json.dumps(study))
    paths = render_report(out / "study.json", out)
    return out, study, paths, (out / "report.md").read_text()


def md_tables(text):
    """Every Markdown table as (header, rows of cells)."""
    tables, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            header = [c.strip() for c in lines[i].strip("|").split(" | ")]
            rows, i = [], i + 2
            while i < len(lines) and lines[i].startswith("| "):
                rows.append([c.strip() for c in lines[i].strip().strip("|").split(" | ")])
                i += 1
            tables.append((header, rows))
        else:
            i += 1
    return tables


def table(text, first_headers):
    found = [t for t in md_tables(text) if t[0][: len(first_headers)] == first_headers]
    assert found, f"no table starting with {first_headers}"
    return found


def parse(cell):
    """'45.3 ± 2.1' → (45.3, 2.1); '+2.1' → (2.1, None); '—' → (None, None)."""
    if cell == "—":
        return None, None
    parts = cell.split(" ± ")
    return float(parts[0]), (float(parts[1]) if len(parts) > 1 else None)


def close(shown, value, unit):
    """A shown number equals a recomputed value up to its rounding."""
    if value is None:
        return shown is None
    return shown is not None and (abs(shown - 100 * value) <= 0.05 + 1e-9 if unit == "pp" else
                                  abs(shown - value) <= 0.0005 + 1e-12)


def dig(record, *keys):
    for key in keys:
        if not isinstance(record, dict) or record.get(key) is None:
            return None
        record = record[key]
    return record


# header → (path in a run record, unit): the test's own reading of study.json
COLUMNS = {
    "cold ID format": (("models", "cold_start", "id", "format_rate"), "pp"),
    "cold OOD format": (("models", "cold_start", "ood", "format_rate"), "pp"),
    "cold ID acc": (("models", "cold_start", "id", "accuracy"), "pp"),
    "cold OOD acc": (("models", "cold_start", "ood", "accuracy"), "pp"),
    "best GF (format)": (("gf", "summary", "format_rate", "best", "gf"), "pp"),
    "last GF (format)": (("gf", "summary", "format_rate", "last", "gf"), "pp"),
    "best GF (acc)": (("gf", "summary", "accuracy", "best", "gf"), "pp"),
    "final ID format": (("models", "final", "id", "format_rate"), "pp"),
    "final ID acc": (("models", "final", "id", "accuracy"), "pp"),
    "final OOD format": (("models", "final", "ood", "format_rate"), "pp"),
    "final OOD acc": (("models", "final", "ood", "accuracy"), "pp"),
    "RBF cold": (("rbf", "cold_start"), ""),
    "RBF final": (("rbf", "final"), ""),
    "pass@1": (("passk", "final", "1"), "pp"),
    "pass@8": (("passk", "final", "8"), "pp"),
    "rewards/chosen": (("chosen_reward", "last"), ""),
}


def test_files_and_self_contained_html(rendered):
    out, _, paths, text = rendered
    for name in ("report.md", "report.html", "gf_curves.png", "final_accuracy.png", "rbf.png", "passk.png",
                 "chosen_reward.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text()
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(images) == 5 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(?!data:)', html) and "<link" not in html and "<script" not in html
    assert "<th>claim</th>" in html and "<th>decision</th>" in html
    for claim in evaluate_claims(json.loads((out / "study.json").read_text())):
        assert f"<strong>{claim.decision}</strong>" in html
    assert text.count("![") == 5 and set(paths) >= {"markdown", "html", "gf_curves.png"}


def test_claims_table_matches_the_rules(rendered):
    _, study, _, text = rendered
    (header, rows), = table(text, ["#", "claim", "paper", "measured"])
    assert header[-1] == "decision" and [r[0] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    for row, claim in zip(rows, evaluate_claims(study), strict=True):
        assert row[-1] == f"**{claim.decision}**" and row[-2] == claim.combine


def test_comparison_rows_are_recomputed_from_study_json(rendered):
    _, study, _, text = rendered
    (header, rows), = table(text, ["claim", "comparison", "metric", "A", "B"])
    metric = {
        "final ID accuracy": (lambda r: dig(r, "models", "final", "id", "accuracy"), "pp"),
        "final OOD accuracy": (lambda r: dig(r, "models", "final", "ood", "accuracy"), "pp"),
        "final score (mean of ID and OOD accuracy)": (
            lambda r: (r["models"]["final"]["id"]["accuracy"] + r["models"]["final"]["ood"]["accuracy"]) / 2, "pp"),
        "best GF (Ψ = format rate)": (lambda r: dig(r, "gf", "summary", "format_rate", "best", "gf"), "pp"),
        "best GF (Ψ = accuracy)": (lambda r: dig(r, "gf", "summary", "accuracy", "best", "gf"), "pp"),
        "RBF of the cold-start model": (lambda r: dig(r, "rbf", "cold_start"), ""),
        "last logged rewards/chosen": (lambda r: dig(r, "chosen_reward", "last"), ""),
    }
    arm = {"SPECS": "specs", "SFT": "sft", "DPO(λ=0)": "dpo", "DPO (λ=0)": "dpo", "GRPO only": "grpo_only",
           "coupled": "coupled", "SPECS (λ=1)": "specs"}
    checked = 0
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        if cells["metric"] not in metric:
            continue
        get, unit = metric[cells["metric"]]
        a_name, b_name = cells["comparison"].split(" − ")

        def values(name, get=get):
            if name == "0":
                return [0.0] * len(study["seeds"])
            return [get(r) for s in study["seeds"] for r in study["runs"] if r["arm"] == arm[name] and r["seed"] == s]

        a, b = values(a_name), values(b_name)
        d = [x - y for x, y in zip(a, b, strict=True)]
        for col, xs in (("A", a), ("B", b)):
            m, s = parse(cells[col])
            assert close(m, statistics.mean(xs), unit) and close(s, statistics.stdev(xs), unit), (row, col)
        assert close(parse(cells["mean Δ"])[0], statistics.mean(d), unit), row
        se = statistics.stdev(d) / math.sqrt(len(d))
        assert close(parse(cells["se"])[0], se, unit), row
        assert cells["n"] == str(len(d))
        z = statistics.mean(d) / se
        expected = "held" if z >= 2 else "not held" if z <= -2 else "inconclusive"
        assert cells["decision"].strip("*()").removeprefix("info: ") == expected, row
        checked += 1
    assert checked == 12


def test_correlations_are_recomputed_from_study_json(rendered):
    _, study, _, text = rendered
    (header, rows), = table(text, ["claim", "x vs y", "n", "Pearson r"])
    cells = dict(zip(header, rows[0], strict=True))
    cold = [r for r in study["runs"] if r["arm"] != "grpo_only"]
    x = np.array([r["gf"]["summary"]["format_rate"]["best"]["gf"] for r in cold])
    y = np.array([(r["models"]["final"]["id"]["accuracy"] + r["models"]["final"]["ood"]["accuracy"]) / 2 for r in cold])
    r = np.corrcoef(x, y)[0, 1]
    rho = np.corrcoef(x.argsort().argsort(), y.argsort().argsort())[0, 1]
    assert cells["n"] == str(len(cold))
    assert close(float(cells["Pearson r"]), r, "") and close(float(cells["R²"]), r * r, "")
    assert close(float(cells["Spearman ρ"]), rho, "")


def test_per_arm_and_per_seed_tables_are_recomputed_from_study_json(rendered):
    _, study, _, text = rendered
    (header, rows), = table(text, ["arm", "seeds", "pairs"])
    assert [r[0] for r in rows] == ARMS
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        records = [r for r in study["runs"] if r["arm"] == cells["arm"]]
        assert cells["seeds"] == str(len(records))
        for col, (path, unit) in COLUMNS.items():
            xs = [v for r in records if (v := dig(r, *path)) is not None]
            m, s = parse(cells[col])
            assert close(m, statistics.mean(xs) if xs else None, unit), (cells["arm"], col)
            assert close(s, statistics.stdev(xs) if len(xs) > 1 else None, unit), (cells["arm"], col)
    (header, rows), = table(text, ["seed", "arm", "pairs"])
    assert {(int(r[0]), r[1]) for r in rows} == {(s, a) for s in study["seeds"] for a in ARMS}
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        record = next(r for r in study["runs"] if r["seed"] == int(cells["seed"]) and r["arm"] == cells["arm"])
        assert cells["pairs"] == ("—" if record["pairs"] is None else str(record["pairs"]["n"]))
        for col, (path, unit) in COLUMNS.items():
            assert close(parse(cells[col])[0], dig(record, *path), unit), (row[:2], col)
    base_rows = table(text, ["seed", "ID format", "ID acc"])
    assert len(base_rows) == 2  # base and GRPO-zero per seed
    for (header, rows), model in zip(base_rows, ("base", "grpo_zero"), strict=True):
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            record = next(r for r in study["runs"] if r["seed"] == int(cells["seed"]))
            assert close(parse(cells["OOD acc"])[0], record["models"][model]["ood"]["accuracy"], "pp")
            if model == "base":
                assert close(parse(cells["RBF"])[0], record["rbf"]["base"], "")
                assert close(parse(cells["pass@4"])[0], record["passk"]["base"]["4"], "pp")


def test_the_report_is_recreated_from_study_json_alone(rendered, tmp_path):
    out, _, _, text = rendered
    shutil.copy(out / "study.json", tmp_path / "study.json")
    app = typer.Typer()
    app.command()(report_command)
    result = CliRunner().invoke(app, [str(tmp_path / "study.json")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.md").read_text() == text
    assert "claim 1: held" in result.output and (tmp_path / "report.html").is_file()


def test_a_study_with_missing_measurements_still_renders(tmp_path):
    study = synthetic_study(seeds=(0,))
    for r in study["runs"]:
        r["gf"], r["chosen_reward"] = None, None
    (tmp_path / "study.json").write_text(json.dumps(study))
    paths = render_report(tmp_path / "study.json", tmp_path)
    assert "gf_curves.png" not in paths and "chosen_reward.png" not in paths
    assert "**inconclusive**" in (tmp_path / "report.md").read_text()


def test_the_opt_in_ablation_arms_render_beside_the_defaults(tmp_path):
    """Every arm of the table (the five defaults and the opt-in ablations) gets its rows, bars and GF curves."""
    from specs.study.config import ARMS as ALL_ARMS
    from specs.study.config import COLD_ARMS

    study = synthetic_study(arms=list(ALL_ARMS))
    (tmp_path / "study.json").write_text(json.dumps(study))
    paths = render_report(tmp_path / "study.json", tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert {"gf_curves.png", "final_accuracy.png", "rbf.png", "passk.png", "chosen_reward.png"} <= set(paths)
    (_, rows), = table(text, ["arm", "seeds", "pairs"])
    assert [r[0] for r in rows] == list(ALL_ARMS)
    for arm in ("specs_lambda_half", "specs_seqnorm", "base_chosen", "no_filter"):
        assert f"`{arm}` ({ALL_ARMS[arm].label})" in text
    claims = {c.number: c for c in evaluate_claims(study)}
    assert claims[2].correlations[0].n == len(COLD_ARMS) * len(study["seeds"])  # every cold start is a point
    assert [c.decision for c in claims.values()] == [c.decision for c in evaluate_claims(synthetic_study())]
