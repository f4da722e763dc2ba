"""Synthetic base-model transcripts for the toy world: two procedures, only sometimes well formatted.

Why two procedures: GRPO selects between behaviours the base already samples, by accuracy (toy-notes, second
round), as RL on real VLMs is understood to do. So the base mixes a quick, biased **glance** (the majority, so
greedy decoding takes it) with an exact **count** (the record's reasoning line, always right): RL has a more
accurate minority behaviour to find, and the cold start a format to teach on top of either.

- glance: "At a glance, about 5." Exact up to 3 (subitizing), compressed above (4→3, 5→4, 6→5, 7→5, 8→6), as
  human numerosity estimates are. Subtract, compare, most-colour and multiple-choice answers are derived from
  glance estimates, so they inherit the bias.
- count: "Counting:" and the record's exact solution, the asked-for count first ("Counting: 2 are blue squares.
  There are 7 objects. 7 - 2 = 5."), always correct.

The procedure is drawn independently of the prompt; the format habit is tied to the instruction's phrasing
(toy-notes: otherwise greedy format compliance is ~0%) and drawn independently of the procedure. Captions
("I see 2 red squares and 1 blue circle.") are the pretraining's other source, as image-caption data is for
real VLMs: every object of the scene is named, which teaches the decoder to read colour and shape.
"""

from __future__ import annotations

import random
from typing import Any

from specs.toyworld.questions import LETTERS
from specs.toyworld.scenes import COLOURS, PLURALS, SHAPES

# P(follow the requested format) per (format, phrasing index in the prompt spec's instructions). Tags: two
# phrasings followed 85%, three 15% → 43% overall (the paper's base: 41.6%).
FOLLOW_PROB: dict[str, tuple[float, ...]] = {
    "tags": (0.85, 0.85, 0.15, 0.15, 0.15),
    "boxed": (0.6, 0.6),
    "plain": (0.8,),
}
GLANCE_SHARE = 0.67  # P(glance); the rest count exactly
SUBITIZE = 3  # counts up to this are seen exactly at a glance
COMPRESSION = 0.75  # larger counts are seen as round(0.75 · n)
#: First words of each procedure's reasoning (forced-prefix probes and procedure shares use them).
PREFIXES = {"glance": "At a glance", "count": "Counting:"}
CAPTION_QUESTION = "Describe the objects in the image."


def glance(n: int) -> int:
    """The glance estimate of a count: exact up to ``SUBITIZE``, then compressed (half rounds up).

    >>> [glance(n) for n in range(9)]
    [0, 1, 2, 3, 3, 4, 5, 5, 6]
    """
    return n if n <= SUBITIZE else int(COMPRESSION * n + 0.5)


def procedure_of(text: str) -> str:
    """Which procedure a response used: ``glance``, ``count`` or ``other``."""
    body = text.replace("<think>", "").lstrip()
    return next((name for name, prefix in PREFIXES.items() if body.startswith(prefix)), "other")


def count_solution(meta: dict[str, Any]) -> str:
    """The exact procedure: "Counting:", then the record's solution line with the asked-for count first.

    Measured: in "There are 7 objects. 2 are blue." the second count was read worse than the same count right
    after a glance's fixed lead-in, so the asked-for count comes first ("Counting: 2 are blue."; subtract:
    "Counting: 2 are blue squares. There are 7 objects. 7 - 2 = 5."). The total is kept where the answer needs it.

    >>> count_solution({"family": "subtract", "solution": "There are 7 objects. 2 are red. 7 - 2 = 5."})
    'Counting: 2 are red. There are 7 objects. 7 - 2 = 5.'
    >>> count_solution({"family": "count_color", "solution": "There are 7 objects. 1 is red."})
    'Counting: 1 is red.'
    """
    family, parts = meta["family"], meta["solution"].split(". ")
    targeted = family in ("count_color", "count_shape", "count_color_shape") or (
        family == "count_mc" and meta.get("count_family") != "count_all")
    if targeted:
        parts = parts[1:]
    elif family in ("subtract", "subtract_color"):
        parts = [parts[1], parts[0], *parts[2:]]
    text = ". ".join(parts)
    return f"{PREFIXES['count']} {text if text.endswith('.') else text + '.'}"


def _tally(scene: list[dict[str, Any]], key: str, value: str | None) -> int:
    return sum(value is None or obj[key] == value for obj in scene)


def _target(question: str) -> tuple[str | None, str | None]:
    """The question's ``(colour, shape)`` (``None`` where it names none), from its own words."""
    query = f" {question.lower().splitlines()[0]} "
    colour = next((c for c in COLOURS if f" {c} " in query), None)
    shape = next((s for s in SHAPES if PLURALS[s] in query), None)
    return colour, shape


