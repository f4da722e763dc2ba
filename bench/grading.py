"""Benchmark: ``specs.grading.grade`` vs math-verify alone on a realistic, labelled mix of responses.

    .venv/bin/python bench/grading.py [--n-per-case 4] [--passes 3] [--seed 0] [--mix built|suite]

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
import json
import logging
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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
    answer: str = ""  # the final answer as dressed inside the response (for the LaTeX share)


SENTENCES = [
    "The figure shows a triangle with sides {a}, {b} and {c}.",
    "Adding the two parts gives {a} + {b} = {s}.",
    "The bar for {y} is about {a} units tall, the one for 2020 about {b}.",
    "Let me check the scale: each grid square is {a} cm.",
    "So the angle at B is {a} degrees, and the remaining angle is {b} degrees.",
    "Multiplying, {a} x {b} = {p}, which we compare with the options.",
    "Hmm, wait, I should double-check the units before answering.",
    "The perimeter is {a} + {b} + {c} = {t}.",
    "Using the formula $A = \\frac{{1}}{{2}} b h$ with $b = {a}$ and $h = {b}$, we get $A = \\frac{{{p}}}{{2}}$.",
    "By Pythagoras, $c = \\sqrt{{{a}^2 + {b}^2}}$, and the angle is ${c}^\\circ$.",
    "So $x^{{2}} - {s}x + {p} = 0$, i.e. $(x - {a})(x - {b}) = 0$.",
]


def reasoning(rng: random.Random, long: bool = False) -> str:
    """Sentences of plausible scratch work (LaTeX included), full of numbers a naive grader may latch onto;
    ``long``: 30-60 sentences, like a 7B model's rollouts (2-5k characters)."""
    out = []
    for _ in range(rng.randint(30, 60) if long else rng.randint(4, 9)):
        a, b, c = rng.randint(2, 90), rng.randint(2, 90), rng.randint(2, 90)
        values = {"a": a, "b": b, "c": c, "s": a + b, "p": a * b, "t": a + b + c, "y": 2010 + a % 9}
        out.append(rng.choice(SENTENCES).format(**values))
    return " ".join(out)


