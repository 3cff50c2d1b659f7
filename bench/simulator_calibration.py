"""Calibrate the ops simulator on the local mesh and check its wall-time prediction.

1. Measure, on the dataset itself: leaf time (our engine's one-layer Snake, inside the
   real leaf role) as a + b·n over slice sizes, divide time likewise, a worker's
   population load (its cold start) and the local queue's dispatch latency.
2. Train for real on the local backend (W worker processes) and time the mesh phase
   (roots fired → last leaf ingested; staging and assembly are not the mesh's).
3. Simulate the same job as the local mesh (W workers, no spawn quota, the measured
   times) and print measured vs predicted; the target is within 25%.

Step 1 runs the job's real roles serially in-process to time them; step 2 runs it
again on W workers. Run: .venv/bin/python bench/simulator_calibration.py [--data PATH --target COL]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.backends.local_pool import run_one
from snakebatch.backends.local_queue import SqliteQueue
from snakebatch.backends.local_store import DirectoryStore
from snakebatch.mesh import staging
from snakebatch.mesh.coordinator import Coordinator, TrainParams
from snakebatch.mesh.events import parse_node_event
from snakebatch.mesh.roles import dispatch
from snakebatch.mesh.rows import rows_for_path
from snakebatch.ops.simulator import local_config, simulate

DATA = Path(__file__).resolve().parents[1] / "data" / "adult.csv.gz"


def fit_line(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares a + b·n, clamped to non-negative."""
    n = np.array([p[0] for p in points], dtype=float)
    t = np.array([p[1] for p in points])
    b, a = np.polyfit(n, t, 1)
    return max(0.0, float(a)), max(0.0, float(b))


def median_time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_roles(data: Path, target: str, params: TrainParams, home: Path):
    """Run the job's real role code serially in this process, timing every node.

    The same loop a worker runs (claim, stats, role, ack), with the roles' store reads,
    path evaluation and report sends: CPU per node as a function of the slice size.
    """
    backend = LocalBackend(home / "serial", workers=0)
    coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
    model_id = coord.submit(str(data), target=target, params=params)
    ds = staging.load_dataset(backend.store, staging.package_key(model_id))
    timed: dict[str, list[tuple[int, float]]] = {"divide": [], "leaf": []}
    while True:
        t0 = time.process_time()
        msgs = backend.invocations.receive(1, wait_s=0.0)
        if not msgs:
            break
        run_one(backend, dispatch, msgs[0])  # claim, stats, role, ack: a worker's loop
        spent = time.process_time() - t0
        node = parse_node_event(msgs[0].body["event"])
        rows = len(rows_for_path(ds, node.package_key, node.path))
        timed[node.role].append((rows, spent))
    leaf_a, leaf_b = fit_line(timed["leaf"])
    div_a, div_b = fit_line(timed["divide"])
    return {
        "leaf_a": leaf_a,
        "leaf_b": leaf_b,
        "div_a": div_a,
        "div_b": div_b,
        "leaves": len(timed["leaf"]),
        "serial_s": sum(t for pts in timed.values() for _, t in pts),
    }


def measure_load(ds, home: Path) -> float:
    """A worker's first node: read the staged package and rebuild the Dataset."""
    store = DirectoryStore(home / "store")
    staging.stage(store, "calib", ds)
    key = staging.package_key("calib")

    def load() -> None:
        staging.evict(key)
        staging.load_dataset(store, key)

    load()
    return median_time(load, 3)


def measure_dispatch(home: Path, reps: int = 40) -> float:
    """Send → a polling receiver has it, with the queue's real long-poll backoff."""
    queue = SqliteQueue(home / "dispatch.sqlite", "q")
    latencies: list[float] = []

    def receiver() -> None:
        while len(latencies) < reps:
            for msg in queue.receive(1, wait_s=0.2):
                latencies.append(time.time() - msg.body["sent"])
                queue.ack([msg.receipt])

    thread = threading.Thread(target=receiver)
    thread.start()
    for _ in range(reps):
        time.sleep(random.uniform(0.0, 0.06))
        queue.send({"sent": time.time()})
    thread.join()
    return statistics.median(latencies)


