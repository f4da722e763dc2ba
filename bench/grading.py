"""Benchmark: ``specs.grading.grade`` vs math-verify alone on a realistic, labelled mix of responses.

    .venv/bin/python bench/grading.py [--n-per-case 2] [--passes 3] [--seed 0]

The mix imitates GRPO rollouts and benchmark answers: ``<think>…</think><answer>…</answer>`` responses,
boxed answers, "the answer is" statements, multiple-choice letters in several dresses, option text, units,
thousands separators, fractions, percents, closed forms, some genuinely symbolic answers, wrong answers and
reward-hack attempts. Every item carries the verdict a careful grader gives it (docs/grading.md).

math-verify alone is what many GRPO recipes use: ``verify(parse(gold), parse(response))`` with its default
settings (signal timeouts, main thread). Both graders see the same items: one untimed warm-up pass each, then
interleaved timed passes (median reported); our gold-parse cache is cleared before every pass.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from specs.grading import grade
from specs.grading import symbolic as symbolic_module


@dataclass(frozen=True)
class Item:
    response: str
    gold: str
    label: bool
    category: str
    kwargs: dict[str, Any] = field(default_factory=dict)


SENTENCES = [
    "The figure shows a triangle with sides {a}, {b} and {c}.",
    "Adding the two parts gives {a} + {b} = {s}.",
    "The bar for {y} is about {a} units tall, the one for 2020 about {b}.",
    "Let me check the scale: each grid square is {a} cm.",
    "So the angle at B is {a} degrees, and the remaining angle is {b} degrees.",
    "Multiplying, {a} x {b} = {p}, which we compare with the options.",
    "Hmm, wait, I should double-check the units before answering.",
    "The perimeter is {a} + {b} + {c} = {t}.",
]


def reasoning(rng: random.Random) -> str:
    """A few sentences of plausible scratch work, full of numbers a naive grader may latch onto."""
    out = []
    for _ in range(rng.randint(4, 9)):
        a, b, c = rng.randint(2, 90), rng.randint(2, 90), rng.randint(2, 90)
        values = {"a": a, "b": b, "c": c, "s": a + b, "p": a * b, "t": a + b + c, "y": 2010 + a % 9}
        out.append(rng.choice(SENTENCES).format(**values))
    return " ".join(out)


def dress(rng: random.Random, answer: str) -> str:
    """Wrap a final answer the way models do: tags (maybe around a boxed sentence), boxed, or a statement."""
    think = reasoning(rng)
    style = rng.choice(["tag", "tag", "tag_boxed", "tag_boxed", "boxed", "statement"])
    if style == "tag":
        return f"<think>{think}</think>\n<answer>{answer}</answer>"
    if style == "tag_boxed":
        return f"<think>{think}</think>\n<answer>The answer is $\\boxed{{{answer}}}$</answer>"
    if style == "boxed":
        return f"{think}\nTherefore, the final answer is $\\boxed{{{answer}}}$."
    return f"{think}\nThe final answer is {answer}."


# (category, gold, prediction, label, kwargs) — each becomes n_per_case items with fresh reasoning.
CASES: list[tuple[str, str, str, bool, dict[str, Any]]] = [
    ("integer", "12", "12", True, {}),
    ("integer", "12", "12.0", True, {"answer_type": "integer"}),
    ("integer", "12", "13", False, {}),
    ("integer", "248", "248", True, {}),
    ("integer", "248", "284", False, {}),
    ("integer", "-5", "−5", True, {}),
    ("integer", "7", "x = 7", True, {}),
    ("integer", "4", "004", True, {}),
    ("decimal", "1.2", "1.23", True, {"answer_type": "float", "precision": 1.0}),
    ("decimal", "1.2", "1.3", False, {"answer_type": "float", "precision": 1.0}),
    ("decimal", "0.5", ".5", True, {}),
    ("decimal", "3.14", "3.14159", True, {"answer_type": "float", "precision": 2.0}),
    ("decimal", "2.75", "2.57", False, {"answer_type": "float", "precision": 2.0}),
    ("units", "12", "12 \\text{ cm}^2", True, {}),
    ("units", "60", "60^\\circ", True, {}),
    ("units", "45", "45°", True, {}),
    ("units", "18", "18 apples", True, {}),
    ("units", "18", "81 apples", False, {}),
    ("units", "113.1", "113.1 \\mathrm{~cm}^{2}", True, {}),
    ("thousands", "1500", "1,500", True, {}),
    ("thousands", "14916", "14{,}916", True, {}),
    ("thousands", "12000", "12,\\!000", True, {}),
    ("thousands", "1500", "15,000", False, {}),
    ("fraction", "\\frac{3}{4}", "0.75", True, {}),
    ("fraction", "\\frac{3}{4}", "3/4", True, {}),
    ("fraction", "0.75", "\\dfrac34", True, {}),
    ("fraction", "\\frac{3}{4}", "\\frac{4}{3}", False, {}),
    ("fraction", "\\frac{360}{7}", "51.43", True, {}),
    ("percent", "90", "90\\%", True, {}),
    ("percent", "0.75", "75%", True, {}),
    ("percent", "90", "0.9", False, {}),
    ("percent", "25", "25 percent", True, {}),
    ("closed_form", "4\\pi", "12.57", True, {}),
    ("closed_form", "4\\pi", "12.6", False, {}),
    ("closed_form", "4\\pi", "4\\pi", True, {}),
    ("closed_form", "2\\sqrt{3}", "\\sqrt{12}", True, {}),
    ("closed_form", "\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}", False, {}),
    ("mc_letter", "C", "C", True, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "C", "(C)", True, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "C", "Option C", True, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "C", "C. 16", True, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "C", "B", False, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "C", "B or C", False, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "C", "(C) 14", False, {"choices": ["12", "14", "16", "18"]}),
    ("mc_letter", "B", "\\text{(B)}", True, {"choices": ["yes", "no"]}),
    ("mc_text", "60°", "B", True, {"choices": ["40°", "60°", "80°"]}),
    ("mc_text", "60°", "60", True, {"choices": ["40°", "60°", "80°"]}),
    ("mc_text", "60°", "(B) 60°", True, {"choices": ["40°", "60°", "80°"]}),
    ("mc_text", "60°", "70", False, {"choices": ["40°", "60°", "80°"]}),
    ("mc_text", "square", "Square", True, {"choices": ["circle", "square", "triangle"]}),
    ("mc_text", "square", "A", False, {"choices": ["circle", "square", "triangle"]}),
    ("letter_no_choices", "(C)", "C", True, {}),
    ("letter_no_choices", "B", "B", True, {}),
    ("letter_no_choices", "B", "D", False, {}),
    ("text", "Yes", "yes", True, {"answer_type": "text"}),
    ("text", "Yes", "No", False, {"answer_type": "text"}),
    ("list", "[2014, 2016]", "[2014, 2016]", True, {"answer_type": "list"}),
    ("list", "[2014, 2016]", "[2014, 2017]", False, {"answer_type": "list"}),
    ("symbolic", "x^2+2x+1", "(x+1)^2", True, {}),
    ("symbolic", "x^2+2x+1", "(x-1)^2", False, {}),
    ("symbolic", "\\sqrt{75}", "5\\sqrt{3}", True, {}),
    ("symbolic", "(1,2]", "(1, 2]", True, {}),
    ("symbolic", "(1,2]", "[1,2]", False, {}),
    ("symbolic", "\\pm 3", "3", False, {}),
    ("symbolic", "y=2x+1", "y = 1 + 2x", True, {}),
    ("symbolic", "\\frac{a+b}{2}", "\\frac{b+a}{2}", True, {}),
    ("symbolic", "\\{1, 2\\}", "\\{2, 1\\}", True, {}),  # sets, trig and e: math-verify's job
    ("symbolic", "\\{1, 2\\}", "\\{1, 3\\}", False, {}),
    ("symbolic", "1-\\cos^2 x", "\\sin^2 x", True, {}),
    ("symbolic", "2e", "e+e", True, {}),
]

HACKS: list[tuple[str, str, bool]] = [
    ("<think>It is clearly 12.</think>", "12", False),  # answer only inside think
    ("<think>It is \\boxed{12}", "12", False),  # unclosed think
    ("<think>x</think><answer>12</answer><answer>13</answer>", "12", False),  # contradicting blocks
    ("<think>x</think><answer></answer>", "12", False),  # empty answer
    ("<think>so 12</think><answer>13</answer>", "12", False),  # the think says 12, the answer 13
]


def build_mix(n_per_case: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for category, gold, prediction, label, kwargs in CASES:
        for _ in range(n_per_case):
            items.append(Item(dress(rng, prediction), gold, label, category, kwargs))
    for response, gold, label in HACKS:
        for _ in range(n_per_case):
            items.append(Item(response.replace("x", reasoning(rng), 1), gold, label, "hack"))
    rng.shuffle(items)
    return items


def grade_specs(item: Item) -> bool:
    return grade(item.response, item.gold, **item.kwargs).correct


def grade_math_verify(item: Item) -> bool:
    from math_verify import parse, verify

    try:
        return bool(verify(parse(item.gold), parse(item.response)))
    except Exception:  # math-verify raising is a "not verified"
        return False


def timed_pass(fn, items: list[Item]) -> tuple[float, list[bool]]:
    symbolic_module._parse_cached.cache_clear()  # no gold-cache help across passes
    start = time.perf_counter()
    verdicts = [fn(item) for item in items]
    return time.perf_counter() - start, verdicts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-case", type=int, default=4)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    items = build_mix(args.n_per_case, args.seed)
    graders = {"specs.grading.grade": grade_specs, "math-verify alone": grade_math_verify}
    # Warm-up pass for both: imports, regex compilation and ANTLR's lazily built DFA (shared by both graders,
    # since we call math-verify too) are one-time costs, not per-grade costs.
    for fn in graders.values():
        timed_pass(fn, items)
    passes: dict[str, list[tuple[float, list[bool]]]] = {name: [] for name in graders}
    for _ in range(args.passes):  # interleaved, so machine noise hits both alike
        for name, fn in graders.items():
            passes[name].append(timed_pass(fn, items))

    fallbacks = []  # which items reached math-verify inside our grader (one extra, untimed pass)
    inner = symbolic_module._equal
    symbolic_module._equal = lambda pred, gold: fallbacks.append(gold) or inner(pred, gold)
    timed_pass(grade_specs, items)
    symbolic_module._equal = inner

    results = {}
    for name in graders:
        seconds = statistics.median(p[0] for p in passes[name])
        verdicts = passes[name][0][1]
        hits = sum(v == item.label for v, item in zip(verdicts, items, strict=True))
        misses = Counter(item.category for v, item in zip(verdicts, items, strict=True) if v != item.label)
        results[name] = (len(items) / seconds, hits, misses)

    categories = Counter(item.category for item in items)
    mean_chars = statistics.mean(len(item.response) for item in items)
    n_correct = sum(item.label for item in items)
    print(f"items: {len(items)} ({n_correct} correct by label, {categories['symbolic']} symbolic, "
          f"mean response {mean_chars:.0f} chars); python {sys.version.split()[0]}; "
          f"median of {args.passes} timed passes")
    for name, (rate, hits, misses) in results.items():
        worst = ", ".join(f"{k} {v}" for k, v in misses.most_common(4)) or "none"
        print(f"{name:20s} {rate:9.0f} grades/s   accuracy vs labels {hits / len(items):6.1%} "
              f"({hits}/{len(items)})   misses: {worst}")
    print(f"specs.grading.grade called math-verify for {len(fallbacks)} of {len(items)} items "
          f"(the rest: numbers, letters, strings, closed forms and exact/float probes)")
    ratio = results["specs.grading.grade"][0] / results["math-verify alone"][0]
    print(f"speed ratio: {ratio:.1f}x faster than math-verify alone")


if __name__ == "__main__":
    main()