def dress(rng: random.Random, answer: str) -> str:
    """Wrap a final answer the way models do: tags (maybe around a boxed sentence), boxed, or a statement."""
    think = reasoning(rng, long=rng.random() < 0.3)
    style = rng.choice(["tag", "tag", "tag_boxed", "tag_boxed", "boxed", "statement", "display"])
    if style == "display":
        return f"<think>{think}</think>\n<answer>\\[ {answer} \\]</answer>"
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
    ("symbolic", "\\sqrt{x^2+y^2}", "\\sqrt{y^2+x^2}", True, {}),
    ("symbolic", "\\sqrt{x^2+y^2}", "x+y", False, {}),
    ("symbolic", "[2, \\infty)", "[2,\\infty)", True, {}),
    ("symbolic", "[2, \\infty)", "(2, \\infty)", False, {}),
    ("symbolic", "x \\le 3", "x \\leq 3", True, {}),
    ("symbolic", "x \\le 3", "x < 3", False, {}),
    ("symbolic", "\\frac{a}{b+c}", "\\frac{a}{c+b}", True, {}),
    ("symbolic", "\\frac{a}{b+c}", "\\frac{a}{b}+c", False, {}),
    ("symbolic", "\\frac{2\\pi r}{3}", "\\frac{2}{3}\\pi r", True, {}),
    ("symbolic", "\\sin 2x", "2\\sin x\\cos x", True, {}),
    ("symbolic", "\\log_2 8", "3", True, {}),
    ("symbolic", "(3, -1)", "(3,-1)", True, {}),
    ("symbolic", "(3, -1)", "(-1, 3)", False, {}),
    ("symbolic", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
     True, {}),
    ("symbolic", "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}",
     False, {}),
    ("symbolic", "(-\\infty, 1) \\cup (2, \\infty)", "(-\\infty,1)\\cup(2,\\infty)", True, {}),
    ("symbolic", "(-\\infty, 1) \\cup (2, \\infty)", "(-\\infty,1]\\cup(2,\\infty)", False, {}),
    ("symbolic", "\\{a, b\\}", "\\{b, a\\}", True, {}),
    ("symbolic", "x=2, x=3", "x=3, x=2", True, {}),
    ("symbolic", "x=2, x=3", "x=3", False, {}),
    ("symbolic", "\\sqrt[3]{x}", "x^{1/3}", True, {}),
    ("symbolic", "\\binom{5}{2}", "10", True, {}),
    ("symbolic", "\\frac{x}{\\sqrt{x^2+1}}", "x(x^2+1)^{-1/2}", True, {}),
    ("symbolic", "a^2+b^2=c^2", "c^2=a^2+b^2", True, {}),
    # LaTeX-dressed numbers and closed forms (MATH-Vision, MathVerse references and model answers)
    ("latex", "12000", "12\\,000", True, {}),
    ("latex", "12000", "12\\!000", True, {}),
    ("latex", "5", "5\\textnormal{ cm}", True, {}),
    ("latex", "5", "5\\,\\mathrm{cm}^{2}", True, {}),
    ("latex", "\\frac{\\sqrt{3}}{2}", "\\dfrac{\\sqrt3}{2}", True, {}),
    ("latex", "\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt{2}}{2}", False, {}),
    ("latex", "2\\sqrt{2}", "\\sqrt{8}", True, {}),
    ("latex", "2\\sqrt{2}", "2.83", True, {}),
    ("latex", "\\frac{\\pi}{3}", "\\frac{\\pi}{6}", False, {}),
    ("latex", "30", "30^{\\circ}", True, {}),
    ("latex", "-\\frac{1}{2}", "\\frac{1}{2}", False, {}),
    ("latex", "\\frac{7}{2}", "3\\frac{1}{2}", True, {}),
    ("latex", "8\\pi", "8 \\pi \\text{ cm}^2", True, {}),
    ("latex", "10", "\\boxed{10}", True, {}),
    ("latex", "x^2+1", "x^{2}+1", True, {"choices": ["x^2-1", "x^2+1", "2x+1"]}),
    ("latex", "1/2", "\\frac{1}{2}", True, {"choices": ["1/3", "1/2", "2/3"]}),
    ("latex", "\\sqrt{3}", "\\sqrt{2}", False, {"choices": ["\\sqrt{2}", "\\sqrt{3}", "2"]}),
    ("latex", "N 30° E", "N\\,30^\\circ\\,E", True, {}),
    # statements and self-corrections instead of bare answers
    ("prose", "7", "the smallest value of $k$ is 7", True, {}),
    ("prose", "7", "There are 7 apples left", True, {}),
    ("prose", "7", "It is not 7", False, {}),
    ("prose", "7", "7 or 8", False, {}),
    ("prose", "7", "at least 7", False, {}),
    ("prose", "6", "It is not 5 — recounting, it is 6", True, {}),
    ("prose", "5", "It is not 5 — recounting, it is 6", False, {}),
    ("prose", "1250", "The total cost is \\$1,250", True, {}),
    ("prose", "12.5", "The ticket costs $12.50 in total", True, {}),
    ("prose", "larval phase", "It takes place in the larval phase", True, {}),
    ("prose", "larval phase", "It is not the larval phase", False, {}),
    ("prose", "B", "mitochondria", True, {"choices": ["The nucleus", "The mitochondria", "The ribosome"]}),
    # flips a policy could farm
    ("flip", "N 30° E", "N 30° W", False, {}),
    ("flip", "30° east of north", "30° west of north", False, {}),
    ("flip", "5 m", "5 cm", False, {}),
    ("flip", "12 m/s^2", "12 m/s", False, {}),
    ("flip", "-5", "5", False, {}),
    ("flip", "left", "right", False, {}),
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
            items.append(Item(dress(rng, prediction), gold, label, category, kwargs, prediction))
    for response, gold, label in HACKS:
        for _ in range(n_per_case):
            items.append(Item(response.replace("x", reasoning(rng), 1), gold, label, "hack"))
    rng.shuffle(items)
    return items


def load_suite() -> list[Item]:
    """The human-verdict case suite of the tests (tests/grading/cases.yaml), as a second, independent mix."""
    import yaml

    path = Path(__file__).parents[1] / "tests" / "grading" / "cases.yaml"
    families = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = []
    for family, cases in families.items():
        for case in cases:
            kwargs = {k: case[key] for k, key in (("choices", "choices"), ("answer_type", "type"),
                                                   ("precision", "precision")) if case.get(key) is not None}
            answer = case["r"].rpartition("<answer>")[2] if "<answer>" in case["r"] else case["r"]
            items.append(Item(case["r"], case["gold"], case["ok"], family, kwargs, answer))
    return items


