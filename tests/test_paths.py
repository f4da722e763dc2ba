"""Inputs are never outputs: each command refuses an --out that is (or holds, or sits inside) one of its inputs,
with one line, before writing anything — and the input is left as it was."""

import pytest
from typer.testing import CliRunner

from specs.cli import app


@pytest.fixture
def files(tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text('{"id": "a", "question": "q", "answer": "1", "images": []}\n')
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    return data, model


@pytest.mark.parametrize("args, message", [
    (["eval", "{model}", "{data}", "--out", "{data}"], "--out {data} is DATA, an input of this command"),
    (["grade", "{data}", "--out", "{data}"], "--out {data} is IN, an input of this command"),
    (["grpo", "--model", "{model}", "--data", "{data}", "--out", "{model}"], "--out {model} is --model"),
    (["grpo", "--model", "{model}", "--data", "{data}", "--out", "{model}/sub"], "is inside --model"),
    (["dpo", "--model", "{model}", "--pairs", "{data}", "--out", "{tmp}"], "would replace a folder holding --model"),
    (["distill", "--chosen-model", "{model}", "--base-model", "{model}", "--data", "{data}", "--out", "{data}"],
     "is --data"),
    (["data", "combine", "{data}", "--out", "{data}"], "is input 1"),
    (["eval", "{model}", "{data}", "--out", "{model}"], "is MODEL"),
    (["grpo", "--model", "{model}", "--data", "{data}", "--out", "{tmp}/a.json"], None),  # a file where a folder goes
])
def test_an_input_is_never_an_output(files, tmp_path, args, message):
    data, model = files
    if message is None:
        (tmp_path / "a.json").write_text("{}")
        message = f"--out {tmp_path}/a.json is a file; this command writes a folder there"
    fill = {"data": data, "model": model, "tmp": tmp_path}
    before = data.read_text(), sorted(p.name for p in model.iterdir())
    result = CliRunner().invoke(app, [a.format(**fill) for a in args])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message.format(**fill) in lines[0], result.output
    assert (data.read_text(), sorted(p.name for p in model.iterdir())) == before
