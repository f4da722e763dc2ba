import doctest

import pytest

import specs.pairs.consistency
import specs.pairs.corruptions


@pytest.mark.parametrize("module", [specs.pairs.corruptions, specs.pairs.consistency])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
