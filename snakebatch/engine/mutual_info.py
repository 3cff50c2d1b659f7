"""Mutual information between each feature and the target (spec §4.8).

The weights only bias which feature a generator looks at; they are computed once per
training (and once per staged job on the mesh), never saved in the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_NUMERIC_BINS = 20
MAX_TEXT_BINS = 200


def numeric_bins(values: Sequence[Any]) -> np.ndarray:
    x = np.array([v if isinstance(v, int | float) else 0.0 for v in values], dtype=np.float64)
    x[np.isnan(x)] = 0.0
    uniq = np.unique(x)
    nb = min(MAX_NUMERIC_BINS, len(uniq))
    if nb < 2:
        return np.zeros(len(x), dtype=np.intp)
    cuts = uniq[[min(j * len(uniq) // nb, len(uniq) - 1) for j in range(1, nb)]]
    return np.searchsorted(cuts, x, side="left")


def text_bins(values: Sequence[Any]) -> np.ndarray:
    counts = Counter(values)  # first-seen order breaks frequency ties
    if len(counts) > MAX_TEXT_BINS:
        kept = {v for v, _ in counts.most_common(MAX_TEXT_BINS - 1)}
        codes: dict[Any, int] = {v: i for i, v in enumerate(kept)}
        other = len(codes)
        return np.array([codes.get(v, other) for v in values], dtype=np.intp)
    codes = {v: i for i, v in enumerate(counts)}
    return np.array([codes[v] for v in values], dtype=np.intp)


def mutual_information(bins: np.ndarray, y: np.ndarray) -> float:
    """MI in bits of two integer-coded columns, clamped at 0."""
    n = len(y)
    if n == 0:
        return 0.0
    _, b = np.unique(bins, return_inverse=True)
    _, c = np.unique(y, return_inverse=True)
    joint = np.zeros((b.max() + 1, c.max() + 1))
    np.add.at(joint, (b, c), 1.0)
    pxy = joint / n
    px = pxy.sum(axis=1, keepdims=True)
    py = pxy.sum(axis=0, keepdims=True)
    nz = pxy > 0
    mi = float((pxy[nz] * np.log2(pxy[nz] / (px @ py)[nz])).sum())
    return max(mi, 0.0)


def feature_weights(
    rows: Sequence[dict], header: Sequence[str], datatypes: Sequence[str], y: np.ndarray
) -> list[float]:
    """MI per header position (0.0 for the target); all zeros below two rows."""
    weights = [0.0] * len(header)
    if len(rows) < 2:
        return weights
    for i in range(1, len(header)):
        col = [r[header[i]] for r in rows]
        bins = numeric_bins(col) if datatypes[i] == "N" else text_bins(col)
        weights[i] = mutual_information(bins, y)
    return weights