def _spin(seconds: float) -> float:
    """Busy for ``seconds`` of wall time; returns the CPU share this process got."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    x = 0
    while time.perf_counter() - wall0 < seconds:
        x += 1
    return (time.process_time() - cpu0) / (time.perf_counter() - wall0)


def measure_cpu_share(workers: int, seconds: float = 2.0) -> float:
    """The CPU share each of W busy processes gets right now (1.0 = a whole core).

    The machine is shared (2 cores, other people's jobs), so W workers are not W
    cores: the simulator's node times are CPU times divided by this share.
    """
    with mp.get_context("spawn").Pool(workers) as pool:
        return statistics.median(pool.map(_spin, [seconds] * workers))


def run_local(data: Path, target: str, params: TrainParams, workers: int, home: Path):
    backend = LocalBackend(home / "mesh", workers=workers)
    coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with backend:
        time.sleep(2.0)  # let the workers finish importing: not the mesh's time
        model_id = coord.submit(str(data), target=target, params=params)
        t0, cpu0 = time.monotonic(), time.process_time()
        status = coord.run(model_id)
        wall, coordinator_cpu = time.monotonic() - t0, time.process_time() - cpu0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    mesh = wall - status.timings.get("assembly_s", 0.0)
    return status, mesh, workers_cpu, coordinator_cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--target", default="income")
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--tau", type=int, default=1000)
    ap.add_argument("--bucket", type=int, default=250)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    ds = staging.build_dataset(str(args.data), target=args.target, seed=args.seed)
    n_rows = len(ds.targets)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        params = TrainParams(n_layers=args.layers, tau=args.tau, bucket=args.bucket, seed=args.seed)
        eng = measure_roles(args.data, args.target, params, home)
        load_s = measure_load(ds, home)
        dispatch_s = measure_dispatch(home)
        share = measure_cpu_share(args.workers)
        slowdown = 1 / share
        status, measured, workers_cpu, coord_cpu = run_local(
            args.data, args.target, params, args.workers, home
        )
    if status.state != "done":
        raise SystemExit(f"local training failed: {status.error}")
    # The simulator splits evenly; real literal splits do not, so it gets the run's
    # mean leaf size (a property of the tree, not a timing) as its effective tau.
    per_layer = eng["leaves"] / args.layers
    effective_tau = max(1, round(n_rows / per_layer))
    sim = simulate(
        local_config(
            n_rows,
            args.layers,
            effective_tau,
            args.workers,
            t_divide_s=eng["div_a"] * slowdown,
            divide_per_row_s=eng["div_b"] * slowdown,
            leaf_base_s=eng["leaf_a"] * slowdown,
            leaf_per_row_s=eng["leaf_b"] * slowdown,
            dispatch_s=dispatch_s,
            load_s=load_s,
        )
    )
    ratio = sim.wall_s / measured
    print(
        f"dataset         {args.data.name}: {n_rows:,} rows, {args.layers} layers, tau={args.tau}"
    )
    print(f"leaf time       {eng['leaf_a'] * 1e3:.1f} ms + {eng['leaf_b'] * 1e6:.1f} us/row")
    print(f"divide time     {eng['div_a'] * 1e3:.2f} ms + {eng['div_b'] * 1e9:.1f} ns/row")
    print(f"serial work     {eng['serial_s']:.2f} CPU s over {eng['leaves']} leaves (one process)")
    print(f"cpu share       {share:.2f} of a core per process with {args.workers} busy at once")
    print(f"worker load     {load_s:.3f} s   dispatch {dispatch_s * 1e3:.1f} ms")
    print(
        f"leaves          measured {sum(status.leaves_per_layer)}, "
        f"simulated {sim.leaves_done} (balanced split, effective tau {effective_tau})"
    )
    print(f"cpu in the run  workers {workers_cpu:.1f} s, coordinator {coord_cpu:.1f} s")
    print(f"mesh wall       measured {measured:.2f} s, simulated {sim.wall_s:.2f} s")
    verdict = "within" if abs(ratio - 1) <= 0.25 else "OUTSIDE"
    print(f"ratio sim/real  {ratio:.3f}  ({verdict} 25%, {args.workers} workers)")


if __name__ == "__main__":
    main()
