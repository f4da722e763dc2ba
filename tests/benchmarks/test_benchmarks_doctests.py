"""The examples in the benchmarks docstrings run."""

from __future__ import annotations

import doctest

import pytest

from specs.benchmarks import breakdowns, images


@pytest.mark.parametrize("module", [breakdowns, images])
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
