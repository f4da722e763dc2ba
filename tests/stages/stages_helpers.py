"""Shared checks for stage tests."""

from pathlib import Path

from safetensors.torch import load_file


def changed_parameters(before: Path, after: Path, atol: float = 0.0) -> dict[str, bool]:
    """name → whether the tensor differs between two saved model folders."""
    a, b = load_file(before / "model.safetensors"), load_file(after / "model.safetensors")
    assert a.keys() == b.keys()
    return {k: not (a[k] - b[k]).abs().max().item() <= atol for k in a}
