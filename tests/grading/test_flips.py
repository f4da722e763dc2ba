"""Property: flipping a sign, a direction, a unit or an option letter never turns a right answer into a right one.

Seeded generation (no extra dependency): each case is a gold, an answer the grader must accept for it, and the
same answer with one flip, which it must reject — in several dresses (tags, boxed, statements, prose, LaTeX).
"""

import random

import pytest

from specs.grading import grade
from specs.grading.flips import directions, flipped

N_CASES = 400
UNITS = [("cm", "m"), ("m", "km"), ("kg", "g"), ("m/s", "m/s^2"), ("cm^2", "cm"), ("s", "min"), ("mm", "cm")]
OPPOSITE = {"N": "S", "S": "N", "E": "W", "W": "E", "left": "right", "right": "left", "clockwise":
            "counterclockwise", "counterclockwise": "clockwise", "north": "south", "south": "north",
            "east": "west", "west": "east", "above": "below", "below": "above"}


def dressed(rng: random.Random, answer: str) -> str:
    think = f"<think>Reading the figure, {rng.randint(2, 99)} and {rng.randint(2, 99)} are the labels.</think>"
    return rng.choice([
        f"{think}<answer>{answer}</answer>",
        f"{think}<answer>The answer is $\\boxed{{{answer}}}$</answer>",
        f"{think}<answer>Final answer: {answer}.</answer>",
        f"Reading the figure step by step. Therefore, the final answer is $\\boxed{{{answer}}}$.",
        f"{think}<answer>$${answer}$$</answer>",
    ])


def number(rng: random.Random) -> str:
    return rng.choice([str(rng.randint(1, 999)), f"{rng.randint(1, 99)}.{rng.randint(1, 9)}",
                       f"{rng.randint(1, 9)},{rng.randint(100, 999)}"])


def sign_case(rng):
    value = number(rng)
    gold, negative = (value, False) if rng.random() < 0.5 else (f"-{value}", True)
    plain = value.replace(",", "")
    right = gold if rng.random() < 0.5 else (f"-{plain}" if negative else plain)
    wrong = plain if negative else rng.choice([f"-{plain}", f"−{plain}", f"-{value}"])
    if rng.random() < 0.3:  # in a sentence
        right, wrong = f"the value is {right}", f"the value is {wrong}"
    return gold, right, wrong


def direction_case(rng):
    kind = rng.choice(["bearing", "words", "side"])
    if kind == "bearing":
        a, b, deg = rng.choice("NS"), rng.choice("EW"), rng.randint(1, 89)
        gold = f"{a} {deg}° {b}"
        right = rng.choice([gold, f"{a}{deg}°{b}", f"${a}\\,{deg}^\\circ\\,{b}$"])
        wrong = rng.choice([f"{OPPOSITE[a]} {deg}° {b}", f"{a} {deg}° {OPPOSITE[b]}", f"{a}{deg}°{OPPOSITE[b]}"])
    elif kind == "words":
        a, b, deg = rng.choice(["north", "south"]), rng.choice(["east", "west"]), rng.randint(1, 89)
        gold = f"{deg}° {b} of {a}"
        right = rng.choice([gold, f"{deg} degrees {b} of {a}"])
        wrong = f"{deg}° {OPPOSITE[b]} of {a}"
    else:
        side = rng.choice(["left", "right", "clockwise", "counterclockwise", "above", "below"])
        gold = side
        right = rng.choice([side, side.capitalize(), f"It turns {side}"])
        wrong = rng.choice([OPPOSITE[side], f"It turns {OPPOSITE[side]}"])
    return gold, right, wrong


def unit_case(rng):
    value, (unit, other) = number(rng), rng.choice(UNITS)
    if rng.random() < 0.5:
        unit, other = other, unit
    gold = f"{value} {unit}"
    right = rng.choice([gold, f"{value}\\text{{ {unit}}}", f"The length is {value} {unit}"])
    wrong = rng.choice([f"{value} {other}", f"{value}\\text{{ {other}}}", f"The length is {value} {other}"])
    return gold, right, wrong


def option_case(rng):
    n = rng.randint(3, 5)
    gold_index = rng.randrange(n)
    other = rng.choice([i for i in range(n) if i != gold_index])
    letter, wrong_letter = "ABCDE"[gold_index], "ABCDE"[other]
    dress = rng.choice(["{}", "({})", "{}.", "Option {}", "\\text{{({})}}", "**{}**"])
    return letter, dress.format(letter), dress.format(wrong_letter)


@pytest.mark.parametrize("seed", range(N_CASES))
def test_a_flip_never_passes(seed):
    rng = random.Random(seed)
    family = [sign_case, direction_case, unit_case, option_case][seed % 4]
    gold, right, wrong = family(rng)
    choices = [str(10 * i + 5) for i in range(5)] if family is option_case else None
    accepted = grade(dressed(rng, right), gold, choices=choices)
    rejected = grade(dressed(rng, wrong), gold, choices=choices)
    assert accepted.correct, f"{family.__name__}: {right!r} should be right for {gold!r} ({accepted})"
    assert not rejected.correct, f"{family.__name__}: flip {wrong!r} passed for {gold!r} ({rejected})"


def test_directions_and_flips_read_the_common_spellings():
    assert directions("NE") == directions("north-east") == directions("North East") == ("north", "east")
    assert directions("S45W") == ("south", "west")
    assert not flipped("12 centimeters", "12 cm") and flipped("12 kg", "12 g")
    assert not flipped("7 cm", "7")  # MathVista keeps the unit apart from the gold
