import json

from typer.testing import CliRunner

from specs.cli import app


def _app():
    return app  # the root CLI: it turns errors into one line


def _run(tmp_path, lines):
    src, out = tmp_path / "in.jsonl", tmp_path / "out" / "graded.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["grade", str(src), "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else None
    return result, rows, src


GOOD = [
    {"id": "a", "response": "<think>3*4</think><answer>12</answer>", "ground_truth": "12"},
    {"id": 7, "response": "The answer is (B).", "ground_truth": "60°", "choices": ["40°", "60°"]},
    {"id": "c", "response": "<think>x</think><answer>1.23</answer>", "ground_truth": 1.2,
     "answer_type": "float", "precision": 1.0},
    {"response": "<think>x</think><answer>13</answer>", "ground_truth": "12"},
]


def test_grades_every_line(tmp_path):
    result, rows, _ = _run(tmp_path, [json.dumps(r) for r in GOOD])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in rows] == ["a", 7, "c", None]
    assert [r["correct"] for r in rows] == [True, True, True, False]
    assert [r["format_ok"] for r in rows] == [True, False, True, True]
    assert rows[0]["extracted"] == "12" and rows[1]["extracted"] == "(B)"
    assert "accuracy 75.00%" in result.output


def test_bad_lines_are_reported_and_skipped(tmp_path):
    lines = [
        json.dumps(GOOD[0]),
        "{not json",
        json.dumps({"id": "x", "ground_truth": "1"}),
        json.dumps({"id": "y", "response": 5, "ground_truth": "1"}),
        json.dumps({"id": "z", "response": "1", "ground_truth": "1", "answer_type": "number"}),
        json.dumps({"id": "w", "response": "1", "ground_truth": True}),
        json.dumps({"id": "v", "response": "1", "ground_truth": "1", "choices": "A,B"}),
        "[1, 2]",
        "",
        json.dumps(GOOD[1]),
    ]
    result, rows, src = _run(tmp_path, lines)
    assert result.exit_code == 1
    assert [r["id"] for r in rows] == ["a", 7]
    err = result.stderr if hasattr(result, "stderr") else result.output
    assert f"{src}:2: invalid JSON" in err
    assert f"{src}:3: field 'response': missing" in err
    assert f"{src}:4: field 'response': expected str, got int" in err
    assert f"{src}:5: field 'answer_type': must be one of" in err
    assert f"{src}:6: field 'ground_truth': expected str or int or float or list, got bool" in err
    assert f"{src}:7: field 'choices': expected list, got str" in err
    assert f"{src}:8: expected a JSON object" in err
    assert ":9:" not in err  # blank lines are skipped silently


def test_output_is_written_atomically(tmp_path):
    out = tmp_path / "out" / "graded.jsonl"
    out.parent.mkdir()
    out.write_text("old\n")
    result, rows, _ = _run(tmp_path, [json.dumps(GOOD[0])])
    assert result.exit_code == 0 and len(rows) == 1
    assert [p.name for p in out.parent.iterdir()] == ["graded.jsonl"]  # no temp file left behind


def test_missing_input_file(tmp_path):
    result = CliRunner().invoke(_app(), ["grade", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert not (tmp_path / "o").exists()
