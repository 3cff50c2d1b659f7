"""The synthetic data behind the mesh figures (``shared/design/baselines.md``).

``make_classification(n_samples=N, n_features=10, n_informative=6, n_classes=3,
random_state=0)``, values printed with 4 decimals, plus two text columns drawn with
``random.Random(0)``: ``cat`` from "abcdefgh" and ``city`` from five city names. One
definition, so the scale, inference and mesh benchmarks train on the same rows.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

CITIES = ("Paris", "London", "Berlin", "Madrid", "Rome")
HEADER = [*(f"f{i}" for i in range(10)), "cat", "city", "target"]


def write_synthetic_csv(path: str | Path, n_rows: int) -> Path:
    """Write the N-row synthetic set as CSV (``target`` last) and return its path.
    Rows are written as they are drawn, so a million rows need no list of rows."""
    from sklearn.datasets import make_classification  # bench-only dependency

    x, y = make_classification(
        n_samples=n_rows, n_features=10, n_informative=6, n_classes=3, random_state=0
    )
    rng = random.Random(0)
    path = Path(path)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for features, label in zip(x, y, strict=True):
            out.writerow(
                [
                    *(f"{v:.4f}" for v in features),
                    rng.choice("abcdefgh"),
                    rng.choice(CITIES),
                    int(label),
                ]
            )
    return path
