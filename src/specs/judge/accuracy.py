"""R_acc with an LLM judge for free-form golds (the paper's R_llm), as a TRL reward function.

Here, not in rewards/: the rewards are pure Python below the judge's client; this use of the client sits above both.

Why: the rule grader matches a short text answer only verbatim (after normalisation), so "3" against the
gold "three", or "on the left" against "left side", earns nothing. For such golds — not multiple choice, not
a number, not maths — the judge says whether the extracted answer means the gold. Everything else, and
every answer the rules already accept, stays with the rule grader (the judge is asked only where it could
change the verdict). Rule grading stays the default (``accuracy: rule``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from specs.grading import extract_answer, grade_answer
from specs.grading.choices import gold_letter
from specs.judge.client import JudgeClient
from specs.judge.config import JudgeConfig
from specs.judge.prompts import match_prompt, yes_no
from specs.rewards.completions import Completion, as_choices, column, completion_text
from specs.rewards.contract import ACCURACY_WEIGHT, gold_column

_MATHY = re.compile(r"[\d\\^_=+*/<>{}|$]")  # digits, LaTeX and operators: the rule grader's ground


def is_free_form(gold: Any, choices: Any = None, answer_type: str | None = None) -> bool:
    """Whether ``gold`` is short free-form text: no options, no numeric or list type, no digits or maths, no
    option letter. A list gold (accepted alternatives) is free-form when every alternative is.

    >>> is_free_form("a red bus"), is_free_form("12"), is_free_form("B"), is_free_form("x^2"), is_free_form(3)
    (True, False, False, False, False)
    >>> is_free_form("red", choices=["red", "blue"]), is_free_form(["Paris", "paris, France"])
    (False, True)
    """
    if as_choices(choices) or answer_type in ("integer", "float", "list"):
        return False
    golds = list(gold) if isinstance(gold, (list, tuple)) else [gold]
    return bool(golds) and all(
        isinstance(g, str) and g.strip() != "" and not _MATHY.search(g) and gold_letter(g.strip()) is None
        for g in golds
    )


class JudgeAccuracyReward:
    r"""``accuracy_reward`` (same columns, same answer reading), with the judge deciding free-form golds.

    Per batch: the rule grader scores every completion; those it marks wrong that have an extracted answer and a
    free-form gold go to the judge in one :meth:`JudgeClient.ask_many` (concurrent; under multi-process
    training, rank 0 asks for every rank). The optional ``question`` column is shown to the judge. A class, not a
    closure, so it pickles; ``__name__`` is ``accuracy_reward`` so TRL logs it where the rule reward's goes.
    """

    def __init__(self, judge: JudgeClient | JudgeConfig):
        self.client = judge if isinstance(judge, JudgeClient) else JudgeClient(judge)
        self.__name__ = "accuracy_reward"  # TRL logs rewards/<__name__>/mean

    def __repr__(self) -> str:
        return f"JudgeAccuracyReward({self.client!r})"

    def __call__(
        self, completions: list[Completion], log_extra: Callable[[str, list], None] | None = None, **kwargs: Any
    ) -> list[float]:
        n = len(completions)
        rows = zip(
            completions, gold_column(kwargs, n), column(kwargs, "choices", n), column(kwargs, "answer_type", n),
            column(kwargs, "precision", n), column(kwargs, "question", n), strict=True,
        )
        correct, extracted, asks = [], [], []
        for i, (completion, gold, choices, kind, places, question) in enumerate(rows):
            answer = extract_answer(completion_text(completion), strict=True).answer
            extracted.append(answer)
            if gold is None:
                correct.append(False)
                continue
            result = grade_answer(answer, gold, choices=as_choices(choices), answer_type=kind, precision=places)
            correct.append(result.correct)
            if not result.correct and answer and result.method != "too_long" and is_free_form(gold, choices, kind):
                asks.append((i, match_prompt(answer, gold, question)))
        replies = self.client.ask_many([prompt for _, prompt in asks])  # every rank calls it, even with none
        verdicts: list[str | None] = [None] * n
        for (i, _), reply in zip(asks, replies, strict=True):
            verdict = yes_no(reply)
            if verdict is None:
                raise self.client.error(f"replied neither yes nor no: {reply[:100]!r}; use a judge.model that "
                                        "follows the instruction, or accuracy: rule")
            correct[i], verdicts[i] = verdict, "yes" if verdict else "no"
        if log_extra is not None:
            log_extra("extracted_answer", extracted)
            log_extra("judge_verdict", verdicts)
        return [ACCURACY_WEIGHT * float(c) for c in correct]
