"""The bad-input corpus: every kind a hostile but fair user tries gets one clear line, never a traceback.

Each case builds its inputs in a fresh folder, runs the real command line, and checks: the exit code (or the
documented skip), exactly one ``error:`` line saying what it should, no traceback, no input changed, and no
output left behind (not even a temp file) beyond what the case documents.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from specs.cli import app

GOOD_ROW = {"id": "1", "question": "How many?", "answer": "3", "images": ["a.png"]}
RESPONSE = "<think>count</think><answer>3</answer>"


@dataclass
class Inputs:
    """Builders for a case's files, all under ``root``."""

    root: Path
    tiny_vlm: Path
    toy_base: Path

    def file(self, name: str, text: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
        return path

    def data(self, *lines: str, name: str = "d.jsonl") -> Path:
        Image.new("RGB", (8, 8)).save(self.root / "a.png")
        return self.file(name, "".join(line + "\n" for line in lines))

    def good_data(self, name: str = "d.jsonl") -> Path:
        return self.data(json.dumps(GOOD_ROW), name=name)

    def model(self, name: str = "model", base: Path | None = None) -> Path:
        return Path(shutil.copytree(base or self.tiny_vlm, self.root / name))

    def text_model(self) -> Path:
        from specs.models.tiny import build_tiny_model

        return build_tiny_model(self.root / "text-model", "qwen2")

    def pairs(self, *lines: str) -> Path:
        return self.file("pairs.jsonl", "".join(line + "\n" for line in lines))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A valid 1-bit PNG header claiming ``width × height`` pixels (a few bytes on disk)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def truncated(i: Inputs) -> Path:
    model = i.model()
    weights = model / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    return model


def config_list(i: Inputs) -> Path:
    model = i.model()
    (model / "config.json").write_text("[]")
    return model


def no_weights(i: Inputs) -> Path:
    model = i.model()
    (model / "model.safetensors").unlink()
    return model


def run_folder(i: Inputs) -> Path:
    """A run folder as a first ``specs run`` leaves it (recipe.yaml and manifest), without running a stage."""
    from specs.recipe.runner import Run
    from specs.recipe.schema import load_recipe

    Run(load_recipe("toy-fast", [f"base_model={i.toy_base}"]), i.root / "run").claim([])
    (i.root / "run" / "manifest.json").write_text(json.dumps({"stages": {}}))
    return i.root / "run"


def mathvista(i: Inputs, second: dict) -> Path:
    """A MathVista JSON file whose first row is good (with an image) and whose second is ``second``."""
    Image.new("RGB", (8, 8)).save(i.root / "img.png")
    rows = {"1": {"pid": "1", "question": "How many?", "answer": "3", "image": "img.png"}, "2": second}
    return i.file("mv.json", json.dumps(rows))


def locked(root: Path) -> None:
    """Hold ``root``'s run lock as a live process would (this test's own pid, on this host)."""
    import os
    import socket

    from specs.recipe.lock import LOCK

    (root / LOCK).write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))


def into_model(i: Inputs, sub: str) -> list[str]:
    model = i.model(base=i.toy_base)
    return run_args(i, f"base_model={model}", out=str(model / sub))


def run_args(i: Inputs, *sets: str, recipe: str = "toy-fast", out: str = "run") -> list[str]:
    return ["run", recipe, "--out", str(i.root / out), "--set", f"base_model={i.toy_base}",
            *[arg for s in sets for arg in ("--set", s)]]


@dataclass
class Case:
    kind: str
    argv: Callable[[Inputs], list[str]]
    says: str  # a piece of the one error line
    code: int = 1
    writes: tuple[str, ...] = ()  # outputs the case may write (the documented skip of bad grade lines)
    lines: int = 1  # error lines expected (grade reports each skipped line)


def _d(*lines: str) -> Callable[[Inputs], list[str]]:
    return lambda i: ["data", "check", str(i.data(*lines))]


