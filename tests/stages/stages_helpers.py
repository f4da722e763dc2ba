"""Shared checks for stage tests."""

from pathlib import Path

from safetensors.torch import load_file

from specs.data.prompt import load_prompt

TOY = load_prompt("toy")  # the toy recipes' prompt


def changed_parameters(before: Path, after: Path, atol: float = 0.0) -> dict[str, bool]:
    """name → whether the tensor differs between two saved model folders."""
    a, b = load_file(before / "model.safetensors"), load_file(after / "model.safetensors")
    assert a.keys() == b.keys()
    return {k: not (a[k] - b[k]).abs().max().item() <= atol for k in a}


def toy_pair_rows(data: Path, n: int = 8) -> dict[str, list]:
    """Columns for DPO (prompt/chosen/rejected) and SFT (prompt/completion) from the first ``n`` toy records."""
    from specs.data.records import load_examples

    rows = {"prompt": [], "chosen": [], "rejected": [], "completion": [], "images": []}
    for e in load_examples(data)[:n]:
        good = f"<think>{e.meta['solution']}</think>\n<answer>{e.answer}</answer>"
        rows["prompt"].append(TOY.messages(e))
        rows["chosen"].append([{"role": "assistant", "content": good}])
        rows["completion"].append([{"role": "assistant", "content": good}])
        rows["rejected"].append([{"role": "assistant", "content": f"{e.meta['solution']} Answer: {e.answer}"}])
        rows["images"].append([str(p) for p in e.images])
    return rows


def dataset(rows: dict[str, list], keys: list[str]):
    """A ``datasets.Dataset`` of the chosen columns, images decoded lazily."""
    import datasets

    ds = datasets.Dataset.from_dict({k: rows[k] for k in keys})
    return ds.cast_column("images", datasets.List(datasets.Image()))
