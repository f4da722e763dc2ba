"""The docstring examples are part of the contract: every module of ``specs`` that has some runs them."""

import doctest
import importlib
from pathlib import Path

import pytest

import specs

ROOT = Path(specs.__file__).parent
MODULES = sorted(
    ".".join(("specs", *path.relative_to(ROOT).with_suffix("").parts))
    for path in ROOT.rglob("*.py")
    if ">>> " in path.read_text()
)


def test_modules_with_examples_are_found():
    assert {"specs.grading.grade", "specs.metrics.passk", "specs.generation.vllm_engine"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
