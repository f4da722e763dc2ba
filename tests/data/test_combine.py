import json

from PIL import Image
from typer.testing import CliRunner

from specs.cli import app
from specs.data.records import load_examples


def source(folder, name, n):
    """A canonical file with its own images folder, ids 0..n-1 (so two sources collide)."""
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(folder / "images" / "a.png")
    rows = [{"id": str(i), "question": f"{name} {i}", "answer": "1", "images": ["images/a.png"]} for i in range(n)]
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_combine_merges_sources_and_holds_out_a_slice(tmp_path):
    a, b = source(tmp_path / "orsta", "orsta", 6), source(tmp_path / "virl", "virl", 4)
    out, held = tmp_path / "out" / "train.jsonl", tmp_path / "elsewhere" / "id-test.jsonl"
    args = ["data", "combine", str(a), str(b), "--out", str(out), "--holdout", "3", "--holdout-out", str(held)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    train, test = load_examples(out), load_examples(held)  # images resolve from the new folders
    assert (len(train), len(test)) == (7, 3)
    ids = [e.id for e in train + test]
    assert len(set(ids)) == 10 and "virl/0" in ids
    assert {e.question for e in train}.isdisjoint({e.question for e in test})
    again = tmp_path / "again.jsonl"
    CliRunner().invoke(app, [*args[:4], "--out", str(again), "--holdout", "3", "--holdout-out", str(tmp_path / "h")])
    assert [e.id for e in load_examples(again)] == [e.id for e in train]  # the same seed holds out the same records


def test_combine_names_the_bad_record_and_writes_nothing(tmp_path):
    a = source(tmp_path / "a", "a", 2)
    a.write_text(a.read_text() + '{"id": "x", "question": "q"}\n')
    out = tmp_path / "train.jsonl"
    result = CliRunner().invoke(app, ["data", "combine", str(a), "--out", str(out)])
    assert result.exit_code == 1 and f"{a}:3: field 'answer'" in result.output
    assert not out.exists()
