"""Batch inference throughput on the reference models, and load and per-row cost on
big mesh models.

Single process. Compares the plain path (one query at a time, indexed lookalike
matching) with the vectorised batch path, and both with the reference engine's
0.5–2.5 ms per row on this machine. Run: ``python -m bench.inference``.

Queries are realistic and mostly distinct: titanic uses the 1,309 rows of
``data/titanic.csv`` as strings (empty cells missing), breast cancer the model's
training rows plus jittered copies (so the columnar store cannot reuse values).

``--mesh 20000 200000`` measures the stripped models of those mesh runs instead
(``bench/synthetic_mesh.py`` trains each once into ``artifacts/``): parse time with
json, orjson and msgspec; load (parse, check, index: what ``Predictor.from_file``
does); ms per row for single queries on a fresh predictor (cold: each
bucket is compiled on first use) and again (warm), and for batches; each against the
reference and the pre-issue-13 figures of ``baselines.md``, measured side by side.
Times are CPU time, least of a few runs: on a shared machine that is the per-core
cost, which is what a quiet machine's wall time (the baselines) measures.
"""

from __future__ import annotations

import argparse
import csv
import gc
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
#: rows → (load s, ms per row): the reference's and ours before issue 13 (baselines.md)
MESH_REFERENCE = {20000: (0.4, 4.7), 200000: (4.1, 40.5)}
MESH_BEFORE = {20000: (2.1, 1.15), 200000: (22.1, 7.85)}


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


def parsers(path: Path, repeats: int) -> dict[str, float]:
    import json

    import msgspec
    import orjson

    text = path.read_bytes().decode("utf-8")
    gc.disable()  # as the model reader does: the collector would rescan the new objects
    try:
        return {
            "json": best_of(repeats, lambda: json.loads(text)),
            "orjson": best_of(repeats, lambda: orjson.loads(text)),
            "msgspec": best_of(repeats, lambda: msgspec.json.decode(text)),
        }
    finally:
        gc.enable()


def measure_mesh(n_rows: int, queries: int, batch: int, repeats: int) -> dict:
    from bench.synthetic_mesh import query_rows, train_model

    path = train_model(n_rows)
    model = load_model(path)
    buckets = sum(len(chain) for chain in model.layers)
    out = {"rows": n_rows, "mb": path.stat().st_size / 1e6, "buckets": buckets}
    out["parse"] = parsers(path, repeats)
    out["load"] = best_of(repeats, lambda: Predictor.from_file(path))
    rows = query_rows(n_rows, queries + batch)
    single, many = rows[:queries], rows[queries:]
    fresh = Predictor.from_file(path)
    t = time.process_time()
    cold = [fresh.predict_one(q) for q in single]
    out["cold"] = (time.process_time() - t) / queries
    out["warm"] = best_of(repeats, lambda: [fresh.predict_one(q) for q in single]) / queries
    fresh_batch = Predictor.from_file(path)
    out["batch_cold"] = best_of(1, lambda: fresh_batch.predict(many)) / batch
    out["batch"] = best_of(repeats, lambda: fresh_batch.predict(many)) / batch
    assert fresh.predict(single) == cold
    return out


def report_mesh(r: dict) -> None:
    ref_load, ref_ms = MESH_REFERENCE.get(r["rows"], (None, None))
    old_load, old_ms = MESH_BEFORE.get(r["rows"], (None, None))
    p = r["parse"]
    print(
        f"mesh {r['rows']:,} rows: stripped model {r['mb']:.1f} MB, {r['buckets']:,} buckets\n"
        f"  parse: json {p['json']:.2f} s, orjson {p['orjson']:.2f} s, msgspec {p['msgspec']:.2f} s"
    )
    ratios = ""
    if ref_load is not None:
        ratios = f"  (reference {ref_load} s: ×{ref_load / r['load']:.1f}; before {old_load} s)"
    print(f"  load: {r['load']:.2f} s{ratios}")
    for name in ("cold", "warm", "batch_cold", "batch"):
        ms = r[name] * 1e3
        ratios = ""
        if ref_ms is not None:
            ratios = f"  (reference {ref_ms} ms: ×{ref_ms / ms:.0f}; before {old_ms} ms)"
        print(f"  {name:<10} {ms:7.3f} ms/row{ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="breast-cancer batch size")
    parser.add_argument("--plain-rows", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mesh", type=int, nargs="*", help="mesh model sizes, e.g. 20000 200000")
    parser.add_argument("--queries", type=int, default=300, help="single queries per mesh model")
    parser.add_argument("--batch", type=int, default=2000, help="batch size per mesh model")
    args = parser.parse_args()
    load = "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.mesh:
        print(f"kernels: {kernels().__name__}; {load}; CPU time (best of {args.repeats})")
        results = [measure_mesh(n, args.queries, args.batch, args.repeats) for n in args.mesh]
        for r in results:
            report_mesh(r)
        if len(results) > 1:
            first, last = results[0], results[-1]
            print(
                f"per-row growth {first['rows']:,} → {last['rows']:,}: "
                f"warm ×{last['warm'] / first['warm']:.2f}, cold ×{last['cold'] / first['cold']:.2f}"
            )
        print(f"after: {'load average ' + ', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return
    print(f"kernels: {kernels().__name__}; {load}; CPU time per row")
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
