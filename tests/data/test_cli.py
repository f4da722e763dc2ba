import json

from PIL import Image
from typer.testing import CliRunner

from specs.cli import app


def test_check_prints_counts(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    rows = [{"id": i, "question": "q", "answer": "1", "images": ["a.png"], "meta": {"family": "f"}} for i in range(3)]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(app, ["data", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 records, 3 images" in result.output and "f=3" in result.output


def test_check_reports_one_clear_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": 1}\n')
    result = CliRunner().invoke(app, ["data", "check", str(path)])
    assert result.exit_code == 1
    assert f"error: {path}:1: field 'question': missing" in result.output
    assert "Traceback" not in result.output