def _grpo(model: Callable[[Inputs], Path], *sets: str) -> Callable[[Inputs], list[str]]:
    return lambda i: ["grpo", "--model", str(model(i)), "--data", str(i.good_data()), "--out", str(i.root / "out"),
                      *[arg for s in sets for arg in ("--set", s)]]


def _eval(model: Callable[[Inputs], Path], *extra: str) -> Callable[[Inputs], list[str]]:
    return lambda i: ["eval", str(model(i)), str(i.good_data()), "--out", str(i.root / "r.json"), *extra]


ROW = json.dumps(GOOD_ROW)[:-1]  # a good row to finish with a bad field: ROW + ', "x": 1}'
CASES = [
    # data check
    Case("data: missing file", lambda i: ["data", "check", str(i.root / "nope.jsonl")], "cannot open"),
    Case("data: a folder for the file", lambda i: ["data", "check", str(i.root)], "is a folder"),
    Case("data: not UTF-8", lambda i: ["data", "check", str(i.file("d.jsonl", b'{"id": "\xff"}\n'))], "not UTF-8"),
    Case("data: invalid JSON", _d('{"id": 1,'), ":1: invalid JSON"),
    Case("data: NaN", _d(ROW + ', "meta": {"x": NaN}}'), ":1: invalid JSON: NaN is not a JSON number"),
    Case("data: Infinity", _d(ROW + ', "meta": {"x": -Infinity}}'), "-Infinity is not a JSON number"),
    Case("data: 1e400", _d(ROW + ', "meta": {"x": 1e400}}'), "1e400 is too large"),
    Case("data: 100k-deep nesting", _d("[" * 100_000 + "]" * 100_000), "nested too deeply"),
    Case("data: a lone surrogate", _d(ROW + ', "meta": {"x": "\\ud800"}}'), "lone UTF-16 surrogate"),
    Case("data: a 5000-digit integer", _d('{"id": 1' + "0" * 5000 + ', "question": "q", "answer": "3"}'),
         "a number of more than 4300 digits"),
    Case("data: unknown format", _d(ROW + ', "meta": {"format": "xml"}}'), "field 'meta.format': must be one of"),
    Case("data: a list, not an object", _d("[1, 2]"), "expected a JSON object, got list"),
    Case("data: missing field", _d('{"id": "1", "answer": "3"}'), "field 'question': missing"),
    Case("data: wrong field type", _d('{"id": "1", "question": "q", "answer": "3", "images": "a.png"}'),
         "field 'images'"),
    Case("data: unknown field", _d(ROW + ', "answr": "3"}'), "field 'answr': unknown field"),
    Case("data: image not found", _d('{"id": "1", "question": "q", "answer": "3", "images": ["b.png"]}'),
         "image not found: b.png"),
    Case("data: not an image", lambda i: ["data", "check", str(i.file("b.png", "text") and i.data(
        '{"id": "1", "question": "q", "answer": "3", "images": ["b.png"]}'))], "image b.png is unreadable"),
    Case("data: decompression bomb", lambda i: ["data", "check", str(i.file("b.png", bomb_png()) and i.data(
        '{"id": "1", "question": "q", "answer": "3", "images": ["b.png"]}'))], "too large to decode safely"),
    Case("data: duplicate id", _d(ROW + "}", ROW + "}"), "duplicate id '1'"),
    Case("data: empty file", _d(), "no records"),
    # grade (a bad line is reported and skipped; the good lines are graded and written)
    Case("grade: --out is the input", lambda i: ["grade", str(p := i.file("g.jsonl", "{}\n")), "--out", str(p)],
         "is IN, an input of this command", code=2),
    Case("grade: NaN precision is skipped", lambda i: ["grade", str(i.file("g.jsonl", json.dumps(
        {"response": RESPONSE, "ground_truth": "3"}) + '\n{"response": "a", "ground_truth": "1", "precision": NaN}\n')),
        "--out", str(i.root / "o.jsonl")], "g.jsonl:2: invalid JSON: NaN", writes=("o.jsonl",), lines=0),
    Case("grade: missing response is skipped", lambda i: ["grade", str(i.file("g.jsonl", '{"ground_truth": "1"}\n')),
         "--out", str(i.root / "o.jsonl")], "g.jsonl:1: field 'response': missing", writes=("o.jsonl",), lines=0),
    Case("grade: huge precision is skipped", lambda i: ["grade", str(i.file("g.jsonl", json.dumps(
        {"response": RESPONSE, "ground_truth": "3", "precision": 1e300}) + "\n")), "--out", str(i.root / "o.jsonl")],
        "g.jsonl:1: precision must be a whole number of decimal places", writes=("o.jsonl",), lines=0),
    Case("grade: --out under a file", lambda i: ["grade", str(i.file("g.jsonl", "{}\n")), "--out",
         str(i.file("f.txt", "x") / "o.jsonl")], "f.txt is a file, so nothing can be written under it", code=2),
    Case("grade: not UTF-8", lambda i: ["grade", str(i.file("g.jsonl", b"\xff\n")), "--out", str(i.root / "o.jsonl")],
         "not UTF-8"),
    # eval and model folders
    Case("eval: --out is the data", lambda i: ["eval", str(i.tiny_vlm), str(p := i.good_data()), "--out", str(p)],
         "is DATA, an input of this command", code=2),
    Case("eval: no model folder", _eval(lambda i: i.root / "nope"), "model folder not found"),
    Case("eval: config.json holds []", _eval(config_list), "field 'model_type': missing"),
    Case("eval: truncated weights", _eval(truncated), "model.safetensors: truncated"),
    Case("eval: no weights", _eval(no_weights), "no weights"),
    Case("eval: a text-only model", _eval(lambda i: i.text_model()), "a text-only model"),
    Case("eval: a file for the model", _eval(lambda i: i.good_data("m.jsonl")), "model folder not found"),
    Case("eval: --k above --samples", _eval(lambda i: i.tiny_vlm, "--k", "4"), "--k 4 needs", code=2),
    Case("eval: bad --extract", _eval(lambda i: i.tiny_vlm, "--extract", "llm"), "--extract 'llm'", code=2),
    Case("eval: --k 0", _eval(lambda i: i.tiny_vlm, "--k", "0"), "--k 0: pass@k needs k >= 1", code=2),
    Case("eval: --data is where the benchmark copy goes", lambda i: ["eval", str(i.tiny_vlm), "--benchmark",
         "mathvista", "--data", str(i.file("r-mathvista-data/x.json", "[]").parent), "--out", str(i.root / "r.json")],
         "is where this --out's converted copy goes", code=2),
    Case("eval: --benchmark without --data", lambda i: ["eval", str(i.tiny_vlm), "--benchmark", "mathvista",
         "--out", str(i.root / "r.json")], "--benchmark needs --data", code=2),
    # training stages
    Case("grpo: --out is the model", lambda i: ["grpo", "--model", str(m := i.model()), "--data", str(i.good_data()),
         "--out", str(m)], "is --model, an input of this command", code=2),
    Case("grpo: unknown knob", _grpo(lambda i: i.tiny_vlm, "learning_rat=1"), "learning_rat", code=2),
    Case("grpo: wrong knob type", _grpo(lambda i: i.tiny_vlm, "max_steps=many"), "max_steps", code=2),
    Case("grpo: infinite learning rate", _grpo(lambda i: i.tiny_vlm, "learning_rate=.inf"), "learning_rate",
         code=2),
    Case("grpo: bad lr_scheduler", _grpo(lambda i: i.tiny_vlm, "lr_scheduler=nope"),
         "GRPOConfig: nope is not a valid SchedulerType", code=2),
    Case("grpo: trl value of the wrong type", _grpo(lambda i: i.tiny_vlm, "trl.num_iterations=abc"),
         "trl.num_iterations", code=2),
    Case("grpo: unknown trl field", _grpo(lambda i: i.tiny_vlm, "trl.no_such_field=1"), "has no such field", code=2),
    Case("grpo: truncated weights", _grpo(truncated, "max_steps=1"), "model.safetensors: truncated"),
    Case("dpo: bad pairs line", lambda i: ["dpo", "--model", str(i.tiny_vlm), "--pairs", str(i.pairs('{"id": 1}')),
         "--out", str(i.root / "out")], "pairs.jsonl:1"),
    Case("sft: missing pairs file", lambda i: ["sft", "--model", str(i.tiny_vlm), "--pairs", str(i.root / "p.jsonl"),
         "--out", str(i.root / "out")], "cannot open"),
    # benchmark convert
    Case("convert: unknown benchmark", lambda i: ["benchmark", "convert", "mathvistaa", str(i.good_data()), "--out",
         str(i.root / "b")], "unknown benchmark 'mathvistaa'"),
    Case("convert: --out inside the input", lambda i: ["benchmark", "convert", "mathvista", str(i.root / "src"),
         "--out", str(i.file("src/x.json", "[]").parent / "b")], "inside PATH", code=2),
    Case("convert: missing answer column", lambda i: ["benchmark", "convert", "mathvista", str(i.file(
        "mv.jsonl", json.dumps({"pid": "1", "question": "q", "image": "a.png"}) + "\n")), "--out", str(i.root / "b")],
        "missing column"),
    Case("convert: a bad later row leaves no images", lambda i: ["benchmark", "convert", "mathvista", str(mathvista(
        i, {"pid": "2", "question": "q", "answer": "3", "image": "missing.png"})), "--out", str(i.root / "b")],
        "image not found: missing.png"),
    Case("convert: image bytes as base64 text", lambda i: ["benchmark", "convert", "mathvista", str(mathvista(
        i, {"pid": "2", "question": "q", "answer": "3", "image": {"bytes": "iVBORw0KGgo="}})), "--out",
        str(i.root / "b")], "image bytes must be binary"),
    Case("breakdown: --out is the data", lambda i: ["benchmark", "breakdown", str(d := i.good_data()), str(i.file(
        "r.json", "{}")), "--benchmark", "mathvista", "--out", str(d)], "is DATA, an input", code=2),
    Case("training-data: --out is the input folder", lambda i: ["benchmark", "training-data", str(
        i.good_data("t/train.jsonl").parent), "--out", str(i.root / "t")], "is PATH, an input", code=2),
    # other commands
    Case("rbf: --out is the data", lambda i: ["rbf", str(i.tiny_vlm), str(d := i.good_data()), "--out", str(d)],
         "is DATA, an input", code=2),
    Case("tiny-model: --out is a file", lambda i: ["tiny-model", "--out", str(i.file("m.txt", "keep"))],
         "is a file; this command writes a folder", code=2),
    Case("study-report: study.json holds []", lambda i: ["study-report", str(i.file("study.json", "[]")), "--out",
         str(i.root / "rep")], "not a study.json"),
    Case("study-report: study.json is not JSON", lambda i: ["study-report", str(i.file("study.json", "{garbage")),
         "--out", str(i.root / "rep")], "study.json: invalid JSON"),
    Case("combine: --holdout-out under a file", lambda i: ["data", "combine", str(i.good_data()), "--out",
         str(i.root / "t.jsonl"), "--holdout", "1", "--holdout-out", str(i.file("n.txt", "x") / "h.jsonl")],
         "n.txt is a file", code=2),
    # specs run: recipe, --set, run folders, pre-flight
    Case("run: --set a=1 --set a.b=2", lambda i: run_args(i, "name=1", "name.b=2"),
         "--set 'name.b=2': name is already set", code=2),
    Case("run: --set without =", lambda i: run_args(i, "seed"), "--set 'seed': expected key=value", code=2),
    Case("run: --set unknown key", lambda i: run_args(i, "grpo_zero.learning_rat=1"),
         "--set: key 'grpo_zero.learning_rat'", code=2),
    Case("run: non-UTF-8 recipe", lambda i: run_args(i, recipe=str(i.file("r.yaml", b"name: \xff\n"))),
         "r.yaml: cannot read", code=2),
    Case("run: recipe is a list", lambda i: run_args(i, recipe=str(i.file("r.yaml", "- a\n"))),
         "expected a mapping", code=2),
    Case("run: --out is a file", lambda i: run_args(i, out=i.file("f.txt", "x").name), "is a file", code=2),
    Case("run: corrupt manifest", lambda i: (run_folder(i) / "manifest.json").write_text("{no") and run_args(i),
         "manifest.json: unreadable", code=2),
    Case("run: corrupt recipe.yaml in the folder", lambda i: (run_folder(i) / "recipe.yaml").write_text(": [") and
         run_args(i), "recipe.yaml: unreadable", code=2),
    Case("run: recipe.yaml in the folder holds a list", lambda i: (run_folder(i) / "recipe.yaml").write_text("- a\n")
         and run_args(i), "recipe.yaml: unreadable (not a mapping of recipe keys)", code=2),
    Case("pre-flight: bad lr_scheduler in the last stage", lambda i: run_args(i, "final_grpo.lr_scheduler=nope"),
         "final_grpo: GRPOConfig: nope is not a valid", code=2),
    Case("pre-flight: trl value of the wrong type", lambda i: run_args(i, "cold_start.dpo.trl.beta=abc"),
         "cold_start.dpo: trl.beta: Input should be a valid number", code=2),
    Case("pre-flight: gf_select=best with LoRA", lambda i: run_args(
        i, "cold_start.dpo.gf_every=1", "cold_start.dpo.gf_select=best", "cold_start.dpo.lora_rank=4"),
        "gf_select=best needs full fine-tuning", code=2),
    Case("pre-flight: a text-only base model", lambda i: run_args(i, f"base_model={i.text_model()}"),
         "a text-only model"),
    Case("pre-flight: truncated base weights", lambda i: run_args(i, f"base_model={truncated(i)}"), "truncated"),
    Case("pre-flight: a bad line in the train set", lambda i: run_args(i, f"data.train={i.data('{}')}"),
         "d.jsonl:1: field"),
    Case("pre-flight: num_generations does not divide the batch", lambda i: run_args(i, "final_grpo.num_generations=3"),
         "final_grpo: GRPOConfig:", code=2),
    Case("pre-flight: trl.output_dir", lambda i: run_args(i, "grpo_zero.trl.output_dir=/tmp/x"),
         "trl.output_dir: set by specs", code=2),
    Case("run: --out is the base model", lambda i: into_model(i, ""), "is base_model or inside it", code=2),
    Case("run: --out inside the base model", lambda i: into_model(i, "r"), "is base_model or inside it", code=2),
    Case("run: a folder another run holds", lambda i: (locked(run_folder(i)), run_args(i))[1],
         "in use by process", code=2),
    Case("run: a judge use without a judge", lambda i: run_args(i, "eval.extract=judge"), "needs a judge", code=2),
]


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input_gets_one_clear_line(case: Case, tmp_path: Path, tiny_vlm: Path, toy_base: Path) -> None:
    inputs = Inputs(tmp_path / "in", tiny_vlm, toy_base)
    inputs.root.mkdir()
    argv = case.argv(inputs)
    before = _files(inputs.root)
    result = CliRunner().invoke(app, argv)
    output = result.output
    assert result.exit_code == case.code, output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert case.says in output, output
    assert sum(line.startswith("error:") for line in output.splitlines()) == case.lines, output
    after = _files(inputs.root)
    assert {k: v for k, v in after.items() if k in before} == before, "an input changed"
    new = set(after) - set(before) - set(case.writes) - {"run/run.log"}
    assert not new, f"left behind: {sorted(new)}"


def test_the_corpus_covers_forty_kinds() -> None:
    assert len({c.kind for c in CASES}) == len(CASES) >= 40


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECS_DEBUG", "0")  # restored afterwards: --debug sets it for the process
    result = CliRunner().invoke(app, ["--debug", "data", "check", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and type(result.exception).__name__ == "DataError"
