"""Question families: a scene sampled *for* a question, its text, answer and a one-line solution trace.

Why scenes are sampled per question: with uniformly random scenes most answers to "How many blue squares?" are 0
or 1, so a blind guess scores well and the image barely matters. Each family therefore first draws the number
of objects and how many of them match the question (``K_CAP`` bounds the matching count), then fills the rest
with non-matching objects. The answer is always recomputed from the finished scene, never copied from the draw.

ID families (train, id-test) are the five of the toy-world notes; OOD families (ood-test) change the
composition (``subtract_color``, ``compare``, ``most_color``) or the requirement (``count_mc``: pick an option).
Multiple-choice questions list their options in the query (``Choices: (A) yes (B) no``) so that a letter is a
meaningful answer; the gold is the option text.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from specs.toyworld.scenes import COLOURS, MAX_OBJECTS, MIN_OBJECTS, PLURALS, SHAPES, Obj, canonical, place

ID_FAMILIES = ("count_all", "count_color", "count_shape", "count_color_shape", "subtract")
OOD_FAMILIES = ("subtract_color", "compare", "count_mc", "most_color")
FAMILIES = ID_FAMILIES + OOD_FAMILIES
COUNT_FAMILIES = ("count_all", "count_color", "count_shape", "count_color_shape")  # inner questions of count_mc
KINDS = tuple((shape, colour) for shape in SHAPES for colour in COLOURS)
LETTERS = "ABCD"
# Largest number of objects that match the question (drawn uniformly in 0..min(n, cap)).
K_CAP = {"count_color": 5, "count_shape": 5, "count_color_shape": 3, "subtract": 3, "subtract_color": 4}


@dataclass(frozen=True)
class Item:
    """One question about one scene; ``query`` is the user text without the format instruction."""

    family: str
    objects: tuple[Obj, ...]
    query: str
    answer: str
    answer_type: str  # "integer" for counts, "text" for multiple choice
    solution: str
    choices: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. count_mc's inner family


def count(objects: tuple[Obj, ...], shape: str | None = None, colour: str | None = None) -> int:
    """How many objects have the given shape and/or colour (``None`` matches anything)."""
    return sum((shape is None or s == shape) and (colour is None or k == colour) for _, s, k in objects)


def _is_are(k: int, what_one: str, what_many: str) -> str:
    return f"1 is {what_one}" if k == 1 else f"{k} are {what_many}"


def _noun(k: int, word: str) -> str:
    return word if k == 1 else PLURALS.get(word, word + "s")


def _article(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _choices_line(choices: tuple[str, ...]) -> str:
    return "Choices: " + " ".join(f"({LETTERS[i]}) {c}" for i, c in enumerate(choices))


def _targeted(rng: random.Random, match: Callable[[tuple[str, str]], bool], cap: int) -> tuple[Obj, ...]:
    """``n`` objects of which ``k`` ~ U{0..min(n, cap)} match; the others are drawn from non-matching kinds."""
    n = rng.randint(MIN_OBJECTS, MAX_OBJECTS)
    k = rng.randint(0, min(n, cap))
    hits = [kind for kind in KINDS if match(kind)]
    misses = [kind for kind in KINDS if not match(kind)]
    kinds = [rng.choice(hits) for _ in range(k)] + [rng.choice(misses) for _ in range(n - k)]
    return place(rng, kinds)


def _layout(rng: random.Random, family: str) -> tuple[dict[str, Any], tuple[Obj, ...]]:
    """Draw the question's parameters and a scene that suits them."""
    if family == "count_all":
        return {}, _targeted(rng, lambda kind: False, 0)
    if family in ("count_color", "subtract_color"):
        colour = rng.choice(COLOURS)
        return {"colour": colour}, _targeted(rng, lambda kind: kind[1] == colour, K_CAP[family])
    if family == "count_shape":
        shape = rng.choice(SHAPES)
        return {"shape": shape}, _targeted(rng, lambda kind: kind[0] == shape, K_CAP[family])
    if family in ("count_color_shape", "subtract"):
        shape, colour = rng.choice(KINDS)
        return {"shape": shape, "colour": colour}, _targeted(rng, lambda kind: kind == (shape, colour),
                                                             K_CAP[family])
    if family == "compare":
        return _layout_compare(rng)
    if family == "count_mc":
        inner = rng.choice(COUNT_FAMILIES)
        params, objects = _layout(rng, inner)
        answer = int(describe(inner, params, objects).answer)
        start = rng.randint(max(0, answer - 3), min(answer, MAX_OBJECTS - 3))
        return {**params, "inner": inner, "start": start}, objects
    if family == "most_color":
        n = rng.randint(MIN_OBJECTS, MAX_OBJECTS)
        while True:  # only scenes with a unique most frequent colour
            colours = [rng.choice(COLOURS) for _ in range(n)]
            tallies = sorted((colours.count(c) for c in COLOURS), reverse=True)
            if tallies[0] > tallies[1]:
                return {}, place(rng, [(rng.choice(SHAPES), c) for c in colours])
    raise ValueError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")


