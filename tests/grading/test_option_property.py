"""Property: an option is chosen by its letter, by the whole option or by a sentence naming it — never by a token
found inside a larger expression (the reward hack of issue 21: `-2`, `\\sqrt{2}`, `2\\pi`, `2.5`, `2^{10}` chose
the option `2`; `-40°` chose `40°`).

Seeded generation (no extra dependency): option sets of integers, decimals, degrees, lengths, ratios and
fractions; the gold is one option, given as its text or its letter. Every *changed* value of the gold — sign,
power, root, multiple, decimal, unit, reversed ratio — must never choose it, in any dress; the gold itself in
every dress (letter, `(A)`, `A.`, `\\boxed{A}`, text, `x = v`, "The answer is v.") must always choose it.
"""

import random

import pytest

from specs.grading import grade
from specs.grading.choices import LETTERS

N_SETS = 150


def option_set(rng: random.Random) -> tuple[str, list[str]]:
    """A kind and four distinct options of it (values chosen so no transform below keeps the value)."""
    kind = rng.choice(["int", "decimal", "degree", "length", "ratio", "fraction"])
    values = rng.sample(range(2, 99), 4)
    if kind == "int":
        return kind, [str(v) for v in values]
    if kind == "decimal":
        return kind, [f"{v}.{rng.randint(1, 9)}" for v in values]
    if kind == "degree":
        return kind, [f"{v}°" for v in values]
    if kind == "length":
        unit = rng.choice(["cm", "m", "km"])
        return kind, [f"{v} {unit}" for v in values]
    if kind == "ratio":
        pairs = [(a, b) for a, b in zip(values, rng.sample(range(2, 99), 4), strict=True) if a != b]
        return kind, [f"{a}:{b}" for a, b in pairs] if len(pairs) >= 2 else [f"{v}:1" for v in values]
    return kind, [f"\\frac{{{v}}}{{{v + 1}}}" for v in values]


def changed(kind: str, option: str) -> list[str]:
    """Values that contain the option's text but are not the option."""
    if kind == "ratio":
        a, b = option.split(":")
        return [f"{b}:{a}", f"-{a}:{b}", f"{a}:{b}0"]
    if kind == "length":
        value, unit = option.split()
        other = {"cm": "mm", "m": "km", "km": "m"}[unit]
        return [f"{value} {other}", f"-{value} {unit}", f"{value}^2 {unit}", f"{value}.5 {unit}"]
    if kind == "degree":
        value = option.rstrip("°")
        return [f"-{value}°", f"{value}.5°", f"{value}^{{2}}°", f"2\\cdot {value}°", f"{value} radians"]
    if kind == "fraction":
        return [f"-{option}", f"\\sqrt{{{option}}}", f"2{option}", f"{option}\\pi", f"\\left({option}\\right)^2"]
    out = [
        f"-{option}",
        f"−{option}",
        f"\\sqrt{{{option}}}",
        f"{option}^{{10}}",
        f"{option}^2",
        f"2\\cdot {option}",
        f"{option}\\pi",
        f"\\frac{{{option}}}{{3}}",
        f"\\frac{{a+b}}{{{option}}}",
        f"{option}\\sqrt{{3}}",
        f"{option}1",
        f"{option}5",
    ]
    if kind == "int":
        out.append(f"{option}.5")
    return out


def dress(rng: random.Random, answer: str) -> str:
    think = f"<think>Compare the options {rng.randint(2, 9)} and {rng.randint(2, 9)} with the figure.</think>"
    return rng.choice(
        [
            f"{think}<answer>{answer}</answer>",
            f"{think}<answer>The answer is {answer}.</answer>",
            f"{think}<answer>$\\boxed{{{answer}}}$</answer>",
            f"{think}<answer>x = {answer}</answer>",
            f"Checking each option against the figure. Therefore the final answer is $\\boxed{{{answer}}}$.",
        ]
    )


def cases() -> list[tuple[str, str, list[str], bool]]:
    rng = random.Random(21)
    out = []
    for _ in range(N_SETS):
        kind, options = option_set(rng)
        index = rng.randrange(len(options))
        option, letter = options[index], LETTERS[index]
        gold = option if rng.random() < 0.5 else letter
        for wrong in changed(kind, option):
            out.append((dress(rng, wrong), gold, options, False))
        think = "<think>Each option checked.</think>"
        rights = [
            letter,
            f"({letter})",
            f"{letter}.",
            f"\\boxed{{{letter}}}",
            f"({letter}) {option}",
            option,
            f"The answer is {option}.",
            f"\\text{{({letter})}}",
        ]
        if kind != "ratio":
            rights.append(f"x = {option}")
        for right in rights:
            out.append((f"{think}<answer>{right}</answer>", gold, options, True))
        out.append((f"{think}<answer>The answer is ({letter}).</answer>", gold, options, True))
    return out


CASES = cases()


def test_enough_cases():
    assert sum(not ok for *_, ok in CASES) > 800 and sum(ok for *_, ok in CASES) > 1000


@pytest.mark.parametrize("chunk", range(10))
def test_options_chosen_only_as_values(chunk):
    failures = []
    for response, gold, options, expected in CASES[chunk::10]:
        if grade(response, gold, choices=options).correct != expected:
            failures.append((response, gold, options, expected))
    assert not failures, failures[:5]


@pytest.mark.parametrize(
    ("answer", "options", "gold"),
    [
        ("-2", ["2", "4", "6", "8"], "2"),
        ("\\sqrt{2}", ["2", "4", "6", "8"], "2"),
        ("2\\pi", ["2", "4", "6", "8"], "2"),
        ("2.5", ["2", "4", "6", "8"], "2"),
        ("2^{10}", ["2", "4", "6", "8"], "2"),
        ("-40°", ["40°", "50°", "60°", "70°"], "40°"),
        ("\\frac{a+b}{2}", ["2", "a+b", "ab", "a"], "A"),
        ("\\frac{2\\sqrt6}{3}", ["2", "\\sqrt6", "3", "6"], "A"),
        ("3\\sqrt{2}", ["\\frac{3\\sqrt{2}}{2}", "\\sqrt{2}", "3", "6"], "A"),
    ],
)
def test_issue_21_hacks_do_not_pay(answer, options, gold):
    assert not grade(f"<answer>{answer}</answer>", gold, choices=options).correct
