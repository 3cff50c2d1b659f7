"""Batch inference throughput on the titanic and breast-cancer reference models.

Single process. Compares the plain path (one query at a time, indexed lookalike
matching) with the vectorised batch path, and both with the reference engine's
0.5–2.5 ms per row on this machine. Run: ``python -m bench.inference``.

Queries are realistic and mostly distinct: titanic uses the 1,309 rows of
``data/titanic.csv`` as strings (empty cells missing), breast cancer the model's
training rows plus jittered copies (so the columnar store cannot reuse values).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

from snakebatch.engine import Predictor, load_model
from snakebatch.engine.columns import kernels

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "reference"
REFERENCE_MS = (0.5, 2.5)


def titanic_rows() -> list[dict]:
    with (ROOT / "data" / "titanic.csv").open(newline="", encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)]


def breast_cancer_rows(model, n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    base = [{k: v for k, v in r.items() if k != model.target} for r in model.population]
    rows = list(base)
    while len(rows) < n:
        r = rng.choice(base)
        rows.append({k: v * (1 + rng.uniform(-0.05, 0.05)) for k, v in r.items()})
    return rows


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """Least CPU time of a few runs: per-core cost, less skewed by a busy machine."""
    times = []
    for _ in range(repeats):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def measure(name: str, rows: list[dict], plain_rows: int, repeats: int) -> dict:
    model = load_model(FIXTURES / f"{name}.model.json")
    predictor = Predictor(model)
    sample = rows[:plain_rows]
    plain = best_of(repeats, lambda: [predictor.predict_one(q) for q in sample]) / len(sample)
    batch = best_of(repeats, lambda: predictor.predict(rows)) / len(rows)
    batch_la = best_of(repeats, lambda: predictor.batch_entries(rows)) / len(rows)
    assert [predictor.predict_one(q) for q in sample] == predictor.predict(sample)
    return {"name": name, "rows": len(rows), "plain": plain, "batch": batch, "batch_la": batch_la}


def report(r: dict) -> None:
    us = {k: r[k] * 1e6 for k in ("plain", "batch", "batch_la")}
    lo, hi = (ms * 1e3 / us["batch"] for ms in REFERENCE_MS)
    print(
        f"{r['name']:<24} rows={r['rows']:>5}  "
        f"plain {us['plain']:7.1f} µs/row ({1e6 / us['plain']:8.0f} rows/s)  "
        f"vectorised {us['batch']:6.1f} µs/row ({1e6 / us['batch']:8.0f} rows/s)  "
        f"+lookalike lists {us['batch_la']:6.1f} µs/row  "
        f"vectorised/plain ×{us['plain'] / us['batch']:.1f}  "
        f"vs reference ×{lo:.0f}–×{hi:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="breast-cancer batch size")
    parser.add_argument("--plain-rows", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"kernels: {kernels().__name__}; load average {os.getloadavg()[0]:.1f}; CPU time per row")
    titanic = titanic_rows()
    bc_model = load_model(FIXTURES / "breast-cancer-balanced.model.json")
    for name, rows in (
        ("titanic-balanced", titanic),
        ("titanic-hef", titanic),
        ("breast-cancer-balanced", breast_cancer_rows(bc_model, args.rows)),
    ):
        report(measure(name, rows, args.plain_rows, args.repeats))


if __name__ == "__main__":
    main()