def _layout_compare(rng: random.Random) -> tuple[dict[str, Any], tuple[Obj, ...]]:
    """Two distinct values of one attribute with different (never tied) counts; the rest have other values."""
    attr = rng.choice(("shape", "colour"))
    values = SHAPES if attr == "shape" else COLOURS
    a, b = rng.sample(values, 2)
    rest = [v for v in values if v not in (a, b)]
    n = rng.randint(MIN_OBJECTS, MAX_OBJECTS)
    ca, cb = rng.choice([(i, j) for i in range(n + 1) for j in range(n + 1 - i) if i != j])
    picked = [a] * ca + [b] * cb + [rng.choice(rest) for _ in range(n - ca - cb)]
    kinds = [(v, rng.choice(COLOURS)) if attr == "shape" else (rng.choice(SHAPES), v) for v in picked]
    return {"attr": attr, "a": a, "b": b}, place(rng, kinds)


def describe(family: str, params: dict[str, Any], objects: tuple[Obj, ...]) -> Item:
    """Question text, answer and solution computed from the scene itself."""
    objects = canonical(objects)
    n = len(objects)
    shape, colour = params.get("shape"), params.get("colour")
    there = f"There are {n} objects."
    if family == "count_all":
        return Item(family, objects, "How many objects are there?", str(n), "integer", there)
    if family == "count_color":
        k = count(objects, colour=colour)
        return Item(family, objects, f"How many {colour} objects are there?", str(k), "integer",
                    f"{there} {_is_are(k, colour, colour)}.")
    if family == "count_shape":
        k = count(objects, shape=shape)
        return Item(family, objects, f"How many {PLURALS[shape]} are there?", str(k), "integer",
                    f"{there} {_is_are(k, _article(shape), PLURALS[shape])}.")
    if family in ("count_color_shape", "subtract"):
        k = count(objects, shape=shape, colour=colour)
        what = _is_are(k, _article(f"{colour} {shape}"), f"{colour} {PLURALS[shape]}")
        if family == "count_color_shape":
            return Item(family, objects, f"How many {colour} {PLURALS[shape]} are there?", str(k), "integer",
                        f"{there} {what}.")
        return Item(family, objects, f"Subtract all {colour} {PLURALS[shape]}. How many objects are left?",
                    str(n - k), "integer", f"{there} {what}. {n} - {k} = {n - k}.")
    if family == "subtract_color":
        k = count(objects, colour=colour)
        return Item(family, objects, f"Subtract all {colour} objects. How many objects are left?", str(n - k),
                    "integer", f"{there} {_is_are(k, colour, colour)}. {n} - {k} = {n - k}.")
    if family == "compare":
        return _describe_compare(params, objects)
    if family == "count_mc":
        inner = describe(params["inner"], params, objects)
        choices = tuple(str(params["start"] + i) for i in range(len(LETTERS)))
        if inner.answer not in choices:
            raise ValueError(f"count_mc: answer {inner.answer} not among {choices}")
        letter = LETTERS[choices.index(inner.answer)]
        return Item(family, objects, f"{inner.query}\n{_choices_line(choices)}", inner.answer, "text",
                    f"{inner.solution} That is option ({letter}).", choices, {"count_family": inner.family})
    if family == "most_color":
        tallies = {c: count(objects, colour=c) for c in COLOURS}
        best = max(COLOURS, key=lambda c: tallies[c])
        if sorted(tallies.values())[-2] == tallies[best]:
            raise ValueError("most_color needs a unique most frequent colour")
        listing = ", ".join(f"{c}: {tallies[c]}" for c in COLOURS)
        return Item(family, objects, f"Which colour appears most often?\n{_choices_line(COLOURS)}", best, "text",
                    f"{listing[0].upper()}{listing[1:]}. {best.capitalize()} appears most often.", COLOURS)
    raise ValueError(f"unknown family {family!r} (known: {', '.join(FAMILIES)})")


def _describe_compare(params: dict[str, Any], objects: tuple[Obj, ...]) -> Item:
    a, b = params["a"], params["b"]
    if params["attr"] == "shape":
        ca, cb = count(objects, shape=a), count(objects, shape=b)
        query = f"Are there more {PLURALS[a]} than {PLURALS[b]}?"
        seen = f"I count {ca} {_noun(ca, a)} and {cb} {_noun(cb, b)}."
    else:
        ca, cb = count(objects, colour=a), count(objects, colour=b)
        query = f"Are there more {a} objects than {b} objects?"
        seen = f"I count {ca} {a} {_noun(ca, 'object')} and {cb} {b} {_noun(cb, 'object')}."
    if ca == cb:
        raise ValueError("compare needs different counts (no ties)")
    answer = "yes" if ca > cb else "no"
    choices = ("yes", "no")
    return Item("compare", objects, f"{query}\n{_choices_line(choices)}", answer, "text",
                f"{seen} {ca} {'>' if ca > cb else '<'} {cb}, so {answer}.", choices, {"attr": params["attr"]})


def sample_item(rng: random.Random, family: str) -> Item:
    """A fresh scene and question of ``family``."""
    params, objects = _layout(rng, family)
    return describe(family, params, objects)
