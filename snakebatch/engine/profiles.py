"""Oppose-profile resolution and the scientific profile's column statistics (§4.7).

``auto`` is resolved once, before training, from the feature kinds (and for text-only
data from a sample of at most 200 rows), so every layer and every mesh leaf uses the
same concrete profile, which is what the model file records.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from statistics import pvariance

import numpy as np

from snakebatch.engine import measures as m

PROFILES = (
    "balanced",
    "linguistic",
    "industrial",
    "cryptographic",
    "scientific",
    "categorical",
    "hef",
)
SAMPLE = 200
STD_FLOOR = 1e-10


def text_profile(values: Sequence[str]) -> str:
    """The rules table of §4.7 over the sampled text values."""
    if not values:
        return "balanced"
    lengths = [len(v) for v in values]
    avg_len = sum(lengths) / len(lengths)
    len_var = pvariance(lengths) if len(lengths) > 1 else 0.0
    denom = sum(max(n, 1) for n in lengths)
    digit_ratio = sum(m.digit_count(v) for v in values) / denom
    upper_ratio = sum(m.upper_count(v) for v in values) / denom
    special_ratio = sum(m.special_count(v) for v in values) / denom
    avg_splits = sum(v.count(",") + v.count(".") for v in values) / len(values)
    if avg_len > 30 and len_var > 100:
        return "linguistic"
    if avg_len < 15 and digit_ratio > 0.3:
        return "industrial"
    if special_ratio > 0.2 or upper_ratio > 0.6:
        return "cryptographic"
    if avg_splits > 2:
        return "categorical"
    return "balanced"


def resolve(
    profile: str | None,
    header: Sequence[str],
    datatypes: Sequence[str],
    rows: Sequence[dict],
    rng: random.Random,
) -> str:
    """A concrete profile name; unknown names count as ``auto``."""
    if profile in PROFILES:
        return profile
    kinds = datatypes[1:]
    has_text, has_num = "T" in kinds, "N" in kinds
    if not has_text:
        return "scientific"
    if has_num:
        return "balanced"
    sample = list(rows) if len(rows) <= SAMPLE else rng.sample(list(rows), SAMPLE)
    text_names = [h for h, k in zip(header[1:], kinds, strict=True) if k == "T"]
    return text_profile([str(r[h]) for r in sample for h in text_names])


def column_stats(
    header: Sequence[str], datatypes: Sequence[str], rows: Sequence[dict]
) -> dict[int, tuple[float, float, float]]:
    """(mean, population std ≥ 1e-10, upper median) per numeric feature with numbers."""
    stats = {}
    for i in range(1, len(header)):
        if datatypes[i] != "N":
            continue
        x = np.array(
            [
                v
                for v in (r[header[i]] for r in rows)
                if isinstance(v, int | float) and not math.isnan(v)
            ],
            dtype=np.float64,
        )
        if len(x) == 0:
            continue
        with np.errstate(all="ignore"):
            mean = float(x.mean())
            std = max(float(x.std()), STD_FLOOR)
        median = float(np.sort(x)[len(x) // 2])
        stats[i] = (mean, std, median)
    return stats
