"""Every answer is recomputed here from ``meta.scene`` and the question text alone (an independent oracle)."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from toyworld_helpers import read_rows

from specs.toyworld.questions import FAMILIES, describe, sample_item

COLOURS = ["red", "green", "blue", "yellow"]
SINGULAR = {"squares": "square", "circles": "circle", "triangles": "triangle"}
LETTERS = "ABCD"


def tally(scene: list[dict], shape: str | None = None, colour: str | None = None) -> int:
    return sum((shape is None or o["shape"] == shape) and (colour is None or o["colour"] == colour) for o in scene)


def oracle(family: str, query: str, scene: list[dict]) -> tuple[str, list[str] | None]:
    """(gold answer, choices) derived from the words of the question and the objects of the scene."""
    first, _, rest = query.partition("\n")
    choices = re.findall(r"\([A-D]\) (\S+)", rest) or None
    n = len(scene)
    if m := re.fullmatch(r"How many objects are there\?", first):
        value = n
    elif m := re.fullmatch(r"How many (red|green|blue|yellow) objects are there\?", first):
        value = tally(scene, colour=m[1])
    elif m := re.fullmatch(r"How many (squares|circles|triangles) are there\?", first):
        value = tally(scene, shape=SINGULAR[m[1]])
    elif m := re.fullmatch(r"How many (red|green|blue|yellow) (squares|circles|triangles) are there\?", first):
        value = tally(scene, SINGULAR[m[2]], m[1])
    elif m := re.fullmatch(r"Subtract all (\w+) (squares|circles|triangles)\. How many objects are left\?", first):
        value = n - tally(scene, SINGULAR[m[2]], m[1])
    elif m := re.fullmatch(r"Subtract all (\w+) objects\. How many objects are left\?", first):
        value = n - tally(scene, colour=m[1])
    elif m := re.fullmatch(r"Are there more (squares|circles|triangles) than (squares|circles|triangles)\?", first):
        a, b = tally(scene, shape=SINGULAR[m[1]]), tally(scene, shape=SINGULAR[m[2]])
        assert a != b, "compare must avoid ties"
        return ("yes" if a > b else "no"), choices
    elif m := re.fullmatch(r"Are there more (\w+) objects than (\w+) objects\?", first):
        a, b = tally(scene, colour=m[1]), tally(scene, colour=m[2])
        assert a != b, "compare must avoid ties"
        return ("yes" if a > b else "no"), choices
    elif first == "Which colour appears most often?":
        counts = sorted(((tally(scene, colour=c), c) for c in COLOURS), reverse=True)
        assert counts[0][0] > counts[1][0], "most_color needs a unique maximum"
        return counts[0][1], choices
    else:
        raise AssertionError(f"{family}: unrecognised question {first!r}")
    assert 0 <= value <= 8
    return str(value), choices


def test_every_answer_matches_the_oracle(splits) -> None:
    checked = Counter()
    for path in splits.values():
        for row in read_rows(path):
            meta = row["meta"]
            assert "<think>" not in row["question"] and "boxed" not in row["question"]  # the prompt spec asks
            gold, choices = oracle(meta["family"], row["question"], meta["scene"])
            assert row["answer"] == gold, row["id"]
            assert row.get("choices") == choices, row["id"]
            if choices is not None:
                assert row["answer_type"] == "text" and gold in choices
            else:
                assert row["answer_type"] == "integer"
            checked[meta["family"]] += 1
    assert set(checked) == set(FAMILIES)


def test_multiple_choice_shapes(splits) -> None:
    for row in read_rows(splits["pretrain"]) + read_rows(splits["ood-test"]):
        family, choices = row["meta"]["family"], row.get("choices")
        if family == "count_mc":
            values = [int(c) for c in choices]
            assert values == list(range(values[0], values[0] + 4)) and values[0] >= 0 and values[-1] <= 8
            assert row["meta"]["count_family"] in ("count_all", "count_color", "count_shape", "count_color_shape")
            letter = LETTERS[choices.index(row["answer"])]
            assert row["meta"]["solution"].endswith(f"That is option ({letter}).")
        elif family == "compare":
            assert choices == ["yes", "no"]
        elif family == "most_color":
            assert choices == COLOURS
        else:
            assert choices is None


def test_solution_lines_agree_with_the_answer(splits) -> None:
    for row in read_rows(splits["pretrain"]):
        meta, answer = row["meta"], row["answer"]
        solution, n = meta["solution"], len(meta["scene"])
        assert solution.startswith(f"There are {n} objects.") or meta["family"] in ("compare", "most_color")
        if meta["family"] in ("subtract", "subtract_color"):
            assert solution.endswith(f"= {answer}.")
        elif meta["family"] == "compare":
            assert solution.endswith(f"so {answer}.")
        elif meta["family"] == "most_color":
            assert solution.endswith(f"{answer.capitalize()} appears most often.")
        elif meta["family"] != "count_mc":
            assert re.findall(r"\d+", solution)[-1] == answer


def test_answer_position_of_count_mc_is_spread() -> None:
    rng = random.Random(1)
    letters = Counter()
    for _ in range(800):
        item = sample_item(rng, "count_mc")
        letters[item.choices.index(item.answer)] += 1
    assert all(count > 100 for count in letters.values()) and len(letters) == 4


def test_grammar_of_singular_counts() -> None:
    objects = ((0, "square", "blue"), (1, "circle", "red"))
    assert describe("count_color_shape", {"shape": "square", "colour": "blue"}, objects).solution == (
        "There are 2 objects. 1 is a blue square.")
    assert describe("count_shape", {"shape": "triangle"}, objects).solution == "There are 2 objects. 0 are triangles."
    compare = describe("compare", {"attr": "colour", "a": "blue", "b": "yellow"}, objects)
    assert compare.solution == "I count 1 blue object and 0 yellow objects. 1 > 0, so yes."


def test_unknown_family_and_invalid_scenes_raise() -> None:
    with pytest.raises(ValueError):
        sample_item(random.Random(0), "count_everything")
    tie = ((0, "square", "red"), (1, "circle", "blue"))
    with pytest.raises(ValueError):
        describe("most_color", {}, tie)
    with pytest.raises(ValueError):
        describe("compare", {"attr": "shape", "a": "square", "b": "circle"}, tie)
