"""The rule of every ``--out``: specs never deletes or replaces what it did not write.

A property test over every command that takes ``--out`` (found from the command line itself, so a new command
cannot slip by): for random folders of the user's own files — named like a killed writer's leftovers too
(``.x.tmp``, ``.y.old``, ``.specs-pending``) — the command refuses with one line and every file is unchanged. A
folder specs wrote (it holds the mark) is accepted, and an atomic rewrite replaces only it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from specs.atomic import MARK, atomic_dir, sweep
from specs.cli import app
from test_cli_bad_inputs import Inputs, _files

# every command with --out → its arguments (the other ones valid), with the --out folder given
FOLDER = "is a folder of files specs did not write"
FILE = "is a folder; this command writes a file there"
COMMANDS: dict[str, tuple[Callable[[Inputs, Path], list[str]], str]] = {
    "tiny-model": (lambda i, o: ["tiny-model", "--out", str(o)], FOLDER),
    "toy-base": (lambda i, o: ["toy-base", "--out", str(o)], FOLDER),
    "run": (lambda i, o: ["run", "toy-fast", "--out", str(o), "--set", f"base_model={i.toy_base}"], FOLDER),
    "rehearse": (lambda i, o: ["rehearse", "toy-fast", "--out", str(o)], FOLDER),
    "grpo": (lambda i, o: ["grpo", "--model", str(i.tiny_vlm), "--data", str(i.good_data()), "--out", str(o)],
             FOLDER),
    "dpo": (lambda i, o: ["dpo", "--model", str(i.tiny_vlm), "--pairs", str(i.pairs("{}")), "--out", str(o)],
            FOLDER),
    "sft": (lambda i, o: ["sft", "--model", str(i.tiny_vlm), "--pairs", str(i.pairs("{}")), "--out", str(o)],
            FOLDER),
    "study": (lambda i, o: ["study", "--out", str(o)], FOLDER),
    "study-report": (lambda i, o: ["study-report", str(i.file("s/study.json", "{}")), "--out", str(o)], FOLDER),
    "benchmark convert": (lambda i, o: ["benchmark", "convert", "mathvista", str(i.good_data()), "--out", str(o)],
                          FOLDER),
    "benchmark training-data": (lambda i, o: ["benchmark", "training-data", str(i.good_data()), "--out", str(o)],
                                FOLDER),
    "toyworld generate": (lambda i, o: ["toyworld", "generate", "--split", "train", "--n", "2", "--out", str(o)],
                          FOLDER),
    "eval": (lambda i, o: ["eval", str(i.tiny_vlm), str(i.good_data()), "--out", str(o)], FILE),
    "distill": (lambda i, o: ["distill", "--base-model", str(i.tiny_vlm), "--data", str(i.good_data()), "--out",
                              str(o)], FILE),
    "rbf": (lambda i, o: ["rbf", str(i.tiny_vlm), str(i.good_data()), "--out", str(o)], FILE),
    "grade": (lambda i, o: ["grade", str(i.file("g.jsonl", "{}\n")), "--out", str(o)], FILE),
    "lmms-eval": (lambda i, o: ["lmms-eval", str(i.tiny_vlm), "--tasks", "mathvista", "--out", str(o)], FILE),
    "data combine": (lambda i, o: ["data", "combine", str(i.good_data()), "--out", str(o)], FILE),
    "benchmark breakdown": (lambda i, o: ["benchmark", "breakdown", str(i.good_data()), str(i.file("r.json", "{}")),
                                          "--benchmark", "mathvista", "--out", str(o)], FILE),
}
NAMES = ["notes.txt", ".notes.old", ".cache.old/x", "src/.draft.tmp", ".x.a1b2c3d4.tmp", ".specs-pending/y",
         "model.safetensors", "config.json", "run.log", ".lock", "data/train.jsonl", "images/a.png", "recipe.yaml"]


def _commands_with_out() -> set[str]:
    found: set[str] = set()

    def walk(command, prefix: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*prefix, name])
        elif any("--out" in param.opts for param in command.params):
            found.add(" ".join(prefix))

    walk(typer.main.get_command(app), [])
    return found


def test_every_command_with_out_is_covered() -> None:
    assert _commands_with_out() == set(COMMANDS)


def _foreign(rng: random.Random, root: Path) -> None:
    """A folder of the user's: a random handful of names, never our mark."""
    for name in rng.sample(NAMES, rng.randint(1, 5)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"the user's {name}")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_command_writes_over_a_folder_it_did_not_write(command: str, tmp_path: Path, tiny_vlm: Path,
                                                          toy_base: Path) -> None:
    argv, says = COMMANDS[command]
    rng = random.Random(command)
    for draw in range(3):  # three random folders of the user's per command
        inputs = Inputs(tmp_path / f"in{draw}", tiny_vlm, toy_base)
        inputs.root.mkdir()
        out = inputs.root / "mine"
        _foreign(rng, out)
        args = argv(inputs, out)
        before = _files(inputs.root)
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert says in result.output and "Traceback" not in result.output, result.output
        assert sum(line.startswith("error:") for line in result.output.splitlines()) == 1, result.output
        assert _files(inputs.root) == before


def test_a_folder_specs_wrote_is_replaced_and_a_sweep_spares_the_user(tmp_path: Path) -> None:
    rng = random.Random(0)
    for draw in range(20):
        root = tmp_path / f"r{draw}"
        _foreign(rng, root)
        before = _files(root)
        with atomic_dir(root / "ours") as folder:
            (folder / "w").write_text("first")
        with atomic_dir(root / "ours") as folder:  # ours: it holds the mark, so it may be replaced
            (folder / "w").write_text("second")
        assert (root / "ours" / "w").read_text() == "second" and (root / "ours" / MARK).is_file()
        sweep(root)
        after = _files(root)
        assert {k: v for k, v in after.items() if not k.startswith("ours/")} == before
