"""pass@k: the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on Code").

With ``n`` sampled responses to one problem, ``c`` of them correct, the probability that at least one of ``k``
responses drawn without replacement is correct is::

    pass@k = 1 - C(n - c, k) / C(n, k)            (= 1.0 when n - c < k)

Binomial coefficients overflow floats for realistic ``n``; the ratio is computed as the product
``prod(1 - k / i for i in range(n - c + 1, n + 1))`` (Chen et al.'s numerically stable form), which stays in
[0, 1] term by term. SPECS reports MMMU pass@8 / pass@64 (arXiv 2510.25801).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral


def _count(name: str, value: object) -> int:
    """``value`` as a non-negative ``int``; ``ValueError`` for anything else (floats and bools included)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"pass@k: {name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"pass@k: {name} must be non-negative, got {value}")
    return int(value)


def _check(n: object, c: object, k: object) -> tuple[int, int, int]:
    n, c, k = _count("n", n), _count("c", c), _count("k", k)
    if k < 1:
        raise ValueError(f"pass@k: k must be at least 1, got k={k}")
    if c > n:
        raise ValueError(f"pass@k: more correct samples than samples (c={c} > n={n})")
    if k > n:
        raise ValueError(f"pass@k: k={k} exceeds the number of samples n={n}; draw at least k samples per problem")
    return n, c, k


def pass_at_k(n: int, c: int, k: int) -> float:
    r"""Unbiased pass@k estimate for one problem: ``1 - C(n-c, k) / C(n, k)``.

    Args:
        n (`int`):
            Number of sampled responses (``n >= 1``).
        c (`int`):
            Number of correct responses among them (``0 <= c <= n``).
        k (`int`):
            Budget of attempts (``1 <= k <= n``).

    Returns:
        `float`: The probability, in [0, 1], that at least one of ``k`` responses drawn without replacement from
        the ``n`` is correct. ``1.0`` when ``n - c < k`` (every draw of ``k`` contains a correct response).

    Raises:
        ValueError: When an argument is not an integer (floats and bools are rejected), is negative, or when
            ``k < 1``, ``c > n`` or ``k > n``.

    Example:
    ```python
    >>> round(pass_at_k(n=10, c=3, k=1), 6)  # pass@1 is the plain fraction correct
    0.3
    >>> round(pass_at_k(n=10, c=3, k=2), 6)  # 1 - C(7, 2) / C(10, 2) = 1 - 21/45
    0.533333
    >>> pass_at_k(n=10, c=8, k=3)  # n - c = 2 < 3
    1.0
    >>> pass_at_k(n=10, c=0, k=5)
    0.0
    >>> pass_at_k(n=4, c=1, k=5)
    Traceback (most recent call last):
        ...
    ValueError: pass@k: k=5 exceeds the number of samples n=4; draw at least k samples per problem

    ```
    """
    n, c, k = _check(n, c, k)
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean_pass_at_k(counts: Sequence[tuple[int, int]], k: int) -> float:
    r"""Mean of :func:`pass_at_k` over problems, each given as its ``(n, c)``.

    Problems may have different ``n`` (each must have ``n >= k``).

    Args:
        counts (`Sequence[tuple[int, int]]`):
            One ``(n, c)`` pair per problem: samples drawn and samples correct.
        k (`int`):
            Budget of attempts.

    Returns:
        `float`: The benchmark's pass@k, in [0, 1].

    Raises:
        ValueError: When ``counts`` is empty, an entry is not an ``(n, c)`` pair, or :func:`pass_at_k` rejects
            an entry (the message names the problem's index).

    Example:
    ```python
    >>> mean_pass_at_k([(4, 0), (4, 1), (4, 4)], k=2)  # (0 + 0.5 + 1) / 3
    0.5

    ```
    """
    if isinstance(counts, (str, bytes)) or len(counts) == 0:
        raise ValueError("mean_pass_at_k: no problems given (counts is empty)")
    total = 0.0
    for index, entry in enumerate(counts):
        try:
            n, c = entry
        except (TypeError, ValueError):
            raise ValueError(f"mean_pass_at_k: problem {index}: expected an (n, c) pair, got {entry!r}") from None
        try:
            total += pass_at_k(n, c, k)
        except ValueError as exc:
            raise ValueError(f"mean_pass_at_k: problem {index}: {exc}") from None
    return total / len(counts)


__all__ = ["mean_pass_at_k", "pass_at_k"]
