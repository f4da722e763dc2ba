"""The toy base behaves like an instruct VLM before RL, sees, and leaves RL something to select."""

import json
import random

import pytest

from specs.data.prompt import load_prompt
from specs.grading.formatcheck import follows_format
from specs.toybase.prebuilt import PREBUILT, install_prebuilt, prebuilt_card
from specs.toybase.pretrain import CARD, ToyBaseConfig, build_toy_base, cached_card, corpus
from specs.toybase.transcripts import (
    FOLLOW_PROB,
    GLANCE_SHARE,
    base_transcript,
    formatted,
    glance_solution,
    procedure_of,
)

SCENE = [{"cell": c, "shape": "square", "colour": "red"} for c in range(7)] + [
    {"cell": 7, "shape": "circle", "colour": "blue"}
]
META = {"family": "count_all", "scene": SCENE, "solution": "There are 8 objects.", "format": "tags"}
QUESTION = "How many objects are there?"


def test_glance_compresses_large_counts_and_derives_other_answers():
    assert glance_solution(META, QUESTION, None) == ("At a glance, about 6.", "6")
    meta = {**META, "family": "subtract"}
    assert glance_solution(meta, "Subtract all red squares. How many objects are left?", None)[1] == "1"
    assert glance_solution({**META, "family": "count_color"}, "How many blue objects are there?", None)[1] == "1"


def test_procedures_are_mixed_independently_of_the_format():
    rng = random.Random(0)
    texts = [base_transcript(META, QUESTION, "8", 0, rng) for _ in range(4000)]
    share = sum(procedure_of(t) == "glance" for t in texts) / len(texts)
    tagged = [t for t in texts if t.startswith("<think>")]
    assert abs(share - GLANCE_SHARE) < 0.03
    assert abs(sum(procedure_of(t) == "glance" for t in tagged) / len(tagged) - GLANCE_SHARE) < 0.04
    assert {procedure_of(t) for t in texts} == {"glance", "count"}


def test_transcripts_follow_the_phrasing_habit():
    rng = random.Random(0)
    often = sum(follows_format(base_transcript(META, QUESTION, "8", 0, rng), "tags") for _ in range(2000)) / 2000
    rarely = sum(follows_format(base_transcript(META, QUESTION, "8", 3, rng), "tags") for _ in range(2000)) / 2000
    assert abs(often - FOLLOW_PROB["tags"][0]) < 0.03 and abs(rarely - FOLLOW_PROB["tags"][3]) < 0.03


@pytest.mark.parametrize("style", ["tags", "boxed", "plain"])
def test_each_style_satisfies_its_own_check(style):
    assert follows_format(formatted(style, "There are 3 objects.", "3"), style)
    assert not follows_format(formatted("prose", "There are 3 objects.", "3"), style)


def test_pretraining_prompts_are_the_recipe_prompt(toy_world):
    from specs.data.records import load_examples

    toy = load_prompt("toy")
    examples = load_examples(toy_world["train"])[:6]
    _, messages, responses = corpus(examples, toy, ToyBaseConfig(n_captions=2))
    assert messages[:6] == [toy.messages(e) for e in examples]  # byte-identical to what every stage renders
    assert messages[6:] == [[{"role": "user", "content": "Describe the objects in the image."}]] * 2
    assert responses[6].startswith("I see ") and len(responses) == 8


def test_card_reports_rl_headroom(toy_base):
    """n = 200 held-out prompts; one standard error is about ±3.5 points overall, ±7 per family."""
    card = json.loads((toy_base / CARD).read_text())
    greedy = card["rates"]["id-test/greedy"]
    assert greedy["n"] == 200 and 0.25 <= greedy["format_rate"] <= 0.55
    headroom = card["rl_headroom"]
    assert headroom["forced_prefix_gap"] >= 0.10  # the count procedure beats the greedy glance by >= 10 points
    assert 0.2 <= headroom["t1_procedure_share"]["count"] <= 0.45  # sampled sometimes, not greedily
    assert card["prompt"] == load_prompt("toy").model_dump()


def test_the_prebuilt_base_is_installed_and_cached(toy_base, tmp_path):
    card = prebuilt_card()
    assert card is not None and card["settings"] == ToyBaseConfig().model_dump()
    assert cached_card(toy_base, ToyBaseConfig(), load_prompt("toy")) is not None
    assert cached_card(toy_base, ToyBaseConfig(steps=7), load_prompt("toy")) is None
    assert install_prebuilt(tmp_path / "b", ToyBaseConfig(steps=7).model_dump(), card["prompt"]) is None
    assert build_toy_base(tmp_path / "b") == card
    assert (tmp_path / "b" / "model.safetensors").read_bytes() == (PREBUILT / "model.safetensors").read_bytes()