def _matching(meta: dict[str, Any], question: str) -> int:
    colour, shape = _target(question)
    return sum((colour is None or o["colour"] == colour) and (shape is None or o["shape"] == shape)
               for o in meta["scene"])


def _word(key: str, value: str, k: int) -> str:
    if key == "shape":
        return value if k == 1 else PLURALS[value]
    return f"{value} object" if k == 1 else f"{value} objects"


def glance_solution(meta: dict[str, Any], question: str, choices: list[str] | None,
                    see=glance, lead: str = "At a glance, about") -> tuple[str, str]:
    """``(reasoning, answer)`` of the glance procedure for one record; ``see`` maps a true count to what is seen.

    The count procedure of compare and most-colour is this one with exact counts (``see`` = identity): the two
    procedures then share their wording and differ only in exactness.
    """
    family, scene = meta["family"], meta["scene"]
    n = len(scene)
    if family in ("count_all", "count_color", "count_shape", "count_color_shape"):
        est = see(n if family == "count_all" else _matching(meta, question))
        return f"{lead} {est}.", str(est)
    if family in ("subtract", "subtract_color"):
        est = see(n - _matching(meta, question))
        return f"{lead} {est} are left.", str(est)
    if family == "count_mc":
        k = n if meta["count_family"] == "count_all" else _matching(meta, question)
        est, options = see(k), [int(c) for c in choices or []]
        pick = min(options, key=lambda o: (abs(o - est), o))
        return f"{lead} {est}. That is option ({LETTERS[options.index(pick)]}).", str(pick)
    if family == "compare":
        key = "shape" if meta.get("attr") == "shape" else "colour"
        first = question.lower().splitlines()[0]
        words = {v: PLURALS[v] if key == "shape" else v for v in (SHAPES if key == "shape" else COLOURS)}
        a, b = sorted((v for v, w in words.items() if w in first), key=lambda v: first.index(words[v]))
        ea, eb = see(_tally(scene, key, a)), see(_tally(scene, key, b))
        answer = "yes" if ea > eb else "no"
        return f"{lead} {ea} {_word(key, a, ea)} and {eb} {_word(key, b, eb)}, so {answer}.", answer
    if family == "most_color":
        estimates = {c: see(_tally(scene, "colour", c)) for c in COLOURS}
        best = max(COLOURS, key=lambda c: estimates[c])  # ties: the first colour listed
        head = lead.removesuffix(" about")
        return f"{head} mostly {best}.", best
    raise ValueError(f"no glance procedure for family {family!r}")


def formatted(style: str, solution: str, answer: str) -> str:
    """The response in output style ``style``: ``tags``, ``boxed``, ``plain`` or ``prose``."""
    if style == "tags":
        return f"<think>{solution}</think>\n<answer>{answer}</answer>"
    if style == "boxed":
        return f"{solution} The answer is \\boxed{{{answer}}}."
    if style == "plain":
        return answer
    return f"{solution} The answer is {answer}."


def base_transcript(
    meta: dict[str, Any], question: str, answer: str, phrasing: int, rng: random.Random,
    choices: list[str] | None = None, procedure: str | None = None, glance_share: float = GLANCE_SHARE,
) -> str:
    """A base-model response to one toy record asked with format phrasing ``phrasing``: a procedure (glance with
    ``glance_share``, else count; ``procedure`` forces one), then the requested format with ``FOLLOW_PROB``,
    else prose."""
    drawn = "glance" if rng.random() < glance_share else "count"
    if (procedure or drawn) == "glance":
        solution, answer = glance_solution(meta, question, choices)
    elif meta["family"] in ("compare", "most_color"):
        solution, answer = glance_solution(meta, question, choices, see=int, lead=PREFIXES["count"])
    else:
        solution = count_solution(meta)
    fmt = meta.get("format", "tags")
    probs = FOLLOW_PROB[fmt]
    follow = rng.random() < probs[phrasing % len(probs)]
    return formatted(fmt if follow else "prose", solution, answer)


def caption(scene: list[dict[str, Any]]) -> str:
    """Every object of a scene by kind, e.g. "I see 2 red squares and 1 blue circle."

    >>> caption([{"shape": "circle", "colour": "blue"}] + [{"shape": "square", "colour": "red"}] * 2)
    'I see 2 red squares and 1 blue circle.'
    """
    counts = {(s, c): _tally([o for o in scene if o["shape"] == s], "colour", c) for s in SHAPES for c in COLOURS}
    parts = [f"{k} {c} {s if k == 1 else PLURALS[s]}" for (s, c), k in counts.items() if k]
    return "I see " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]) + "."