def load_external() -> list[Item]:
    """tests/grading/external_cases.jsonl: labelled by others (bench/external_collect.py cites each source).
    A gold written as a whole solution (Math-Verify's suite) is read with our own extractor first."""
    from specs.grading.extract import extract_answer

    path = Path(__file__).parents[1] / "tests" / "grading" / "external_cases.jsonl"
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        gold = case["gold"]
        if "\\boxed" in gold or len(gold) > 60:
            gold = extract_answer(gold, strict=False).answer or gold
        kwargs = {k: case[k] for k in ("choices", "precision") if case.get(k) is not None}
        if case.get("answer_type") in ("text", "integer", "float", "list"):
            kwargs["answer_type"] = case["answer_type"]
        items.append(Item(case["response"], gold, case["label"], case["kind"], kwargs, case["response"][-200:]))
    return items


def grade_specs(item: Item) -> bool:
    return grade(item.response, item.gold, **item.kwargs).correct


def grade_math_verify(item: Item) -> bool:
    from math_verify import parse, verify

    try:
        return bool(verify(parse(str(item.gold)), parse(item.response)))
    except Exception:  # math-verify raising is a "not verified"
        return False


def timed_pass(fn, items: list[Item]) -> tuple[float, list[bool], list[float]]:
    """Total seconds, verdicts, and seconds per item (for the latency percentiles)."""
    symbolic_module._parse_cached.cache_clear()  # no gold-cache help across passes
    symbolic_module._verified.cache_clear()  # nor verdict-cache help
    verdicts, each = [], []
    for item in items:
        start = time.perf_counter()
        verdicts.append(fn(item))
        each.append(time.perf_counter() - start)
    return sum(each), verdicts, each


PROSE = ("prose", "statements", "self_correction", "prose_numbers")  # the built mix's and the suite's names


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def is_latex(item: Item) -> bool:
    return "\\" in str(item.gold) or "\\" in item.answer or "\\[" in item.response


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-per-case", type=int, default=4)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mix", choices=["built", "suite", "external"], default="built",
                        help="built: the generated mix; suite: the tests' human-verdict cases; external: cases "
                        "labelled by others (tests/grading/external_cases.jsonl)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    loaders = {"built": lambda: build_mix(args.n_per_case, args.seed), "suite": load_suite, "external": load_external}
    items = loaders[args.mix]()
    graders = {"specs.grading.grade": grade_specs, "math-verify alone": grade_math_verify}
    # Warm-up pass for both: imports, regex compilation and ANTLR's lazily built DFA (shared by both graders,
    # since we call math-verify too) are one-time costs, not per-grade costs.
    for fn in graders.values():
        timed_pass(fn, items)
    passes: dict[str, list[tuple[float, list[bool], list[float]]]] = {name: [] for name in graders}
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
        latency = [statistics.median(p[2][i] for p in passes[name]) for i in range(len(items))]
        results[name] = (len(items) / seconds, hits, misses, latency)

    categories = Counter(item.category for item in items)
    mean_chars = statistics.mean(len(item.response) for item in items)
    n_correct = sum(item.label for item in items)
    latex, prose = sum(is_latex(item) for item in items), sum(categories[c] for c in PROSE)
    print(f"items: {len(items)} ({n_correct} correct by label, {categories['symbolic']} symbolic, "
          f"{latex / len(items):.0%} LaTeX in the answer or gold, {prose} prose statements, "
          f"mean response {mean_chars:.0f} chars); python {sys.version.split()[0]}; "
          f"median of {args.passes} timed passes")
    for name, (rate, hits, misses, latency) in results.items():
        worst = ", ".join(f"{k} {v}" for k, v in misses.most_common(4)) or "none"
        print(f"{name:20s} {rate:9.0f} grades/s   p50 {1e3 * percentile(latency, 0.5):6.2f} ms   "
              f"p99 {1e3 * percentile(latency, 0.99):6.2f} ms   max {1e3 * max(latency):6.1f} ms   "
              f"accuracy vs labels {hits / len(items):6.1%} ({hits}/{len(items)})   misses: {worst}")
    ours = results["specs.grading.grade"][3]
    slowest = sorted(range(len(items)), key=lambda i: -ours[i])[:5]
    print("slowest for specs.grading.grade: " + "; ".join(
        f"{items[i].category} gold {items[i].gold!r} {1e3 * ours[i]:.1f} ms" for i in slowest))
    print(f"specs.grading.grade called math-verify for {len(fallbacks)} of {len(items)} items "
          f"(the rest: numbers, letters, strings, closed forms and exact/float probes)")
    ratio = results["specs.grading.grade"][0] / results["math-verify alone"][0]
    print(f"speed ratio: {ratio:.1f}x faster than math-verify alone")


if __name__ == "__main__":
    main()
