"""``specs benchmark …`` through typer's test runner and the root CLI (which turns errors into one line)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks_helpers import mathverse_parquet, mmmu_rows, write_parquet
from typer.testing import CliRunner

from specs.cli import app as root

runner = CliRunner()


def test_convert_prints_counts(tmp_path: Path) -> None:
    result = runner.invoke(root, ["benchmark", "convert", "mathverse", str(mathverse_parquet(tmp_path / "src")),
                                  "--out", str(tmp_path / "out"), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'out' / 'mathverse.jsonl'}: 2 records, 2 images, 1 with choices" in result.output
    assert "problem_version: 2 values" in result.output


def test_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(root, ["benchmark", "convert", "gsm8k", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "error:" in result.output and "unknown benchmark 'gsm8k'" in result.output
    assert "Traceback" not in result.output
    rows = mmmu_rows()
    rows[0]["options"] = "['a', "
    source = write_parquet(tmp_path / "v.parquet", rows)
    result = runner.invoke(root, ["benchmark", "convert", "mmmu", str(source), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"error: {source}:1: field 'options': cannot parse" in result.output


def test_training_data(tmp_path: Path) -> None:
    source = write_parquet(tmp_path / "t.parquet", [{"problem": "What is 1+1?", "solution": "2", "image": None}])
    args = ["benchmark", "training-data", str(source), "--out", str(tmp_path / "out"), "--max-prompt-tokens", "1"]
    result = runner.invoke(root, args)
    assert result.exit_code == 1 and "no rows kept" in result.output and "prompt over 1 tokens" in result.output
    result = runner.invoke(root, args[:-2] + ["--max-prompt-tokens", "50", "--name", "mini"])
    assert result.exit_code == 0, result.output
    assert "kept 1 rows (0 images); dropped: none" in result.output
    assert (tmp_path / "out" / "mini.jsonl").is_file()


def test_breakdown_from_report(tmp_path: Path) -> None:
    runner.invoke(root, ["benchmark", "convert", "mathverse", str(mathverse_parquet(tmp_path / "src")),
                         "--out", str(tmp_path / "out")])
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"per_prompt": [{"id": "1", "n_correct": 1, "n": 1},
                                                 {"id": "2", "n_correct": 0, "n": 1},
                                                 {"id": "3", "n_correct": 1, "n": 1}]}))
    out = tmp_path / "table.json"
    result = runner.invoke(root, ["benchmark", "breakdown", str(tmp_path / "out" / "mathverse.jsonl"), str(report),
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "problem_version:" in result.output and "Text Lite: 0.0000 (n=1)" in result.output
    assert json.loads(out.read_text())["question_type"]["multi-choice"] == {"accuracy": 1.0, "n": 2}
    report.write_text("{}")
    result = runner.invoke(root, ["benchmark", "breakdown", str(tmp_path / "out" / "mathverse.jsonl"), str(report)])
    assert result.exit_code == 1 and "field 'per_prompt': not an eval report" in result.output
