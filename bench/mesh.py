"""Mesh benchmark: wall time, scaling and overhead of ``snakebatch train``; accuracy
of mesh-trained models against the single-process engine.

    python -m bench.mesh                 # timing on adult + accuracy on four data sets
    python -m bench.mesh --only timing   # or: --only accuracy

Timing: full adult (32K rows), 5 layers, τ=1000, bucket 250, noise 0.25, seed 0 — the
mesh with 1 and 2 worker processes against the engine's single-process ``fit`` with
the same layers, bucket and noise. Parallel efficiency is
T(1 worker) / (2 × T(2 workers)); mesh overhead is staging + fan-out + assembly as a
share of the mesh's wall time (worker start-up is inside wall time, not overhead).
CPU seconds (``getrusage``, which do not depend on what else runs): the workers, and
the coordinator split into submit (staging, fan-out, the model frame) and drain +
assembly.

Accuracy: rows shuffled with ``random.Random(0)``, first 75 % train, rest test; the
mesh (5 layers; τ=1000, bucket 250 — titanic, 981 training rows, τ=200, bucket 50, so
that it is divided at all) at noise 0.25 and at noise 0 (the predecessor's leaves, blind in
single-class leaves) against the single-process engine with the same layers, bucket
and noise.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.engine.csvio import read_csv
from snakebatch.engine.modelio import dumps_model, loads_model
from snakebatch.engine.predictor import Predictor
from snakebatch.engine.train import fit
from snakebatch.mesh.coordinator import Coordinator, TrainParams

DATA = Path(__file__).resolve().parents[1] / "data"
PARAMS = TrainParams(n_layers=5, tau=1000, bucket=250, seed=0, noise=0.25)


def mesh_train(source, target: str, workers: int, params: TrainParams = PARAMS):
    """Train through the local mesh in a fresh home; returns (model bytes, status, wall,
    coordinator CPU seconds spent submitting = staging + fan-out)."""
    with tempfile.TemporaryDirectory() as home:
        t0 = time.perf_counter()
        with LocalBackend(home, workers=workers) as backend:
            coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
            c0 = cpu_s(resource.RUSAGE_SELF)
            model_id = coord.submit(source, target=target, params=params)
            submit_cpu = cpu_s(resource.RUSAGE_SELF) - c0
            status = coord.run(model_id, timeout_s=3600)
            data = coord.model_bytes(model_id)
        return data, status, time.perf_counter() - t0, submit_cpu


def cpu_s(who: int) -> float:
    """CPU seconds of this process (``RUSAGE_SELF``) or of its reaped children
    (``RUSAGE_CHILDREN``: the pool's workers, once stopped). On a shared machine CPU
    time is the figure that does not depend on what else is running."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timing(data: Path, target: str) -> None:
    print(
        f"== timing: {data.name}, {PARAMS.n_layers} layers, tau {PARAMS.tau}, bucket "
        f"{PARAMS.bucket}, noise {PARAMS.noise}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    t0, c0 = time.perf_counter(), cpu_s(resource.RUSAGE_SELF)
    model = fit(
        str(data),
        target_index=target,
        n_layers=PARAMS.n_layers,
        bucket=PARAMS.bucket,
        noise=PARAMS.noise,
        seed=0,
    )
    trained, trained_cpu = time.perf_counter() - t0, cpu_s(resource.RUSAGE_SELF) - c0
    dumps_model(model), dumps_model(model, stripped=True)  # the mesh writes both as well
    single, single_cpu = time.perf_counter() - t0, cpu_s(resource.RUSAGE_SELF) - c0
    print(
        f"single-process fit      {single:7.1f} s  (training {trained:.1f} s, "
        f"model.json + stripped {single - trained:.1f} s; CPU {single_cpu:.1f} s, "
        f"of which training {trained_cpu:.1f} s)"
    )
    walls = {}
    for workers in (1, 2):
        children, own = cpu_s(resource.RUSAGE_CHILDREN), cpu_s(resource.RUSAGE_SELF)
        _, status, wall, submit_cpu = mesh_train(str(data), target, workers)
        worker_cpu = cpu_s(resource.RUSAGE_CHILDREN) - children
        coordinator_cpu = cpu_s(resource.RUSAGE_SELF) - own
        walls[workers] = wall
        t = status.timings
        overhead = t["staging_s"] + t["fanout_s"] + t["assembly_s"]
        print(
            f"mesh, {workers} worker(s)      {wall:7.1f} s  (×{single / wall:.2f} vs fit; "
            f"{sum(status.leaves_per_layer)} leaves, peak concurrency "
            f"{status.backend_stats['peak_concurrency']}, largest event "
            f"{status.backend_stats['largest_event_bytes']} B; staging {t['staging_s']:.1f} s, "
            f"fan-out {t['fanout_s'] * 1000:.0f} ms, assembly {t['assembly_s']:.1f} s = "
            f"{100 * overhead / wall:.1f}% of wall; CPU: workers {worker_cpu:.1f} s "
            f"({worker_cpu / wall:.2f} cores on average), coordinator {coordinator_cpu:.1f} s "
            f"(submit {submit_cpu:.1f} s, drain + assembly {coordinator_cpu - submit_cpu:.1f} s); "
            f"mesh CPU / fit CPU = {(worker_cpu + coordinator_cpu) / single_cpu:.2f})"
        )
    print(
        f"speed-up 1→2 workers ×{walls[1] / walls[2]:.2f}; "
        f"parallel efficiency {100 * walls[1] / (2 * walls[2]):.0f}%"
    )


def split(data: Path, target: str) -> tuple[list[dict], list[dict]]:
    header, rows = read_csv(str(data))
    records = [dict(zip(header, r, strict=True)) for r in rows]
    random.Random(0).shuffle(records)
    cut = int(0.75 * len(records))
    return records[:cut], records[cut:]


def accuracy_of(model, test: list[dict], target: str) -> float:
    queries = [{k: v for k, v in r.items() if k != target} for r in test]
    predictions = Predictor(model).predict(queries)
    return sum(
        str(p.prediction) == r[target] for p, r in zip(predictions, test, strict=True)
    ) / len(test)


def accuracy(data: Path, target: str, params: TrainParams = PARAMS) -> None:
    train, test = split(data, target)
    print(
        f"== accuracy: {data.name}, {len(train)} train / {len(test)} test rows; "
        f"tau {params.tau}, bucket {params.bucket}; load average {os.getloadavg()[0]:.1f}"
    )
    for noise in (0.25, 0.0):
        at = replace(params, noise=noise)
        data_bytes, status, wall, _ = mesh_train(train, target, workers=2, params=at)
        mesh = accuracy_of(loads_model(data_bytes.decode()), test, target)
        t0 = time.perf_counter()
        model = fit(
            train,
            target_index=target,
            n_layers=at.n_layers,
            bucket=at.bucket,
            noise=noise,
            seed=at.seed,
        )
        single = accuracy_of(model, test, target)
        print(
            f"noise {noise:<4}  mesh {mesh:.4f} ({wall:.0f} s, "
            f"{sum(status.leaves_per_layer)} leaves)  single-process {single:.4f} "
            f"({time.perf_counter() - t0:.0f} s)  mesh − single = {100 * (mesh - single):+.1f} points"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("timing", "accuracy"))
    args = parser.parse_args()
    if args.only in (None, "timing"):
        timing(DATA / "adult.csv.gz", "income")
    if args.only in (None, "accuracy"):
        accuracy(DATA / "mushroom.csv", "class")
        accuracy(DATA / "titanic.csv", "survived", replace(PARAMS, tau=200, bucket=50))
        accuracy(DATA / "adult.csv.gz", "income")
        accuracy(DATA / "letter.csv.gz", "letter")


if __name__ == "__main__":
    main()
