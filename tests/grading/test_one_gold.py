"""One meaning of "correct" (issue 21): every consumer grades against ``answer`` plus ``meta.answers``, with the
reward's strict reading unless a caller opts into the lenient one.

Before: the GRPO reward read only ``answer`` while eval read ``meta.answers`` instead (reward 0.0, eval 1.0 for
the same response), and ``specs grade`` was lenient where the reward was strict.
"""

import json

import pytest

from specs.data.loader import to_rows
from specs.data.prompt import PromptSpec
from specs.data.records import Example
from specs.grading import accepted_golds, grade
from specs.grading.cli import grade_line
from specs.judge.accuracy import JudgeAccuracyReward
from specs.rewards import accuracy_reward, composite_reward, score_example
from specs.stages.evaluate import grade_sample

EXAMPLE = Example("m1", "Which process?", "mitosis", (), meta={"answers": ["mitosis", "cell division"]})
BY_ALTERNATIVE = "<think>the cell splits in two</think><answer>cell division</answer>"
BY_ANSWER = "<think>the cell splits in two</think><answer>Mitosis</answer>"
WRONG = "<think>guess</think><answer>meiosis</answer>"
TRUNCATED = "<think>the cell splits in two</think><answer>mitosis"


class _SaysNo:
    """A judge that rejects every free-form answer it is shown: the rules alone must decide what is correct."""

    def ask_many(self, prompts):
        return ["no"] * len(prompts)


def _verdicts(response: str) -> dict[str, bool]:
    rows = to_rows([EXAMPLE], PromptSpec())
    columns = {k: v for k, v in rows.items() if k not in ("prompt", "images", "id")}
    judge = JudgeAccuracyReward.__new__(JudgeAccuracyReward)
    judge.client = _SaysNo()
    cli_row = {"response": response, "ground_truth": EXAMPLE.answer, "answers": EXAMPLE.meta["answers"]}
    return {
        "reward": accuracy_reward([response], **columns) == [1.0],
        "composite": composite_reward([response], **columns)[0] >= 1.0,
        "judge_reward": judge([response], **columns) == [1.0],
        "score_example (distill)": score_example(response, EXAMPLE).accuracy == 1.0,
        "eval": grade_sample(EXAMPLE, response)[0],
        "specs grade": grade_line(json.loads(json.dumps(cli_row)), 1)["correct"],
        "grade": grade(response, accepted_golds(EXAMPLE.answer, EXAMPLE.meta["answers"])).correct,
    }


@pytest.mark.parametrize(
    ("response", "expected"), [(BY_ALTERNATIVE, True), (BY_ANSWER, True), (WRONG, False), (TRUNCATED, False)]
)
def test_every_consumer_agrees(response, expected):
    verdicts = _verdicts(response)
    assert set(verdicts.values()) == {expected}, verdicts


def test_lenient_is_opt_in():
    assert not grade(TRUNCATED, "mitosis").correct
    assert grade(TRUNCATED, "mitosis", strict=False).correct
    row = {"response": TRUNCATED, "ground_truth": "mitosis"}
    assert not grade_line(row, 1)["correct"] and grade_line(row, 1, strict=False)["correct"]


def test_the_gold_rule():
    assert accepted_golds("24/7", ["3.429", "24/7"]) == ["24/7", "3.429"]
    assert accepted_golds(["a", "b"], ["b", "c"]) == ["a", "b", "c"]
    assert accepted_golds([2014, 2016], [[1, 2]], "list") == [2014, 2016]
    assert accepted_golds(None, [" "]) is None
