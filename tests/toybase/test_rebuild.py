"""The shipped toy base is what ``specs toy-base --force`` builds: a rebuild's card matches within noise."""

import pytest

from specs.toybase.prebuilt import prebuilt_card
from specs.toybase.pretrain import build_toy_base

TOLERANCE = 0.08  # about two standard errors at n = 200 (CPU kernels may differ between machines)


@pytest.mark.slow
def test_a_rebuild_matches_the_prebuilt_card(tmp_path):
    shipped = prebuilt_card()
    rebuilt = build_toy_base(tmp_path / "base", force=True)
    assert rebuilt["settings"] == shipped["settings"] and rebuilt["prompt"] == shipped["prompt"]
    for key in ("id-test/greedy", "ood-test/greedy", "id-test/t1"):
        for metric in ("accuracy", "format_rate"):
            assert abs(rebuilt["rates"][key][metric] - shipped["rates"][key][metric]) <= TOLERANCE, (key, metric)
    for metric in ("forced_prefix_gap",):
        assert abs(rebuilt["rl_headroom"][metric] - shipped["rl_headroom"][metric]) <= TOLERANCE
