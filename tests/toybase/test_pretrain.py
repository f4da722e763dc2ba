"""The toy base behaves like an instruct VLM before RL: sometimes formatted, sometimes right."""

import json
import random

import pytest

from specs.grading.formatcheck import follows_format
from specs.toybase.pretrain import CARD, ToyBaseConfig, build_toy_base, cached_card
from specs.toybase.transcripts import FOLLOW_PROB, base_transcript, formatted


def test_transcripts_follow_the_phrasing_habit():
    rng = random.Random(0)
    meta = {"format": "tags", "solution": "There are 3 objects."}
    often = sum(follows_format(base_transcript(meta, "3", 0, rng), "tags") for _ in range(2000)) / 2000
    rarely = sum(follows_format(base_transcript(meta, "3", 3, rng), "tags") for _ in range(2000)) / 2000
    assert abs(often - FOLLOW_PROB["tags"][0]) < 0.03 and abs(rarely - FOLLOW_PROB["tags"][3]) < 0.03


@pytest.mark.parametrize("style", ["tags", "boxed", "plain"])
def test_each_style_satisfies_its_own_check(style):
    assert follows_format(formatted(style, "There are 3 objects.", "3"), style)
    assert not follows_format(formatted("prose", "There are 3 objects.", "3"), style)


def test_card_rates_are_inside_the_targets(toy_base):
    """n = 200 held-out prompts per split; one standard error is about ±3.5 points, so the targets are
    checked with a 5-point tolerance."""
    card = json.loads((toy_base / CARD).read_text())
    tol = 0.05
    greedy = card["rates"]["id-test/greedy"]
    assert greedy["n"] == 200
    assert 0.30 - tol <= greedy["format_rate"] <= 0.50 + tol
    assert 0.30 - tol <= greedy["accuracy"] <= 0.60 + tol
    assert greedy["accuracy"] > 0.30  # well above the blind baseline (~0.2 on id-test)
    ood = card["rates"]["ood-test/greedy"]["breakdown"]
    assert 0.2 <= ood["format=boxed"]["format_rate"] <= 0.98  # partly follows the OOD format instruction


def test_cache_is_reused_and_settings_are_checked(toy_base):
    assert cached_card(toy_base, ToyBaseConfig()) is not None
    assert cached_card(toy_base, ToyBaseConfig(steps=7)) is None
    before = (toy_base / "model.safetensors").stat().st_mtime
    build_toy_base(toy_base)
    assert (toy_base / "model.safetensors").stat().st_mtime == before
