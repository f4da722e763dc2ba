import random
from collections import Counter

import pytest

from specs.grading.formatcheck import format_ok
from specs.pairs.corruptions import CORRUPTIONS, corrupt
from specs.pairs.selection import DROP_REASONS, Candidate, DistillStats, Drop, Pair, build_pair


def good(i: int, answer: str = "4") -> str:
    return f"<think>step {i}: 2+2={answer}.</think><answer>{answer}</answer>"


def cand(model: str, i: int, correct: bool, text: str | None = None) -> Candidate:
    return Candidate.graded(model, i, text if text is not None else good(i, "4" if correct else "5"), correct)


CHOSEN = [cand("grpo-zero", i, correct=True) for i in range(4)]
BASE = [cand("base", i, correct=(i % 2 == 0)) for i in range(6)]  # 0, 2, 4 correct; 1, 3, 5 incorrect


def test_decoupled_pair_differs_in_format_only():
    pair = build_pair("p1", CHOSEN, BASE, random.Random(0))
    assert isinstance(pair, Pair)
    assert pair.chosen_model == "grpo-zero" and pair.rejected_model == "base"
    assert pair.chosen == good(pair.chosen_sample)
    assert pair.rejected_sample in (0, 2, 4)  # a correct base response
    assert pair.rejected_original == BASE[pair.rejected_sample].text
    assert pair.rejected == corrupt(pair.rejected_original, pair.corruption)
    assert format_ok(pair.chosen) and not format_ok(pair.rejected)


def test_coupled_pair_rejects_an_incorrect_base_response():
    for seed in range(20):
        pair = build_pair("p1", CHOSEN, BASE, random.Random(seed), coupled=True)
        assert isinstance(pair, Pair)
        assert pair.rejected_sample in (1, 3, 5)


def test_same_seed_same_pair_and_all_candidates_reachable():
    pairs = [build_pair("p1", CHOSEN, BASE, random.Random(seed)) for seed in range(200)]
    assert pairs == [build_pair("p1", CHOSEN, BASE, random.Random(seed)) for seed in range(200)]
    assert {p.chosen_sample for p in pairs} == {0, 1, 2, 3}
    assert {p.rejected_sample for p in pairs} == {0, 2, 4}
    assert {p.corruption for p in pairs} == set(CORRUPTIONS)


def test_picks_are_roughly_uniform():
    rng = random.Random(5)
    counts = Counter(build_pair("p", CHOSEN, BASE, rng).chosen_sample for _ in range(2000))
    assert all(400 < counts[i] < 600 for i in range(4)), counts


@pytest.mark.parametrize(
    "chosen",
    [
        [],
        [cand("grpo-zero", 0, correct=False)],  # formatted but wrong
        [cand("grpo-zero", 0, correct=True, text="2+2=4, so 4")],  # right but unformatted
    ],
)
def test_drop_no_correct_formatted_chosen(chosen):
    assert build_pair("p", chosen, BASE, random.Random(0)) == Drop("p", "no_correct_formatted_chosen")


def test_drop_no_correct_base():
    wrong = [cand("base", i, correct=False) for i in range(3)]
    assert build_pair("p", CHOSEN, wrong, random.Random(0)) == Drop("p", "no_correct_base")
    assert build_pair("p", CHOSEN, [], random.Random(0)) == Drop("p", "no_correct_base")


def test_drop_no_incorrect_base_when_coupled():
    right = [cand("base", i, correct=True) for i in range(3)]
    assert build_pair("p", CHOSEN, right, random.Random(0), coupled=True) == Drop("p", "no_incorrect_base")


def test_drop_inconsistent_chosen():
    assert build_pair("p", CHOSEN, BASE, random.Random(0), consistency=lambda t: False) == Drop(
        "p", "inconsistent_chosen"
    )


