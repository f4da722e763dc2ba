"""The Generalization Factor (GF) of SPECS (arXiv 2510.25801): does a cold start generalize, or only fit?

``Ψ(n, P)`` is the performance of the model after ``n`` cold-start steps on distribution ``P``. Gains are relative
to the reference checkpoint (step 0): ``G_ID(n) = Ψ_ID(n) - Ψ_ID(0)`` on a held-out split of the training
distribution and ``G_OOD(n) = Ψ_OOD(n) - Ψ_OOD(0)``, with ``Ψ_OOD`` averaged with weights ``α`` over several
out-of-distribution sets. The factor is an F-β in which OOD plays the recall role (β = 2 weighs it more)::

    Γ(n) = (1 + β²) · G_ID · G_OOD / (β² · G_ID + G_OOD)

**What Ψ is.** The paper's curves behave like format-compliance rates, but Ψ may equally be an accuracy. Both
work here; Γ has the unit of the gains (fractions or percentage points: use one consistently). Reports must say
which Ψ they used.

**Undefined cases (never NaN).** The formula is only meaningful for positive gains. This module's rule:

- when either gain is ``<= 0`` (no change, or a regression), ``Γ = 0.0``: the F-measure of a zero component is
  0, and a regression on one side is no generalization gain however large the other side is. This is the
  continuous extension of the formula: ``Γ → 0`` as either positive gain ``→ 0``;
- a zero denominator can then no longer occur (``G_OOD > 0``); it would also give ``0.0``;
- NaN or infinite gains, and a negative, NaN or infinite β, raise ``ValueError``.

So ``Γ`` is in ``[0, max(G_ID, G_OOD)]`` and ``0.0`` both for "nothing learned" and for "regressed"; read the gains
(kept in every :class:`GFPoint`) to tell them apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def generalization_factor(g_id: float, g_ood: float, beta: float = 2.0) -> float:
    r"""``Γ = (1+β²)·G_ID·G_OOD / (β²·G_ID + G_OOD)``, or ``0.0`` when either gain is ``<= 0``.

    Computed as the equivalent weighted harmonic mean ``1 / (w / G_OOD + (1 - w) / G_ID)`` with
    ``w = β² / (1 + β²)``, which cannot overflow to ``inf / inf`` for huge inputs or β.

    Args:
        g_id (`float`):
            In-distribution gain ``Ψ_ID(n) - Ψ_ID(0)`` (the F-measure's precision role).
        g_ood (`float`):
            Out-of-distribution gain ``Ψ_OOD(n) - Ψ_OOD(0)`` (the recall role).
        beta (`float`, *optional*, defaults to `2.0`):
            How many times more OOD counts than ID (``β >= 0``; ``β = 0`` gives ``G_ID``, large β tends to
            ``G_OOD``).

    Returns:
        `float`: The factor, in the gains' unit; ``0.0`` when either gain is ``<= 0`` (see the module docstring).

    Raises:
        ValueError: When a gain is NaN or infinite, or β is negative, NaN or infinite.

    Example:
    ```python
    >>> round(generalization_factor(97.8, 69.2), 1)  # the paper's figure (plotted 73.8)
    73.5
    >>> round(generalization_factor(98.1, 78.1), 1)
    81.4
    >>> round(generalization_factor(0.5, 0.5), 12)  # equal gains: Γ equals them, whatever β
    0.5
    >>> generalization_factor(30.0, 0.0), generalization_factor(30.0, -5.0), generalization_factor(-1.0, -1.0)
    (0.0, 0.0, 0.0)

    ```
    """
    g_id, g_ood = _finite("g_id", g_id), _finite("g_ood", g_ood)
    beta = _finite("beta", beta)
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    if g_id <= 0 or g_ood <= 0:
        return 0.0
    b2 = beta * beta  # may be 0 (tiny β) or inf (huge β): both handled below
    w_ood = 1.0 / (1.0 + 1.0 / b2) if b2 > 0 else 0.0
    w_id = 1.0 / (1.0 + b2)
    denominator = w_ood / g_ood + w_id / g_id
    if denominator == 0 or not math.isfinite(denominator):
        return 0.0  # unreachable for finite positive gains; kept so the result is never NaN
    return 1.0 / denominator


@dataclass(frozen=True)
class GFPoint:
    """One checkpoint of a GF curve: its Ψ values, its gains over the reference, and its factor ``gf``."""

    step: int
    psi_id: float
    psi_ood: float  # already averaged over the OOD sets
    g_id: float
    g_ood: float
    gf: float


OODValue = float | Sequence[float] | Mapping[str, float]


def _normalised(weights: Sequence[float], names: Sequence[object]) -> list[float]:
    values = [_finite(f"ood_weights[{name!r}]", w) for name, w in zip(names, weights, strict=True)]
    if any(w < 0 for w in values) or sum(values) <= 0:
        raise ValueError(f"ood_weights must be >= 0 with a positive sum, got {list(weights)!r}")
    total = sum(values)
    return [w / total for w in values]


def _ood_averager(first: OODValue, ood_weights: Sequence[float] | Mapping[str, float] | None):
    """A function mapping one ``psi_ood`` entry to its weighted mean, shaped after the first entry."""
    if isinstance(first, Real) and not isinstance(first, bool):
        if ood_weights is not None:
            raise ValueError("ood_weights given, but psi_ood holds single numbers (give per-OOD-set values)")
        return lambda i, v: _finite(f"psi_ood[{i}]", v)
    if isinstance(first, Mapping):
        keys = list(first)
        if not keys:
            raise ValueError("psi_ood[0]: no OOD sets (empty mapping)")
        if ood_weights is None:
            weights = dict.fromkeys(keys, 1.0 / len(keys))
        elif not isinstance(ood_weights, Mapping) or set(ood_weights) != set(keys):
            raise ValueError(f"ood_weights must be a mapping with the OOD sets' keys {keys}, got {ood_weights!r}")
        else:
            weights = dict(zip(keys, _normalised([ood_weights[k] for k in keys], keys), strict=True))

        def mapping_mean(i: int, v: OODValue) -> float:
            if not isinstance(v, Mapping) or set(v) != set(keys):
                raise ValueError(f"psi_ood[{i}]: expected a mapping with keys {keys} like psi_ood[0], got {v!r}")
            return sum(weights[k] * _finite(f"psi_ood[{i}][{k!r}]", v[k]) for k in keys)

        return mapping_mean
    if isinstance(first, Sequence) and not isinstance(first, (str, bytes)):
        size = len(first)
        if size == 0:
            raise ValueError("psi_ood[0]: no OOD sets (empty list)")
        if ood_weights is None:
            weights_list = [1.0 / size] * size
        elif isinstance(ood_weights, Mapping) or len(ood_weights) != size:
            raise ValueError(f"ood_weights must be a list of {size} weights (one per OOD set), got {ood_weights!r}")
        else:
            weights_list = _normalised(ood_weights, range(size))

        def list_mean(i: int, v: OODValue) -> float:
            if isinstance(v, (Mapping, str, bytes)) or not isinstance(v, Sequence) or len(v) != size:
                raise ValueError(f"psi_ood[{i}]: expected {size} per-OOD-set values like psi_ood[0], got {v!r}")
            pairs = enumerate(zip(weights_list, v, strict=True))
            return sum(w * _finite(f"psi_ood[{i}][{j}]", x) for j, (w, x) in pairs)

        return list_mean
    raise ValueError(f"psi_ood[0]: expected a number, a list of numbers or a mapping, got {first!r}")


def gf_curve(
    steps: Sequence[int],
    psi_id: Sequence[float],
    psi_ood: Sequence[OODValue],
    beta: float = 2.0,
    ood_weights: Sequence[float] | Mapping[str, float] | None = None,
) -> list[GFPoint]:
    r"""The Generalization Factor at every evaluated checkpoint of a cold start.

    The **first entry is the reference**: gains are ``Ψ(step) - Ψ(steps[0])``. Normally ``steps[0] == 0`` (the
    model before the cold start); when it is not, the first evaluated checkpoint serves as the reference and
    the gains are relative to it. The reference point itself has zero gains, so ``gf == 0.0``.

    Args:
        steps (`Sequence[int]`):
            Checkpoint steps, strictly increasing.
        psi_id (`Sequence[float]`):
            Ψ on the held-out in-distribution set at each step (a format-compliance rate or an accuracy).
        psi_ood (`Sequence[float | Sequence[float] | Mapping[str, float]]`):
            Ψ on the OOD sets at each step: a single (already averaged) number, or one value per OOD set as a
            list or a ``{set name: value}`` mapping. Every entry must have the first entry's shape.
        beta (`float`, *optional*, defaults to `2.0`):
            See :func:`generalization_factor`.
        ood_weights (`Sequence[float]` or `Mapping[str, float]`, *optional*):
            The weights α of the OOD sets, matching ``psi_ood``'s entries (a list of the same length, or a
            mapping with the same keys); normalised to sum to 1. Default: equal weights. Not allowed when
            ``psi_ood`` holds single numbers.

    Returns:
        `list[GFPoint]`: One point per step, in order; ``psi_ood`` in each point is the weighted mean.

    Raises:
        ValueError: On empty or mismatched inputs, steps not strictly increasing, non-finite values,
            inconsistent OOD shapes, or bad weights.

    Example:
    ```python
    >>> curve = gf_curve([0, 50, 100], [25.0, 90.0, 95.0], [[1.0, 3.0], [50.0, 40.0], [80.0, 60.0]])
    >>> [(p.step, p.psi_ood, p.g_id, p.g_ood, round(p.gf, 2)) for p in curve]
    [(0, 2.0, 0.0, 0.0, 0.0), (50, 45.0, 65.0, 43.0, 46.12), (100, 70.0, 70.0, 68.0, 68.39)]
    >>> best_point(curve).step
    100

    ```
    """
    n = len(steps)
    if n == 0:
        raise ValueError("gf_curve: no checkpoints given (steps is empty)")
    if len(psi_id) != n or len(psi_ood) != n:
        raise ValueError(f"gf_curve: lengths differ: {n} steps, {len(psi_id)} psi_id, {len(psi_ood)} psi_ood values")
    for i, step in enumerate(steps):
        if isinstance(step, bool) or not isinstance(step, Integral):
            raise ValueError(f"gf_curve: steps[{i}] must be an integer, got {step!r}")
        if i and step <= steps[i - 1]:
            raise ValueError(f"gf_curve: steps must be strictly increasing, got {steps[i - 1]} then {step}")
    mean_ood = _ood_averager(psi_ood[0], ood_weights)
    ids = [_finite(f"psi_id[{i}]", v) for i, v in enumerate(psi_id)]
    oods = [mean_ood(i, v) for i, v in enumerate(psi_ood)]
    points = []
    for step, p_id, p_ood in zip(steps, ids, oods, strict=True):
        g_id, g_ood = p_id - ids[0], p_ood - oods[0]
        points.append(GFPoint(int(step), p_id, p_ood, g_id, g_ood, generalization_factor(g_id, g_ood, beta)))
    return points


def best_point(curve: Sequence[GFPoint]) -> GFPoint:
    r"""The checkpoint with the highest GF; on a tie, the earliest (first in the curve).

    When no checkpoint gains on both sides, every ``gf`` is ``0.0`` and the reference point is returned.

    Example:
    ```python
    >>> curve = [GFPoint(0, 0.2, 0.1, 0.0, 0.0, 0.0), GFPoint(10, 0.8, 0.5, 0.6, 0.4, 0.43),
    ...          GFPoint(20, 0.9, 0.5, 0.7, 0.4, 0.43)]
    >>> best_point(curve).step
    10

    ```
    """
    if len(curve) == 0:
        raise ValueError("best_point: the curve is empty")
    return max(curve, key=lambda point: point.gf)  # max keeps the first of equal keys


__all__ = ["GFPoint", "best_point", "generalization_factor", "gf_curve"]
