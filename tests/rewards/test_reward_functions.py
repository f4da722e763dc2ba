import logging
import math
import pickle

import pytest

from specs.rewards import (
    ACCURACY_WEIGHT,
    FORMAT_WEIGHT,
    CompositeReward,
    RewardScore,
    accuracy_reward,
    composite_reward,
    format_reward,
    score,
)

GOOD = "<think>3*4=12</think><answer>The answer is $\\boxed{12}$</answer>"
HACK = "<think>3*4</think.</think><answer>12</answer>"


def conv(text):
    return [{"role": "assistant", "content": text}]


def parts(text):
    half = len(text) // 2
    content = [{"type": "text", "text": text[:half]}, {"type": "text", "text": text[half:]}]
    return [{"role": "assistant", "content": content}]


SHAPES = [lambda t: t, conv, parts]


@pytest.mark.parametrize("shape", SHAPES, ids=["str", "messages", "parts"])
def test_format_reward_shapes(shape):
    completions = [shape(GOOD), shape(HACK), shape("12"), shape("")]
    assert format_reward(completions) == [0.5, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("shape", SHAPES, ids=["str", "messages", "parts"])
def test_accuracy_reward_shapes(shape):
    completions = [shape(GOOD), shape("<think>12</think><answer>13</answer>"), shape("The answer is 12.")]
    assert accuracy_reward(completions, answer=["12", "12", "12"]) == [1.0, 0.0, 1.0]


def test_names_for_trl_logging():
    assert format_reward.__name__ == "format_reward"
    assert accuracy_reward.__name__ == "accuracy_reward"
    assert composite_reward.__name__ == "composite_reward"


def test_trl_calls_with_keywords_and_extra_columns():
    logged = {}
    rewards = accuracy_reward(
        prompts=["p"] * 2,
        completions=[conv(GOOD), conv("<think>x</think><answer>B</answer>")],
        completion_ids=[[1], [2]],
        answer=["12", "60°"],
        choices=[None, ["40°", "60°"]],
        answer_type=["integer", None],
        precision=[None, float("nan")],
        question=["q1", "q2"],
        trainer_state=None,
        log_extra=lambda name, values: logged.setdefault(name, values),
        log_metric=lambda name, value: None,
    )
    assert rewards == [1.0, 1.0]
    assert logged["extracted_answer"] == ["12", "B"]


def test_missing_optional_columns():
    assert accuracy_reward([GOOD], answer=["12"]) == [1.0]
    assert accuracy_reward([GOOD], answer=["12"], choices=None, answer_type=None, precision=None) == [1.0]


def test_missing_gold_scores_zero_and_warns(caplog):
    with caplog.at_level(logging.WARNING):
        assert accuracy_reward([GOOD, GOOD]) == [0.0, 0.0]
        assert accuracy_reward([GOOD, GOOD], answer=["12", None]) == [1.0, 0.0]
    assert "no gold answer" in caplog.text


def test_trl_solution_column_is_accepted():
    assert accuracy_reward([GOOD], solution=["12"]) == [1.0]


def test_mmmu_string_encoded_options():
    completion = "<think>x</think><answer>B</answer>"
    assert accuracy_reward([completion], answer=["B"], choices=["['5', '10', '15']"]) == [1.0]


def test_column_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="column 'answer'"):
        accuracy_reward([GOOD, GOOD], answer=["12"])


REWARD_HACKS = [
    "<think>x</think><answer>12</answer><answer>13</answer>",  # two disagreeing blocks
    "<think>x</think><answer></answer>",  # empty
    "<think>the answer is 12</think>",  # only inside think
    "<think>x <answer>12</answer></think>",  # answer block inside think only
    "<think>x <answer>12</answer></think> \\boxed{12}",  # ... with a boxed value outside
    "<think>x</think><answer>12",  # truncated answer block
    "<think>never closed \\boxed{12}",
    "<think>x</think><answer>12 or 13</answer>",
]


@pytest.mark.parametrize("completion", REWARD_HACKS)
def test_reward_hacks_earn_no_accuracy(completion):
    assert accuracy_reward([completion], answer=["12"]) == [0.0]


@pytest.mark.parametrize(
    "completion, choices, gold",
    [
        ("<think>x</think><answer>A or B</answer>", ["1", "2", "3"], "A"),
        ("<think>x</think><answer>E</answer>", ["1", "2", "3"], "C"),
        ("<think>x</think><answer>A triangle.</answer>", ["3", "4"], "A"),
    ],
)
def test_multiple_choice_hacks(completion, choices, gold):
    assert accuracy_reward([completion], answer=[gold], choices=[choices]) == [0.0]


def test_no_tags_falls_back_to_normal_extraction():
    assert accuracy_reward(["So the final answer is \\boxed{12}."], answer=["12"]) == [1.0]
    assert format_reward(["So the final answer is \\boxed{12}."]) == [0.0]


def test_score_contract():
    assert score(GOOD, "12") == RewardScore(overall=1.5, format=1.0, accuracy=1.0, extracted="12")
    assert score(HACK, "12").overall == 1.0  # accuracy from the only answer block, no format credit
    assert score("<think>x</think><answer>13</answer>", "12").overall == 0.5
    assert score("", "12").overall == 0.0
    weighted = score(GOOD, "12", format_weight=0.2, accuracy_weight=0.8)
    assert math.isclose(weighted.overall, 1.0) and weighted.format == 1.0
    assert FORMAT_WEIGHT == 0.5 and ACCURACY_WEIGHT == 1.0


def test_composite_reward_equals_the_sum():
    completions = [GOOD, HACK, "12", "<think>x</think><answer>13</answer>"]
    kwargs = {"answer": ["12"] * 4}
    fmt, acc = format_reward(completions), accuracy_reward(completions, **kwargs)
    total = [f + a for f, a in zip(fmt, acc, strict=True)]
    assert composite_reward(completions, **kwargs) == total == [1.5, 1.0, 1.0, 0.5]


def test_custom_weights_and_pickling():
    reward = CompositeReward(format_weight=1.0, accuracy_weight=2.0)
    assert reward([GOOD], answer=["12"]) == [3.0]
    clone = pickle.loads(pickle.dumps(reward))
    assert clone([GOOD], answer=["12"]) == [3.0] and clone.__name__ == "composite_reward"
