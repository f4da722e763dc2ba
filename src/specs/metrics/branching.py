"""The Rollout Branching Factor (RBF) of Deng et al. 2025 (arXiv 2508.07534), as used by SPECS.

At each generated position, the *nucleus size* is the size of the smallest set of tokens whose cumulative
probability reaches top-p = 0.95 under the distribution the token was sampled from (temperature applied). The
RBF is the mean nucleus size over the generated positions of the sampled responses: 1 means the model is sure of
every token, larger means more plausible continuations at each step (more exploration for RL). SPECS reports
SPECS > SFT cold start > base (arXiv 2510.25801).

During generation the sizes are recorded by ``specs.generation.hf.generate(..., record_nucleus=True)``
(``Sample.nucleus_sizes``); :func:`rollout_branching_factor` averages them and :func:`nucleus_size` is the
reference definition for one distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

DEFAULT_TOP_P = 0.95
# Cumulative mass within this relative distance of the target counts as reaching it, so that float rounding
# (0.6 + 0.3 == 0.8999999999999999 < 0.9) does not add a token. Far below any meaningful probability difference.
_REL_TOL = 1e-9


def nucleus_size(probs: Sequence[float], p: float = DEFAULT_TOP_P) -> int:
    r"""Size of the smallest set of tokens whose cumulative probability reaches ``p``.

    ``probs`` needn't be sorted (the largest probabilities are taken first) and are normalised by their sum, so
    unnormalised weights work too. "Reaches" is inclusive: mass exactly ``p`` is enough (up to a relative
    ``1e-9`` for float rounding). Ties don't matter: the size depends only on the sorted values, whichever of
    several tied tokens is taken first; a run of tied tokens straddling the threshold is counted only as far as
    needed. Zero-probability tokens are never counted, so the size is at most the support's size (also for
    ``p = 1``).

    Args:
        probs (`Sequence[float]`):
            One distribution over the vocabulary: finite, ``>= 0``, with a positive sum.
        p (`float`, *optional*, defaults to `0.95`):
            The top-p threshold, in ``(0, 1]``.

    Returns:
        `int`: The nucleus size, at least 1.

    Raises:
        ValueError: When ``probs`` is empty, holds a negative or non-finite value or sums to 0, or ``p`` is not
            in ``(0, 1]``.

    Example:
    ```python
    >>> nucleus_size([0.05, 0.9, 0.05])  # 0.9 < 0.95, 0.95 reaches it
    2
    >>> nucleus_size([0.97, 0.02, 0.01])
    1
    >>> nucleus_size([0.25, 0.25, 0.25, 0.25], p=0.5)  # a tie straddling the threshold
    2
    >>> nucleus_size([0.1, 0.3, 0.6], p=0.9)  # 0.6 + 0.3 reaches 0.9 despite float rounding
    2
    >>> nucleus_size([1.0] * 512)  # uniform over 512 tokens: ceil(0.95 * 512)
    487

    ```
    """
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 < p <= 1:
        raise ValueError(f"nucleus_size: p must be in (0, 1], got {p!r}")
    if len(probs) == 0:
        raise ValueError("nucleus_size: empty distribution")
    values = []
    for i, x in enumerate(probs):
        if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x) or x < 0:
            raise ValueError(f"nucleus_size: probs[{i}] must be a finite number >= 0, got {x!r}")
        values.append(float(x))
    total = math.fsum(values)
    if total <= 0:
        raise ValueError("nucleus_size: probabilities sum to 0")
    target = p * total * (1.0 - _REL_TOL)
    support = sorted((x for x in values if x > 0), reverse=True)
    mass = 0.0
    for size, x in enumerate(support, start=1):
        mass += x
        if mass >= target:
            return size
    return len(support)  # only reached through rounding when p is (nearly) 1


def _size(i: int, j: int, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"nucleus_sizes[{i}][{j}] must be an integer >= 1 (a nucleus has a token), got {value!r}")
    return int(value)


def rollout_branching_factor(nucleus_sizes: Sequence[Sequence[int]], per_response: bool = False) -> float:
    r"""The Rollout Branching Factor: the mean nucleus size over generated positions.

    Two averages are offered:

    - ``per_response=False`` (**the default**): token-weighted, the mean over all generated positions of all
      responses pooled, so a long response counts in proportion to its length;
    - ``per_response=True``: the mean of the per-response means, so every response counts once.

    Responses with no generated position (empty lists) have nothing to average and are skipped in both modes.

    Args:
        nucleus_sizes (`Sequence[Sequence[int]]`):
            One list per sampled response, holding the nucleus size at each of its generated positions (e.g.
            ``Sample.nucleus_sizes``). Flatten the per-prompt grouping first; it does not enter the average.
        per_response (`bool`, *optional*, defaults to `False`):
            Average per-response means instead of pooling positions.

    Returns:
        `float`: The RBF, at least 1.

    Raises:
        ValueError: When there are no responses, no generated positions at all, or a size is not an
            integer ``>= 1``.

    Example:
    ```python
    >>> rollout_branching_factor([[1, 1, 1, 1, 1, 1], [4, 2]])  # 12 / 8 positions
    1.5
    >>> rollout_branching_factor([[1, 1, 1, 1, 1, 1], [4, 2]], per_response=True)  # (1 + 3) / 2
    2.0

    ```
    """
    if isinstance(nucleus_sizes, (str, bytes)) or len(nucleus_sizes) == 0:
        raise ValueError("rollout_branching_factor: no responses given")
    totals: list[tuple[int, int]] = []  # (sum of sizes, positions) per non-empty response
    for i, response in enumerate(nucleus_sizes):
        if isinstance(response, (str, bytes)) or not isinstance(response, Sequence):
            raise ValueError(f"nucleus_sizes[{i}] must be a list of sizes, got {response!r}")
        if len(response):
            totals.append((sum(_size(i, j, s) for j, s in enumerate(response)), len(response)))
    if not totals:
        raise ValueError(f"rollout_branching_factor: {len(nucleus_sizes)} responses but no generated positions")
    if per_response:
        return math.fsum(total / count for total, count in totals) / len(totals)
    return sum(total for total, _ in totals) / sum(count for _, count in totals)


__all__ = ["DEFAULT_TOP_P", "nucleus_size", "rollout_branching_factor"]
