"""The docstring examples are part of the contract: run them."""

import doctest
import importlib

import pytest

MODULES = [
    "specs.grading.arith",
    "specs.grading.extract",
    "specs.grading.grade",
    "specs.grading.numbers",
    "specs.grading.symbolic",
    "specs.rewards.accuracy_rewards",
    "specs.rewards.completions",
    "specs.rewards.contract",
    "specs.rewards.format_rewards",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
