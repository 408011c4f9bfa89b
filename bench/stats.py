"""The one percentile rule, and the one ratio rule, of every figure the benchmarks report."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank on the sorted values: the value at
    index round(q / 100 * (n - 1)); 0.0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[index]


def ratio(a: float, b: float) -> float:
    """a / b to three places; 0.0 when there is nothing to divide by."""
    return round(a / b, 3) if b else 0.0
