"""Building one preference pair per prompt from graded samples of the chosen model and the base.

Grading is an input, not computed here: callers grade each sample (``specs.grading.grade``) and pass
``Candidate`` objects, so this module stays pure and testable with hand-written booleans.

Defaults where the paper is silent (arXiv 2510.25801 says neither how many samples per prompt nor how one pair
is picked among several): one pair per prompt, the chosen and the rejected candidate each drawn uniformly
at random from the eligible ones with a seeded ``random.Random``.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from specs.grading.formatcheck import format_ok
from specs.pairs.corruptions import CORRUPTIONS, check_rejected, random_corruption

# Drop reasons, in the order they are checked (cheapest first, so a costly consistency judge only sees prompts
# that would otherwise yield a pair; "inconsistent_chosen" then counts exactly the pairs the filter costs).
NO_CHOSEN = "no_correct_formatted_chosen"
NO_CORRECT_BASE = "no_correct_base"
NO_INCORRECT_BASE = "no_incorrect_base"
INCONSISTENT = "inconsistent_chosen"
DROP_REASONS = (NO_CHOSEN, NO_CORRECT_BASE, NO_INCORRECT_BASE, INCONSISTENT)


@dataclass(frozen=True)
class Candidate:
    """One graded sample: which model, which sample of the prompt, its text, and the two grades."""

    model: str
    sample_index: int
    text: str
    correct: bool
    format_ok: bool

    @classmethod
    def graded(cls, model: str, sample_index: int, text: str, correct: bool) -> Candidate:
        """A candidate whose ``format_ok`` is computed with the strict check (correctness stays an input)."""
        return cls(model, sample_index, text, correct, format_ok(text))


@dataclass(frozen=True)
class Pair:
    """A chosen/rejected pair; construction fails loudly if the format invariants do not hold."""

    example_id: str
    chosen: str
    rejected: str
    corruption: str
    rejected_original: str
    chosen_model: str
    chosen_sample: int
    rejected_model: str
    rejected_sample: int

    def __post_init__(self) -> None:
        if not format_ok(self.chosen):
            raise ValueError(f"pair {self.example_id}: chosen response is not well formatted: {self.chosen[:120]!r}")
        try:
            check_rejected(self.rejected)
        except ValueError as exc:
            raise ValueError(f"pair {self.example_id}: {exc}") from None
        if self.corruption not in CORRUPTIONS:
            raise ValueError(f"pair {self.example_id}: unknown corruption {self.corruption!r}")

    def provenance(self) -> dict[str, Any]:
        """Where the two sides came from (stored with the pair in the pairs file)."""
        return {
            "prompt_id": self.example_id,
            "chosen_model": self.chosen_model,
            "chosen_sample": self.chosen_sample,
            "rejected_model": self.rejected_model,
            "rejected_sample": self.rejected_sample,
        }


@dataclass(frozen=True)
class Drop:
    """A prompt that yields no pair, and why (one of ``DROP_REASONS``)."""

    example_id: str
    reason: str

    def __post_init__(self) -> None:
        if self.reason not in DROP_REASONS:
            raise ValueError(f"unknown drop reason {self.reason!r}; known: {', '.join(DROP_REASONS)}")


def build_pair(
    example_id: str,
    chosen_candidates: Sequence[Candidate],
    base_candidates: Sequence[Candidate],
    rng: random.Random,
    *,
    coupled: bool = False,
    consistency: Callable[[str], bool] | None = None,
) -> Pair | Drop:
    """One pair for one prompt, or the reason there is none.

    chosen: a chosen-model candidate that is correct, well formatted and (optionally) passes ``consistency``.
    rejected: a base candidate that is correct (default, "decoupled": the pair differs only in format) or, with
    ``coupled=True`` (the paper's ablation), incorrect; then one random corruption of its text.
    ``rng`` is used in a fixed order (chosen order, rejected pick, corruption), so a seed fixes every pick.
    """
    eligible = [c for c in chosen_candidates if c.correct and c.format_ok]
    if not eligible:
        return Drop(example_id, NO_CHOSEN)
    want_correct = not coupled
    base = [c for c in base_candidates if c.correct == want_correct]
    if not base:
        return Drop(example_id, NO_INCORRECT_BASE if coupled else NO_CORRECT_BASE)
    # A uniform shuffle, then the first that passes the filter = a uniform pick among those that pass, with as few
    # filter calls (possibly a remote judge) as possible.
    order = list(eligible)
    rng.shuffle(order)
    chosen = next((c for c in order if consistency is None or consistency(c.text)), None)
    if chosen is None:
        return Drop(example_id, INCONSISTENT)
    rejected = rng.choice(base)
    name, text = random_corruption(rejected.text, rng)
    return Pair(
        example_id=example_id,
        chosen=chosen.text,
        rejected=text,
        corruption=name,
        rejected_original=rejected.text,
        chosen_model=chosen.model,
        chosen_sample=chosen.sample_index,
        rejected_model=rejected.model,
        rejected_sample=rejected.sample_index,
    )


@dataclass
class DistillStats:
    """Counts over a distillation run: prompts tried, pairs built, why prompts were dropped, which corruptions."""

    prompts: int = 0
    pairs: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    corruptions: Counter[str] = field(default_factory=Counter)

    def add(self, result: Pair | Drop) -> Pair | Drop:
        """Count one ``build_pair`` result; returns it so it can be used inline."""
        self.prompts += 1
        if isinstance(result, Pair):
            self.pairs += 1
            self.corruptions[result.corruption] += 1
        elif isinstance(result, Drop):
            self.dropped[result.reason] += 1
        else:
            raise TypeError(f"expected Pair or Drop, got {type(result).__name__}")
        return result

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts; every reason and corruption is listed (zeros included) in a fixed order."""
        return {
            "prompts": self.prompts,
            "pairs": self.pairs,
            "dropped": {reason: self.dropped[reason] for reason in DROP_REASONS},
            "corruptions": {name: self.corruptions[name] for name in CORRUPTIONS},
        }

    def summary_lines(self) -> list[str]:
        """A short printout: yield, drop reasons, corruption histogram."""
        rate = f" ({100 * self.pairs / self.prompts:.1f}%)" if self.prompts else ""
        lines = [f"prompts tried: {self.prompts}", f"pairs built:   {self.pairs}{rate}"]
        lines.append("dropped:" + ("" if sum(self.dropped.values()) else " none"))
        lines += [f"  {reason:<28} {self.dropped[reason]}" for reason in DROP_REASONS if self.dropped[reason]]
        lines.append("corruptions:")
        top = max(self.corruptions.values(), default=0)
        for name in CORRUPTIONS:
            count = self.corruptions[name]
            bar = "#" * round(20 * count / top) if top else ""
            lines.append(f"  {name:<28} {count:>6} {bar}")
        return lines
