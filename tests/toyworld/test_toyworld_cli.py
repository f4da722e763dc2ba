"""``specs toyworld generate`` through typer's test runner."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from specs.data.records import load_examples
from specs.toyworld.cli import app

runner = CliRunner()


def test_generate_writes_and_reports(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--split", "ood-test", "--n", "30",
                                 "--seed", "4"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "ood-test.jsonl"
    assert str(path) in result.output
    assert "families:" in result.output and "formats:" in result.output and "ood:" in result.output
    assert len(load_examples(path)) == 30


def test_defaults(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--split", "train"])
    assert result.exit_code == 0, result.output
    assert "1000 examples" in result.output
    assert len(load_examples(tmp_path / "train.jsonl", check_images=False)) == 1000


def test_bad_split_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--split", "validation"])
    assert result.exit_code == 2
    assert "unknown split 'validation'" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "validation.jsonl").exists()


def test_bad_n_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--split", "train", "--n", "0"])
    assert result.exit_code == 2
    assert "--n must be at least 1" in result.output and len(result.output.strip().splitlines()) == 1


def test_unwritable_output_exits_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["generate", "--out", str(blocker), "--split", "train", "--n", "5"])
    assert result.exit_code == 2 and result.output.startswith("error:")  # refused before anything is written


def test_help_lists_generate() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "generate" in result.output
