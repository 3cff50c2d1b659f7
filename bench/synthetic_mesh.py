"""The synthetic data behind the mesh-scale figures (baselines.md, issue 13).

One importable function so every bench (inference, scale) trains on the same rows the
reference figures were taken on: ``make_classification(N, 10 features, 6 informative,
3 classes, random_state=0)`` printed with 4 decimals, plus two text columns drawn with
``random.Random(0)``. ``train_model`` then runs ``snakebatch train`` (5 layers, 2 workers,
seed 0) once and keeps the result, since a 200K-row model takes about 90 s of 2 cores.

Run: ``python -m bench.synthetic_mesh 20000`` (writes ``artifacts/mesh-20000/``).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CATS = "abcdefgh"
CITIES = ("Paris", "Lyon", "Nantes", "Lille", "Nice")
TARGET = "target"


def write_csv(n_rows: int, path: Path) -> Path:
    """The N-row synthetic set as CSV, target first; the same N gives the same bytes."""
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n_rows, n_features=10, n_informative=6, n_classes=3, random_state=0
    )
    rng = random.Random(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([TARGET, *(f"x{i}" for i in range(10)), "cat", "city"])
        for features, label in zip(x, y, strict=True):
            out.writerow(
                [
                    int(label),
                    *(f"{v:.4f}" for v in features),
                    rng.choice(CATS),
                    rng.choice(CITIES),
                ]
            )
    return path


def model_dir(n_rows: int) -> Path:
    return ARTIFACTS / f"mesh-{n_rows}"


def train_model(n_rows: int, *, layers: int = 5, workers: int = 2, force: bool = False) -> Path:
    """Train (once) through the local mesh; returns the stripped model's path."""
    where = model_dir(n_rows)
    out = where / "model.json"
    stripped = where / "model_stripped.json"
    if stripped.exists() and not force:
        return stripped
    data = write_csv(n_rows, where / "data.csv")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from snakebatch.cli import main; main()",
            "train",
            str(data),
            "--target",
            TARGET,
            "--out",
            str(out),
            "--layers",
            str(layers),
            "--workers",
            str(workers),
            "--seed",
            "0",
            "--home",
            str(where / "home"),
        ],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return stripped


def query_rows(n_rows: int, count: int) -> list[dict]:
    """The first ``count`` rows of the N-row set without the target, as queries."""
    path = model_dir(n_rows) / "data.csv"
    if not path.exists():
        write_csv(n_rows, path)
    with path.open(newline="", encoding="utf-8") as f:
        rows = []
        for row in csv.DictReader(f):
            del row[TARGET]
            rows.append({k: (v if k in ("cat", "city") else float(v)) for k, v in row.items()})
            if len(rows) == count:
                break
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="+", help="row counts, e.g. 20000 200000")
    parser.add_argument("--force", action="store_true", help="retrain even if a model exists")
    args = parser.parse_args()
    for n in args.rows:
        print(train_model(n, force=args.force))


if __name__ == "__main__":
    main()
