import random
import re

import pytest

from specs.grading.formatcheck import TAGS, format_ok
from specs.pairs.corruptions import CORRUPTIONS, check_rejected, corrupt, random_corruption

GOOD = "<think>2+2=4.</think><answer>4</answer>"
SPACED = "<think> step one </think> <answer> 42 </answer>"
LINES = "<think>\nLet me count.\nThere are 3.\n</think>\n<answer>\n3\n</answer>\n"
BOXED = "<think>reasoning.</think><answer>The answer is $\\boxed{12}$</answer>"

EXPECTED = {
    "strip_all": [
        (GOOD, "2+2=4. 4"),
        (SPACED, "step one 42"),
        (LINES, "Let me count.\nThere are 3.\n3\n"),
        (BOXED, "reasoning. The answer is $\\boxed{12}$"),
        ("The answer is (<answer>C</answer>).", "The answer is (C)."),
        ("<answer>1</answer><answer>2</answer>", "1 2"),
    ],
    "strip_answer": [
        (GOOD, "<think>2+2=4.</think> 4"),
        (SPACED, "<think> step one </think> 42"),
        (LINES, "<think>\nLet me count.\nThere are 3.\n</think>\n3\n"),
        ("<think>x</think>", "<think>x</think>"),
    ],
    "strip_think": [
        (GOOD, "2+2=4. <answer>4</answer>"),
        (SPACED, "step one <answer> 42 </answer>"),
        (LINES, "Let me count.\nThere are 3.\n<answer>\n3\n</answer>\n"),
        ("a <think> b </think> c", "a b c"),
    ],
    "strip_answer_move_think_end": [
        (GOOD, "<think>2+2=4. 4</think>"),
        (SPACED, "<think> step one 42</think>"),
        (LINES, "<think>\nLet me count.\nThere are 3.\n3\n</think>"),
        ("<think>a</think>b</think><answer>c</answer>", "<think>a b c</think>"),
        ("<answer>4</answer>", "4"),  # no </think> to move: none is added
    ],
    "answer_to_plain": [
        (GOOD, "<think>2+2=4.</think>Answer: 4"),
        (SPACED, "<think> step one </think> Answer: 42"),
        (LINES, "<think>\nLet me count.\nThere are 3.\n</think>\nAnswer:\n3\n"),
        ("The answer is (<answer>C</answer>).", "The answer is (Answer: C)."),
        ("<answer>1</answer><answer>2</answer>", "Answer: 1 Answer: 2"),
    ],
}


@pytest.mark.parametrize(("name", "text", "expected"), [(n, t, e) for n, cases in EXPECTED.items() for t, e in cases])
def test_exact_output(name, text, expected):
    assert corrupt(text, name) == expected
    assert CORRUPTIONS[name](text) == expected


def test_names_in_paper_order():
    assert list(CORRUPTIONS) == [
        "strip_all",
        "strip_answer",
        "strip_think",
        "strip_answer_move_think_end",
        "answer_to_plain",
    ]


def test_unknown_name():
    with pytest.raises(ValueError, match="unknown corruption 'nope'"):
        corrupt(GOOD, "nope")


def test_check_rejected():
    assert check_rejected("4") == "4"
    with pytest.raises(ValueError, match="must not be well formatted"):
        check_rejected(GOOD)


def test_spliced_tags_do_not_survive():
    # Deleting a tag must not glue the halves around it into a new tag.
    text = "<th<think>ink>x</th</think>ink><an<answer>swer>4</an</answer>swer>"
    for name in CORRUPTIONS:
        assert not format_ok(corrupt(text, name))
    assert not any(tag in corrupt(text, "strip_all") for tag in TAGS)


def test_random_corruption_is_seeded_and_uniform():
    picks = [random_corruption(GOOD, random.Random(seed))[0] for seed in range(50)]
    assert picks == [random_corruption(GOOD, random.Random(seed))[0] for seed in range(50)]
    rng = random.Random(0)
    counts = {name: 0 for name in CORRUPTIONS}
    for _ in range(2500):
        name, text = random_corruption(GOOD, rng)
        assert text == corrupt(GOOD, name)
        counts[name] += 1
    assert all(400 < c < 600 for c in counts.values()), counts


