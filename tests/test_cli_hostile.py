"""The second corpus: what a careful or a hostile user tries — other people's folders as ``--out``, pickles,
forged values, odd images, alias bombs, the same file twice — each gets one clear line, never a traceback.

Run as the first corpus runs (``test_cli_bad_inputs``): in-process, each case in a fresh folder, checking the
exit code, exactly one ``error:`` line saying what it should, no traceback, no control character reaching the
terminal, no input changed and nothing left behind. Machine faults (a full disk, a read-only file system,
permission denied) are made for real in ``test_machine_faults.py``.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from specs.cli import app
from test_cli_bad_inputs import ROW, Case, Inputs, _d, _eval, _files, _grpo, mathvista, run_args

FOREIGN = {".notes.old": "mine", "src/.draft.tmp": "mine", ".cache.old/x": "mine", "paper.tex": "mine"}
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def foreign(i: Inputs, name: str = "mine") -> Path:
    """A folder of the user's own files, named like a killed writer's leftovers too."""
    for rel, text in FOREIGN.items():
        i.file(f"{name}/{rel}", text)
    return i.root / name


def pickled(i: Inputs, base: Path | None = None) -> Path:
    """A model folder whose weights are a pickle (pytorch_model.bin), the safetensors gone."""
    model = i.model(base=base)
    (model / "model.safetensors").unlink()
    (model / "pytorch_model.bin").write_bytes(b"\x80\x04cos\nsystem\n(S'touch /tmp/pwned'\ntR.")
    return model


def image(i: Inputs, name: str, size: tuple[int, int] = (8, 8), fmt: str = "PNG", cut: int = 0,
          exif: int | None = None, mode: str = "RGB") -> str:
    """An image file (``cut`` bytes short when asked); the data row naming it."""
    buffer = io.BytesIO()
    img = Image.new(mode, size)
    if exif is not None:
        info = img.getexif()
        info[0x0112] = exif
        img.save(buffer, format=fmt, exif=info.tobytes())
    else:
        img.save(buffer, format=fmt)
    data = buffer.getvalue()
    i.file(name, data[: len(data) - cut] if cut else data)
    return json.dumps({"id": "1", "question": "q", "answer": "3", "images": [name]})


def row(**fields: str) -> str:
    """The good data row with ``fields`` changed."""
    return json.dumps({**json.loads(ROW + "}"), **fields})


def _img(*args, **kwargs):
    return lambda i: ["data", "check", str(i.data(image(i, *args, **kwargs)))]


def convert(i: Inputs, second: dict) -> list[str]:
    return ["benchmark", "convert", "mathvista", str(mathvista(i, second)), "--out", str(i.root / "b")]


def recipe(i: Inputs, text: str) -> list[str]:
    return run_args(i, recipe=str(i.file("r.yaml", text)))


def combine(*names: str, link: bool = False, copy: bool = False):
    def argv(i: Inputs) -> list[str]:
        first = i.good_data("d.jsonl")
        paths = [first]
        if link:
            os.symlink(first, i.root / "link.jsonl")
            paths.append(i.root / "link.jsonl")
        if copy:
            paths.append(i.file("copy.jsonl", first.read_text()))
        paths += [i.root / n for n in names]
        return ["data", "combine", *map(str, paths), "--out", str(i.root / "t.jsonl")]
    return argv


def forged_run(i: Inputs, recipe_text: str) -> list[str]:
    from test_cli_bad_inputs import run_folder

    (run_folder(i) / "recipe.yaml").write_text(recipe_text)
    return run_args(i)


ESC = "\x1b]0;pwned\x07\x1b[2J"
CASES = [
    # 1. never delete or replace what we did not write: an --out folder of the user's files
    *[Case(f"--out foreign: {name}", argv, "is a folder of files specs did not write", code=2) for name, argv in [
        ("tiny-model", lambda i: ["tiny-model", "--out", str(foreign(i))]),
        ("toy-base", lambda i: ["toy-base", "--out", str(foreign(i))]),
        ("run", lambda i: run_args(i, out=foreign(i).name)),
        ("run, hidden files only", lambda i: run_args(i, out=(i.file("h/.cache.old/x", "mine").parents[1]).name)),
        ("rehearse", lambda i: ["rehearse", "toy-fast", "--out", str(foreign(i))]),
        ("grpo", lambda i: ["grpo", "--model", str(i.tiny_vlm), "--data", str(i.good_data()), "--out",
                            str(foreign(i))]),
        ("dpo", lambda i: ["dpo", "--model", str(i.tiny_vlm), "--pairs", str(i.pairs("{}")), "--out",
                           str(foreign(i))]),
        ("sft", lambda i: ["sft", "--model", str(i.tiny_vlm), "--pairs", str(i.pairs("{}")), "--out",
                           str(foreign(i))]),
        ("toyworld generate", lambda i: ["toyworld", "generate", "--split", "train", "--n", "2", "--out",
                                         str(foreign(i))]),
        ("benchmark convert", lambda i: ["benchmark", "convert", "mathvista", str(i.good_data()), "--out",
                                         str(foreign(i))]),
        ("benchmark training-data", lambda i: ["benchmark", "training-data", str(i.good_data()), "--out",
                                               str(foreign(i))]),
        ("study", lambda i: ["study", "--out", str(foreign(i))]),
        ("study-report", lambda i: ["study-report", str(i.file("s/study.json", "{}")), "--out", str(foreign(i))]),
        ("a forged mark that is a folder", lambda i: ["tiny-model", "--out", str(
            i.file("f/.specs-output/x", "mine").parents[1])]),
    ]],
    # 2. nothing unpickled from user files
    Case("eval: pickled weights", _eval(pickled), "pickled weights are not loaded"),
    Case("grpo: pickled weights", _grpo(pickled, "max_steps=1"), "pickled weights are not loaded"),
    Case("rbf: pickled weights", lambda i: ["rbf", str(pickled(i)), str(i.good_data())],
         "pickled weights are not loaded"),
    Case("pre-flight: pickled base weights", lambda i: run_args(i, f"base_model={pickled(i, i.toy_base)}"),
         "pickled weights are not loaded"),
    Case("eval: pickled weights beside an index", lambda i: ["eval", str(m := pickled(i)), str(i.good_data()),
         "--out", str((m / "model.safetensors.index.json").write_text("{}") and i.root / "r.json")],
         "field 'weight_map'"),
    # 3. every value from a file is data: control characters shown, never acted on
    Case("data: a newline in a field name", _d(ROW + ', "x\\nerror: forged": 1}'), "field 'x\\nerror: forged'"),
    Case("data: terminal escapes in an image path", _d(json.dumps(
        {"id": "1", "question": "q", "answer": "3", "images": [f"a{ESC}.png"]})), "image not found: a\\x1b]0;"),
    Case("data: a line separator in a field name", _d(ROW + ', "x\\u2028y": 1}'), "field 'x\\u2028y'"),
    Case("data: a carriage return in a duplicate id", _d(*[json.dumps({**json.loads(ROW + "}"), "id": "1\r2"})] * 2),
         "duplicate id '1\\r2'"),
    Case("data: a NUL in a field name", _d(ROW + ', "x\\u0000": 1}'), "field 'x\\x00'"),
    Case("data: a bell and backspaces in a field name", _d(ROW + ', "ok\\u0008\\u0008\\u0007": 1}'),
         "field 'ok\\x08\\x08\\x07'"),
    Case("data: C1 control (CSI) in a field name", _d(ROW + ', "\\u009b2J": 1}'), "field '\\x9b2J'"),
    Case("eval: a newline in the model path", lambda i: ["eval", str(i.root / "m\nerror: forged"),
         str(i.good_data()), "--out", str(i.root / "r.json")], "m\\nerror: forged: model folder not found"),
    Case("run: escapes in a --set key", lambda i: run_args(i, f"grpo_zero.x{ESC}=1"), "grpo_zero.x\\x1b]0;", code=2),
    Case("data: a newline in a format value", _d(ROW + ', "meta": {"format": "x\\nerror: forged"}}'),
         "field 'meta.format'"),
    # 5. bounded inputs
    Case("run: a YAML alias bomb as the recipe", lambda i: recipe(i, ALIAS_BOMB),
         "aliases expand to more than 10000 values", code=2),
    Case("run: a recursive YAML alias", lambda i: recipe(i, "name: &a [*a]\n"), "r.yaml", code=2),
    Case("run: an alias bomb in the run folder's recipe.yaml", lambda i: forged_run(i, ALIAS_BOMB),
         "recipe.yaml: unreadable", code=2),
    Case("run: an alias bomb in a --set value", lambda i: run_args(i, "name=" + ALIAS_BOMB.replace("\n", ", ")
         .join("{}")), "aliases expand", code=2),
    Case("run: 3000-deep nesting in a --set value", lambda i: run_args(i, "name=" + "[" * 3000), "nested too deeply",
         code=2),
    Case("grpo: an alias bomb as --config", lambda i: _grpo(lambda j: j.tiny_vlm)(i) + ["--config", str(
        i.file("c.yaml", ALIAS_BOMB))], "aliases expand", code=2),
    # 6. one image loader: what a stage would fail on, data check refuses
    Case("data: a truncated PNG", _img("b.png", (64, 64), cut=20), "image b.png is unreadable"),
    Case("data: a truncated JPEG", _img("b.jpg", (64, 64), fmt="JPEG", cut=200), "image b.jpg is unreadable"),
    Case("data: a 10000x10 strip", _img("b.png", (10000, 10)), "beyond the processor's aspect-ratio limit"),
    Case("data: a 1x300 strip", _img("b.png", (1, 300)), "beyond the processor's aspect-ratio limit"),
    Case("data: a strip made tall by its EXIF orientation", _img("b.jpg", (3000, 10), fmt="JPEG", exif=6),
         "is 10×3000"),
    Case("data: a folder named like an image", lambda i: ["data", "check", str(i.data(json.dumps(
        {"id": "1", "question": "q", "answer": "3", "images": [i.file("b.png/x", "x").parent.name]})))],
        "image not found: b.png"),
    Case("data: an empty image file", lambda i: ["data", "check", str(i.file("b.png", b"") and i.data(
        '{"id": "1", "question": "q", "answer": "3", "images": ["b.png"]}'))], "image b.png is unreadable"),
    Case("pre-flight: a 10000x10 image in the train set", lambda i: run_args(
        i, f"data.train={i.data(image(i, 'b.png', (10000, 10)))}"), "aspect-ratio limit"),
    Case("pre-flight: a truncated image in the train set", lambda i: run_args(
        i, f"data.train={i.data(image(i, 'b.png', (64, 64), cut=20))}"), "image b.png is unreadable"),
    Case("pre-flight: teacher samples answering no training prompt", lambda i: run_args(
        i, f"data.train={i.good_data()}", "cold_start.method=dpo", "distill.chosen_source=teacher",
        f"distill.teacher_samples={i.file('t.jsonl', json.dumps({'id': 'other', 'text': 'x'}) + chr(10))}"),
        "t.jsonl: field 'id': no response for any of the 1 prompts"),
    Case("pre-flight: a test record that is also a training record", lambda i: run_args(
        i, f"data.train={i.good_data()}", f"data.id_test={i.data(row(id='x'), name='t.jsonl')}"),
        "record 'x' is also in the training set (as '1'"),
    Case("pre-flight: a 1 MB question", lambda i: run_args(
        i, f"data.train={i.data(row(question='how many? ' * 100_000))}"), "the base model's context"),
    # 7. silent wrong data
    Case("convert: a list answer", lambda i: convert(i, {"pid": "2", "question": "q", "answer": ["3", "4"],
         "image": "img.png"}), "field 'answer': a list, not text or a number"),
    Case("convert: an object answer", lambda i: convert(i, {"pid": "2", "question": "q", "answer": {"v": 3},
         "image": "img.png"}), "field 'answer': an object"),
    Case("convert: a list question", lambda i: convert(i, {"pid": "2", "question": ["q"], "answer": "3",
         "image": "img.png"}), "field 'question': a list"),
    Case("convert: a list unit", lambda i: convert(i, {"pid": "2", "question": "q", "answer": "3", "unit": ["cm"],
         "image": "img.png"}), "field 'unit': a list"),
    Case("combine: the same file twice", lambda i: ["data", "combine", str(d := i.good_data()), str(d), "--out",
         str(i.root / "t.jsonl")], "is given twice", code=2),
    Case("combine: the same file through a link", combine(link=True), "is given twice", code=2),
    Case("combine: a copy of a file", combine(copy=True), "the same question, answer and images as"),
    Case("combine: the same file by another path", lambda i: ["data", "combine", str(d := i.good_data()),
         str(d.parent / "." / d.name), "--out", str(i.root / "t.jsonl")], "is given twice", code=2),
    # file outputs: a folder is never overwritten by a file
    *[Case(f"--out folder for a file: {name}", argv, "is a folder; this command writes a file there", code=2)
      for name, argv in [
          ("eval", lambda i: ["eval", str(i.tiny_vlm), str(i.good_data()), "--out", str(foreign(i))]),
          ("grade", lambda i: ["grade", str(i.file("g.jsonl", "{}\n")), "--out", str(foreign(i))]),
          ("rbf", lambda i: ["rbf", str(i.tiny_vlm), str(i.good_data()), "--out", str(foreign(i))]),
          ("distill", lambda i: ["distill", "--base-model", str(i.tiny_vlm), "--data", str(i.good_data()),
                                 "--out", str(foreign(i))]),
          ("data combine", lambda i: ["data", "combine", str(i.good_data()), "--out", str(foreign(i))]),
          ("benchmark breakdown", lambda i: ["benchmark", "breakdown", str(i.good_data()), str(i.file(
              "r.json", "{}")), "--benchmark", "mathvista", "--out", str(foreign(i))]),
      ]],
]


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_hostile_input_gets_one_clear_line(case: Case, tmp_path: Path, tiny_vlm: Path, toy_base: Path) -> None:
    inputs = Inputs(tmp_path / "in", tiny_vlm, toy_base)
    inputs.root.mkdir()
    argv = case.argv(inputs)
    before = _files(inputs.root)
    result = CliRunner().invoke(app, argv)
    output = result.output
    assert result.exit_code == case.code, output
    assert "Traceback" not in output and "a bug in specs" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert case.says in output, output
    assert sum(line.startswith("error:") for line in output.splitlines()) == case.lines, output
    assert not any(ch in output for ch in "\x1b\x07\x00\x9b\r\u2028"), repr(output)
    after = _files(inputs.root)
    assert {k: v for k, v in after.items() if k in before} == before, "an input changed"
    new = set(after) - set(before) - set(case.writes) - {"run/run.log"}
    assert not new, f"left behind: {sorted(new)}"
    assert not Path("/tmp/pwned").exists()


def test_the_second_corpus_covers_sixty_kinds() -> None:
    from test_cli_bad_inputs import CASES as FIRST

    assert len({c.kind for c in CASES}) == len(CASES) >= 60
    assert not {c.kind for c in CASES} & {c.kind for c in FIRST}