def test_consistency_keeps_only_passing_chosen():
    passes = lambda text: "step 2" in text  # noqa: E731
    for seed in range(30):
        assert build_pair("p", CHOSEN, BASE, random.Random(seed), consistency=passes).chosen_sample == 2


def test_cheap_checks_come_before_the_filter():
    calls = []

    def spy(text):
        calls.append(text)
        return True

    wrong = [cand("base", 0, correct=False)]
    assert build_pair("p", CHOSEN, wrong, random.Random(0), consistency=spy).reason == "no_correct_base"
    assert build_pair("p", [], [], random.Random(0), consistency=spy).reason == "no_correct_formatted_chosen"
    assert calls == []
    build_pair("p", CHOSEN, BASE, random.Random(0), consistency=spy)
    assert len(calls) == 1  # stops at the first passing candidate


def test_mislabelled_candidate_raises_instead_of_dropping():
    liar = Candidate("grpo-zero", 0, "no tags at all", correct=True, format_ok=True)
    with pytest.raises(ValueError, match="chosen response is not well formatted"):
        build_pair("p", [liar], BASE, random.Random(0))


def test_pair_invariants():
    kwargs = dict(example_id="p", corruption="strip_all", rejected_original=good(0), chosen_model="a", chosen_sample=0)
    kwargs |= dict(rejected_model="b", rejected_sample=1)
    Pair(chosen=good(0), rejected="4", **kwargs)
    with pytest.raises(ValueError, match="chosen"):
        Pair(chosen="4", rejected="4", **kwargs)
    with pytest.raises(ValueError, match="must not be well formatted"):
        Pair(chosen=good(0), rejected=good(1), **kwargs)
    with pytest.raises(ValueError, match="unknown corruption"):
        Pair(chosen=good(0), rejected="4", **(kwargs | {"corruption": "shout"}))


def test_provenance():
    pair = build_pair("p9", CHOSEN, BASE, random.Random(3))
    assert pair.provenance() == {
        "prompt_id": "p9",
        "chosen_model": "grpo-zero",
        "chosen_sample": pair.chosen_sample,
        "rejected_model": "base",
        "rejected_sample": pair.rejected_sample,
    }


def test_drop_reason_vocabulary():
    assert set(DROP_REASONS) == {"no_correct_formatted_chosen", "inconsistent_chosen", "no_correct_base",
                                 "no_incorrect_base"}  # fmt: skip
    with pytest.raises(ValueError, match="unknown drop reason"):
        Drop("p", "bad luck")


def test_candidate_graded_computes_format():
    assert Candidate.graded("m", 0, good(0), True).format_ok
    assert not Candidate.graded("m", 0, "4", True).format_ok


def test_distill_stats():
    stats = DistillStats()
    rng = random.Random(0)
    for i in range(10):
        stats.add(build_pair(f"p{i}", CHOSEN, BASE, rng))
    stats.add(build_pair("x", [], BASE, rng))
    stats.add(build_pair("y", CHOSEN, [], rng))
    stats.add(build_pair("z", CHOSEN, BASE, rng, consistency=lambda t: False))
    d = stats.as_dict()
    assert d["prompts"] == 13 and d["pairs"] == 10
    assert d["dropped"] == {
        "no_correct_formatted_chosen": 1,
        "no_correct_base": 1,
        "no_incorrect_base": 0,
        "inconsistent_chosen": 1,
    }
    assert list(d["corruptions"]) == list(CORRUPTIONS) and sum(d["corruptions"].values()) == 10
    text = "\n".join(stats.summary_lines())
    assert "prompts tried: 13" in text and "pairs built:   10 (76.9%)" in text
    assert "inconsistent_chosen" in text and "no_incorrect_base" not in text
    assert all(name in text for name in CORRUPTIONS)
    with pytest.raises(TypeError):
        stats.add("not a result")


def test_empty_stats_summary():
    assert DistillStats().summary_lines()[:3] == ["prompts tried: 0", "pairs built:   0", "dropped: none"]