# --- the invariant, over many random tagged / untagged / partially tagged responses (seeded generator) ---

_PIECES = (
    list(TAGS) * 6
    + ["<think", "</think", "<answer", "</answer", "<Think>", "< /answer>", "</think.", "<th", "ink>", "<", ">", "/"]
    + ["x", "42", "The answer is", "$\\boxed{12}$", "(C)", "Answer:", ".", ",", "(", ")", "'", "%", "−5"]
    + [" ", "  ", "\n", "\t", "\r\n", "\n\n", "\u00a0"]
)


def _random_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:  # well formed, with random whitespace
        ws = lambda: rng.choice(["", " ", "\n", "  ", "\n\n", "\t"])  # noqa: E731
        think = rng.choice(["x", "2+2=4.", "Count: 1, 2, 3.\nSo 3.", "a < b"])
        answer = rng.choice(["4", "(C)", "The answer is $\\boxed{12}$"])
        text = f"{ws()}<think>{ws()}{think}{ws()}</think>{ws()}<answer>{ws()}{answer}{ws()}</answer>{ws()}"
        if kind < 0.15:  # partially tagged: drop or duplicate one tag
            tag = rng.choice(TAGS)
            text = text.replace(tag, "" if rng.random() < 0.5 else tag + tag, 1)
        return text
    if kind < 0.4:  # no tags at all
        return "".join(rng.choice(_PIECES[24:]) for _ in range(rng.randint(0, 12)))
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 20)))


def _inputs(n=3000, seed=1234):
    rng = random.Random(seed)
    return [_random_text(rng) for _ in range(n)]


_TOUCHED = {
    "strip_all": TAGS,
    "strip_answer": TAGS[2:],
    "strip_think": TAGS[:2],
    "strip_answer_move_think_end": ("</think>", "<answer>", "</answer>"),
    "answer_to_plain": TAGS[2:],
}


def _naive(text: str, name: str) -> str | None:
    """Single-pass reference edit without whitespace tidying; None when that pass splices a new tag together."""
    out = text.replace("<answer>", "Answer:") if name == "answer_to_plain" else text
    out = re.sub("|".join(map(re.escape, _TOUCHED[name])), "", out)
    if any(tag in out for tag in _TOUCHED[name]):
        return None
    if name == "strip_answer_move_think_end" and "</think>" in text:
        out += "</think>"
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_no_corruption_is_ever_well_formatted():
    inputs = _inputs()
    assert sum(format_ok(t) for t in inputs) > 300  # the generator does produce well-formed responses
    for text in inputs:
        for name in CORRUPTIONS:
            out = corrupt(text, name)
            assert not format_ok(out), (name, text, out)


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_properties_over_random_inputs(name):
    for text in _inputs(n=2000, seed=99):
        out = CORRUPTIONS[name](text)
        if not any(tag in text for tag in TAGS):
            assert out == text  # nothing to corrupt: unchanged (and already not well formatted)
        assert CORRUPTIONS[name](out) == out  # idempotent
        assert out.count("\n") <= text.count("\n")
        if "  " not in text:
            assert "  " not in out, (text, out)
        naive = _naive(text, name)
        if naive is not None:
            assert _squash(out) == _squash(naive), (text, out)  # only tags and whitespace change


def test_tag_counts_over_random_inputs():
    for text in _inputs(n=2000, seed=7):
        out = corrupt(text, "strip_all")
        assert not any(tag in out for tag in TAGS)
        out = corrupt(text, "strip_answer")
        assert "<answer>" not in out and "</answer>" not in out
        assert out.count("<think>") == text.count("<think>")
        out = corrupt(text, "strip_think")
        assert "<think>" not in out and "</think>" not in out
        assert out.count("<answer>") == text.count("<answer>")
        out = corrupt(text, "strip_answer_move_think_end")
        assert out.count("</think>") == ("</think>" in text)
        assert out.endswith("</think>") == ("</think>" in text)
        out = corrupt(text, "answer_to_plain")
        assert out.count("Answer:") == text.count("Answer:") + text.count("<answer>")
        assert "</answer>" not in out
