"""The synthetic summary (§5.12): how a batch was predicted, and whether the training
data carried any signal at all.

A diagnostic only; nothing here changes predictions. The signal test compares each
feature's mutual information with the target against what chance alone gives for
that many bins (a debiased MI and its z-score), so a model trained on noise says so.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from snakebatch.engine.model import SnakeModel
from snakebatch.engine.mutual_info import mutual_information, numeric_bins, text_bins
from snakebatch.engine.predictor import Prediction

NOISE_Z = 3.0
STRENGTHS = ((0.08, "weak"), (0.20, "moderate"))


def _percent(counts: Mapping[Any, int], keys: Sequence[Any], total: int) -> dict[Any, float]:
    return {
        k: round(100 * counts.get(i, 0) / total, 1) if total else 0.0 for i, k in enumerate(keys)
    }


def target_entropy(model: SnakeModel) -> float:
    n = len(model.targets)
    counts = Counter(model.class_index.of_target)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def feature_signal(model: SnakeModel) -> dict[str, Any] | None:
    """Debiased MI and its z-score per feature, or None without the population."""
    if model.stripped or len(model.population) < 2:
        return None
    n = len(model.population)
    y = np.asarray(model.class_index.of_target, dtype=np.intp)
    k = len(model.class_index)
    entropy = target_entropy(model)
    features = {}
    for h, kind in zip(model.header[1:], model.datatypes[1:], strict=True):
        column = [row.get(h, 0.0 if kind == "N" else "") for row in model.population]
        bins = numeric_bins(column) if kind == "N" else text_bins(column)
        df = max((len(np.unique(bins)) - 1) * (k - 1), 1)
        debiased = mutual_information(bins, y) - df / (2 * n * math.log(2))
        null_sd = math.sqrt(2 * df) / (2 * n * math.log(2))
        features[h] = {"mi": debiased, "z": debiased / null_sd}
    best_z = max((f["z"] for f in features.values()), default=0.0)
    best_mi = max((f["mi"] for f in features.values()), default=0.0)
    if best_z < NOISE_Z or entropy == 0:
        strength = "none"
    else:
        ratio = best_mi / entropy
        strength = next((name for cut, name in STRENGTHS if ratio < cut), "strong")
    return {"features": features, "strength": strength, "is_noise": strength == "none"}


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """Rank-based AUROC with average ranks for ties; None when one label is absent."""
    n_pos = sum(positive)
    n_neg = len(positive) - n_pos
    if not n_pos or not n_neg:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for t in range(i, j + 1):
            ranks[order[t]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(r for r, p in zip(ranks, positive, strict=True) if p)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def summarise_batch(
    model: SnakeModel, rows: Sequence[Mapping], answers: Sequence[Prediction]
) -> dict[str, Any]:
    index = model.class_index
    k = len(index)
    n = len(answers)
    predicted = Counter(index.classes.index(a.prediction) for a in answers)
    base = Counter(index.of_target)
    majority = max(range(k), key=lambda c: (base.get(c, 0), -c))
    confidences = [a.confidence for a in answers]
    summary: dict[str, Any] = {
        "n": n,
        "predicted": _percent(predicted, index.keys, n),
        "base_rate": _percent(base, index.keys, len(model.targets)),
        "calibration_gap": (
            round(100 * (predicted.get(majority, 0) / n - base[majority] / len(model.targets)), 1)
            if n
            else 0.0
        ),
        "mean_confidence": sum(confidences) / n if n else 0.0,
        "low_confidence_share": sum(c < (1 / k + 1) / 2 for c in confidences) / n if n else 0.0,
        "coverage": sum(c > 1 / k + 1e-9 for c in confidences) / n if n else 0.0,
        "target_entropy": target_entropy(model),
        "signal": feature_signal(model),
    }
    labelled = [
        (r[model.target], a) for r, a in zip(rows, answers, strict=True) if model.target in r
    ]
    if labelled:
        summary["accuracy"] = sum(a.prediction == t for t, a in labelled) / len(labelled)
        if k == 2:
            last_key, last = index.keys[-1], index.classes[-1]
            scores = [a.probability[last_key] for _, a in labelled]
            summary["auroc"] = auroc(scores, [t == last for t, _ in labelled])
    return summary
