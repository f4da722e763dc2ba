"""The docstring examples are part of the contract: run them."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["specs.metrics.passk", "specs.metrics.generalization", "specs.metrics.branching"])
def test_doctests(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
