"""Mutual information between each feature and the target (spec §4.8).

The weights only bias which feature a generator looks at; they are computed once per
training (and once per staged job on the mesh), never saved in the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np

MAX_NUMERIC_BINS = 20
MAX_TEXT_BINS = 200


def numeric_bins(values: Sequence[Any]) -> np.ndarray:
    if set(map(type, values)) <= {int, float}:  # a coerced N column: convert in C
        x = np.array(values, dtype=np.float64)
    else:
        x = np.array([v if isinstance(v, int | float) else 0.0 for v in values], dtype=np.float64)
    x[np.isnan(x)] = 0.0
    uniq = np.unique(x)
    nb = min(MAX_NUMERIC_BINS, len(uniq))
    if nb < 2:
        return np.zeros(len(x), dtype=np.intp)
    cuts = uniq[[min(j * len(uniq) // nb, len(uniq) - 1) for j in range(1, nb)]]
    return np.searchsorted(cuts, x, side="left")


def text_bins(values: Sequence[Any]) -> np.ndarray:
    seen = dict.fromkeys(values)  # first-seen order
    if len(seen) <= MAX_TEXT_BINS:
        codes = {v: i for i, v in enumerate(seen)}
        return np.fromiter(map(codes.__getitem__, values), dtype=np.intp, count=len(values))
    # the most frequent values in most_common order (first-seen order breaks ties), not
    # a set's: a set of strings iterates in hash order, which changes with every
    # process, and so did the MI's last bits
    top = Counter(values).most_common(MAX_TEXT_BINS - 1)
    codes = {v: i for i, (v, _) in enumerate(top)}
    other = len(codes)
    return np.array([codes.get(v, other) for v in values], dtype=np.intp)


def mutual_information(bins: np.ndarray, y: np.ndarray) -> float:
    """MI in bits of two integer-coded columns, clamped at 0."""
    n = len(y)
    if n == 0:
        return 0.0
    b, c = _dense(bins), _dense(y)
    shape = (int(b.max()) + 1, int(c.max()) + 1)
    joint = np.bincount(b * shape[1] + c, minlength=shape[0] * shape[1])
    joint = joint.reshape(shape).astype(np.float64)
    pxy = joint / n
    px = pxy.sum(axis=1, keepdims=True)
    py = pxy.sum(axis=0, keepdims=True)
    nz = pxy > 0
    mi = float((pxy[nz] * np.log2(pxy[nz] / (px @ py)[nz])).sum())
    return max(mi, 0.0)


def _dense(codes: np.ndarray) -> np.ndarray:
    """``np.unique(codes, return_inverse=True)[1]``: codes already dense (every value of
    0..max present, as text bins always are) are their own inverse, without a sort."""
    codes = np.asarray(codes).ravel()
    if codes.dtype.kind in "iu" and codes.min() >= 0 and np.bincount(codes).all():
        return codes
    return np.unique(codes, return_inverse=True)[1]


def feature_weights(
    rows: Sequence[dict],
    header: Sequence[str],
    datatypes: Sequence[str],
    y: np.ndarray,
    *,
    columns: Sequence[Sequence[Any]] | None = None,
) -> list[float]:
    """MI per header position (0.0 for the target); all zeros below two rows.
    ``columns``: the rows' features as columns, when the caller has them."""
    weights = [0.0] * len(header)
    if len(rows) < 2:
        return weights
    for i in range(1, len(header)):
        col = columns[i - 1] if columns is not None else list(map(itemgetter(header[i]), rows))
        bins = numeric_bins(col) if datatypes[i] == "N" else text_bins(col)
        weights[i] = mutual_information(bins, y)
    return weights
