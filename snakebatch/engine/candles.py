"""Candles: a five-number summary of the lookalikes' numeric targets (§5.9).

The regression estimate is the candle's ``iqr_mean``: the mean of the values inside
the interquartile range, which ignores a few far-off lookalikes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Candle:
    high: float
    q3: float
    median: float
    q1: float
    low: float
    mean: float
    iqr_mean: float
    std: float
    n: int

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def _as_float(value: Any) -> float | None:
    """``float()`` of a lookalike target, or None for values that are not numbers."""
    if isinstance(value, dict | list):
        return None
    try:
        return float(value)
    except Exception:  # any object may define __float__; failing means "skip it"
        return None


def _percentile(xs: list[float], p: float) -> float:
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p
    lo = math.floor(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] * (1 - (k - lo)) + xs[hi] * (k - lo)


def compute_candle(values: Iterable[Any]) -> Candle:
    """Candle of target values in lookalike order; non-numeric values are skipped."""
    xs = [f for f in (_as_float(v) for v in values) if f is not None]
    if not xs:
        nan = math.nan
        return Candle(nan, nan, nan, nan, nan, nan, nan, nan, 0)
    n = len(xs)
    mean = sum(xs) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / n)
    xs.sort()
    q1, median, q3 = (_percentile(xs, p) for p in (0.25, 0.5, 0.75))
    inner = [x for x in xs if q1 <= x <= q3] or xs
    return Candle(xs[-1], q3, median, q1, xs[0], mean, sum(inner) / len(inner), std, n)
