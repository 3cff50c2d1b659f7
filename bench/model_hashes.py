"""Seeded models stay byte-identical: sha256 of ``model.json`` for a fixed set of trainings.

Training speed-ups must not change a single random draw, so every seeded model must keep
its bytes. ``--record`` writes the hashes of today's engine to ``bench/model_hashes.json``;
without it the script re-trains and lists every model whose hash moved (exit code 1).
Each set is written once as a CSV and trained both through ``snakebatch fit`` (a
subprocess, so the CLI's own ingestion is covered) and through ``train.fit``.
Run: ``python -m bench.model_hashes [--record] [--api-only] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.train import csv_split
from snakebatch.engine.modelio import dumps_model
from snakebatch.engine.train import fit

HASHES = Path(__file__).with_name("model_hashes.json")
SEEDS = range(5)
PROFILES = ("balanced", "linguistic", "industrial", "cryptographic", "categorical", "hef")


def _mixed(n: int = 600) -> tuple[list[str], list[list]]:
    """Numbers, free text and categories with missing cells, three classes."""
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "x-ray", "Zulu/9", "o'neil", "42b"]
    rows = []
    for _ in range(n):
        y = rng.randrange(3)
        name = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 4)))
        rows.append([
            f"c{y}",
            f"{rng.gauss(y, 1.5):.3f}",
            name if rng.random() > 0.05 else "",
            rng.choice("ABCD") if rng.random() > 0.1 * y else "E",
            f"{rng.randrange(1000, 99999)}-{rng.choice('XYZ')}{y if rng.random() < 0.4 else 0}",
        ])  # fmt: skip
    return ["label", "score", "name", "grade", "code"], rows


def _csv_sets() -> dict[str, tuple[list[str], list[list]]]:
    """name → (header, rows); the training parts of ``bench.train``'s splits, some cut short."""

    def train_part(name: str, limit: int | None = None, keep: int | None = None):
        train = csv_split(name, limit)[0][:keep]
        header = list(train[0])
        return header, [[r[h] for h in header] for r in train]

    return {
        "iris": train_part("iris.csv"),
        "titanic": train_part("titanic.csv"),
        "mushroom-1500": train_part("mushroom.csv", keep=1500),
        "adult-1500": train_part("adult.csv.gz", 6000, keep=1500),
        "mixed": _mixed(),
        "titanic-400": train_part("titanic.csv", keep=400),
    }


def _jobs(only: list[str] | None, api_only: bool) -> list[tuple[str, str, int, str]]:
    """(set, way, seed, profile) for every training to hash."""
    jobs = []
    for name in ("iris", "titanic", "mushroom-1500", "adult-1500", "mixed"):
        for seed in SEEDS:
            for way in ("api",) if api_only else ("api", "cli"):
                jobs.append((name, way, seed, "auto"))
    jobs += [("titanic-400", "api", 0, p) for p in PROFILES]
    return [j for j in jobs if not only or j[0] in only]


def _train(path: Path, way: str, seed: int, profile: str, out: Path) -> str:
    if way == "cli":
        cmd = [str(Path(sys.executable).with_name("snakebatch")), "fit", str(path), "-q"]
        cmd += ["-t", "0", "--seed", str(seed), "--oppose-profile", profile, "-o", str(out)]
        subprocess.run(cmd, check=True, capture_output=True)
        return hashlib.sha256(out.read_bytes()).hexdigest()
    text = dumps_model(fit(str(path), seed=seed, oppose_profile=profile))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write today's hashes")
    parser.add_argument("--api-only", action="store_true", help="skip the CLI trainings")
    parser.add_argument("--only", action="append", help="set(s) to train")
    args = parser.parse_args()
    known = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    sets = _csv_sets()
    moved = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (header, rows) in sets.items():
            with open(Path(tmp) / f"{name}.csv", "w", newline="") as fh:
                csv.writer(fh).writerows([header, *rows])
        for name, way, seed, profile in _jobs(args.only, args.api_only):
            key = f"{name}/{profile}/seed{seed}/{way}"
            got = _train(Path(tmp) / f"{name}.csv", way, seed, profile, Path(tmp) / "m.json")
            if args.record:
                known[key] = got
            elif known.get(key) != got:
                moved += 1
                print(f"MOVED {key}: {known.get(key)} -> {got}", flush=True)
            else:
                print(f"same  {key}", flush=True)
    if args.record:
        HASHES.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")
    sys.exit(1 if moved else 0)


if __name__ == "__main__":
    main()
