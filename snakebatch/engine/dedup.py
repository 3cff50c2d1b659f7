"""Deduplication of training rows by their typed feature values (spec §3.5, §7.3 #5).

The reference joins ``str()`` renderings without a separator, so ``("ab","c")`` and
``("a","bc")`` collide; here the key is a tuple of typed values, with ``-0.0`` and
``0.0`` one value and every NaN one value, so rows that no literal can tell apart
are exactly the rows that share a key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def _part(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return ("nan",)
        return value + 0.0  # -0.0 + 0.0 == 0.0, so both zeros share a key
    return value


def row_key(features: Sequence[Any]) -> tuple:
    return tuple(_part(v) for v in features)


def column_parts(values: Sequence[Any]) -> Sequence[Any]:
    """The key part of every value of one column: ``row_key`` of a row is the tuple of
    its columns' parts. A float column is normalised in one numpy pass."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return values
    if kinds == {float}:
        arr = np.asarray(values, dtype=np.float64) + 0.0
        parts: list[Any] = arr.tolist()
        for i in np.flatnonzero(np.isnan(arr)).tolist():
            parts[i] = ("nan",)
        return parts
    return [_part(v) for v in values]


def keep_first(keys: Iterable[tuple]) -> list[int]:
    """Positions of the first row of every distinct key, in input order."""
    seen: set[tuple] = set()
    kept = []
    for i, key in enumerate(keys):
        if key not in seen:
            seen.add(key)
            kept.append(i)
    return kept
