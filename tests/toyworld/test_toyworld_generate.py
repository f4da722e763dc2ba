"""Split writing: validity, determinism, split separation, the family/format mixes and the blind baseline."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from toyworld_helpers import bucket, read_rows, scene_key

from specs.data.prompt import load_prompt, phrasing_index
from specs.data.records import load_examples, parse_example
from specs.toyworld.generate import SPLIT_BUCKETS, generate_split
from specs.toyworld.questions import FAMILIES, ID_FAMILIES, OOD_FAMILIES


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_every_record_validates(splits) -> None:
    for split, path in splits.items():
        examples = load_examples(path)
        assert [e.id for e in examples] == [f"{split}-{i:06d}" for i in range(len(examples))]
        for example in examples:
            assert len(example.images) == 1 and example.images[0].is_file()
            assert example.images[0].parent == path.parent / "images" / split
            assert example.meta["split"] == split


@pytest.mark.parametrize("split", ["train", "ood-test"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, split: str) -> None:
    generate_split(tmp_path / "a", split, 80, seed=3)
    generate_split(tmp_path / "b", split, 80, seed=3)
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert len(a) == 82 and a == b  # 80 PNGs + the JSONL + specs' mark, no temp files left behind


def test_different_seeds_differ(tmp_path: Path) -> None:
    one = read_rows(generate_split(tmp_path / "a", "train", 50, seed=0))
    two = read_rows(generate_split(tmp_path / "b", "train", 50, seed=1))
    assert sum(r["meta"]["scene"] == s["meta"]["scene"] for r, s in zip(one, two, strict=True)) < 5


def test_rerun_with_fewer_examples_removes_stale_images(tmp_path: Path) -> None:
    generate_split(tmp_path, "id-test", 30, seed=0)
    path = generate_split(tmp_path, "id-test", 10, seed=0)
    assert len(list((tmp_path / "images" / "id-test").iterdir())) == 10
    assert len(load_examples(path)) == 10


def test_splits_never_share_a_scene(splits, tmp_path: Path) -> None:
    extra = {
        "train": generate_split(tmp_path, "train", 300, seed=11),
        "id-test": generate_split(tmp_path, "id-test", 300, seed=12),
        "ood-test": generate_split(tmp_path, "ood-test", 300, seed=13),
    }
    scenes: dict[str, set[str]] = defaultdict(set)
    for group in (splits, extra):
        for split, path in group.items():
            name = "train" if split == "pretrain" else split  # pretrain shares the train bucket by design
            for row in read_rows(path):
                assert bucket(row["meta"]["scene"]) in SPLIT_BUCKETS[split], (split, row["id"])
                scenes[name].add(scene_key(row["meta"]["scene"]))
    assert not scenes["train"] & scenes["id-test"]
    assert not scenes["train"] & scenes["ood-test"]
    assert not scenes["id-test"] & scenes["ood-test"]


def test_scene_and_query_pairs_are_unique_within_a_split(splits) -> None:
    for path in splits.values():
        rows = read_rows(path)
        assert len({(scene_key(r["meta"]["scene"]), r["question"]) for r in rows}) == len(rows)


def share(counter: Counter, key: str) -> float:
    return counter[key] / sum(counter.values())


@pytest.mark.parametrize("split", ["train", "id-test"])
def test_id_splits_mix(splits, split: str) -> None:
    rows = read_rows(splits[split])
    families = Counter(r["meta"]["family"] for r in rows)
    assert set(families) == set(ID_FAMILIES)
    assert all(0.12 < share(families, f) < 0.28 for f in ID_FAMILIES)
    assert {r["meta"]["format"] for r in rows} == {"tags"}
    phrasings = Counter(phrasing_index(r["id"], 5) for r in rows)  # what the toy prompt spec picks
    assert set(phrasings) == set(range(5)) and all(0.12 < share(phrasings, i) < 0.28 for i in range(5))
    assert all("ood" not in r["meta"] for r in rows)


def test_ood_split_mix(splits) -> None:
    rows = read_rows(splits["ood-test"])
    kinds = Counter(r["meta"]["ood"] for r in rows)
    assert set(kinds) == {"family", "format", "both"} and all(0.25 < share(kinds, k) < 0.42 for k in kinds)
    for row in rows:
        meta = row["meta"]
        expect_family = ID_FAMILIES if meta["ood"] == "format" else OOD_FAMILIES
        assert meta["family"] in expect_family
        assert meta["format"] == ("tags" if meta["ood"] == "family" else "boxed")
    assert {r["meta"]["family"] for r in rows} == set(FAMILIES)
    assert {phrasing_index(r["id"], 2) for r in rows if r["meta"]["format"] == "boxed"} == {0, 1}


def test_pretrain_mix(splits) -> None:
    rows = read_rows(splits["pretrain"])
    families = Counter(r["meta"]["family"] for r in rows)
    assert set(families) == set(FAMILIES) and all(0.06 < share(families, f) < 0.17 for f in FAMILIES)
    formats = Counter(r["meta"]["format"] for r in rows)
    assert 0.53 < share(formats, "tags") < 0.67
    assert 0.19 < share(formats, "boxed") < 0.31
    assert 0.10 < share(formats, "plain") < 0.20
    toy = load_prompt("toy")
    pairs = {(r["meta"]["format"], toy.instruction(parse(r))) for r in rows}
    assert pairs == {(fmt, text) for fmt, phrasings in toy.instructions.items() for text in phrasings}


def parse(row: dict):
    return parse_example(row, Path("pretrain.jsonl"), 1, check_images=False)


def blind_accuracy(rows: list[dict], reference: list[dict] | None = None) -> tuple[float, dict[str, float]]:
    """Accuracy of answering each family's most common answer (learned on ``reference``) without the image."""
    by_family: dict[str, Counter] = defaultdict(Counter)
    for row in reference or rows:
        by_family[row["meta"]["family"]][row["answer"]] += 1
    guess = {family: counts.most_common(1)[0][0] for family, counts in by_family.items()}
    hits: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        hits[row["meta"]["family"]].append(guess.get(row["meta"]["family"]) == row["answer"])
    total = sum(sum(h) for h in hits.values()) / len(rows)
    return total, {family: round(sum(h) / len(h), 3) for family, h in sorted(hits.items())}


def test_blind_baseline_is_low_on_id_test(splits) -> None:
    id_test, train = read_rows(splits["id-test"]), read_rows(splits["train"])
    oracle_total, per_family = blind_accuracy(id_test)  # best possible constant per family (fitted on id-test)
    fitted_total, _ = blind_accuracy(id_test, reference=train)
    print(f"blind baseline id-test: {oracle_total:.3f} (fitted on train: {fitted_total:.3f}) {per_family}")
    assert oracle_total <= 0.35 and fitted_total <= 0.35
    assert all(value <= 0.40 for value in per_family.values())


def test_bad_arguments_raise(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown split"):
        generate_split(tmp_path, "validation", 10, seed=0)
    with pytest.raises(ValueError, match="positive"):
        generate_split(tmp_path, "train", 0, seed=0)
    assert not list(tmp_path.iterdir())
