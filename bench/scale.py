"""Scale benchmark: the local mesh at 20K, 200K and 1M rows × 5 layers.

    python -m bench.scale                  # 20K, 200K and 1M rows
    python -m bench.scale --rows 20000     # one size (repeat --rows for several)
    python -m bench.scale --fingerprints   # sha256 of seeded models: titanic, adult, 20K

Data: ``bench.synthetic_mesh`` (10 numeric + 2 text columns, 3 classes). Training
runs the API ``snakebatch train`` uses (``Coordinator`` over ``LocalBackend``, 2
workers, seed 0, τ=1000, bucket 250, noise 0.25) in a child process, so that its peak
RSS (``VmHWM``) is the coordinator's alone; a thread there polls the workers'
``VmHWM`` while they live. Loading and predicting run in a second child on the
stripped model: load time, then ms per row for single queries (``predict_one``) and
for one batch (``predict``). The sha256 of ``model.json`` is printed so that a run
before and after a change shows whether models stayed byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

SIZES = (20_000, 200_000, 1_000_000)
SINGLE_ROWS = 200
BATCH_ROWS = 2_000
POLL_S = 0.2


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident set (``VmHWM``) of a live process, in MB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


class WorkerPeaks(threading.Thread):
    """Polls the peak RSS of every descendant process until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(POLL_S)

    def sample(self) -> None:
        todo = _children(os.getpid())
        while todo:
            pid = todo.pop()
            todo += _children(pid)
            self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak_rss_mb(pid))

    def stop(self) -> dict[int, float]:
        self._stop_event.set()
        self.join()
        self.sample()
        return self.peaks


def train_child(data: Path, out: Path, workers: int) -> dict:
    """One training run in this process (the coordinator); figures as a dict."""
    from snakebatch.backends.local import LocalBackend
    from snakebatch.backends.local_jobs import SqliteJobStore
    from snakebatch.mesh.assembly import model_key
    from snakebatch.mesh.coordinator import Coordinator, TrainParams

    params = TrainParams(n_layers=5, tau=1000, bucket=250, seed=0, noise=0.25)
    with tempfile.TemporaryDirectory() as home:
        t0 = time.perf_counter()
        with LocalBackend(home, workers=workers) as backend:
            poller = WorkerPeaks()
            poller.start()
            coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
            model_id = coord.submit(str(data), target="target", params=params)
            staged_mb = peak_rss_mb()
            status = coord.run(model_id, timeout_s=6 * 3600)
            peaks = poller.stop()
            trained_mb = peak_rss_mb()
            if status.state != "done":
                raise SystemExit(f"training failed: {status.error}")
            # streamed out of the store, as the gatherer's downloads are: the copy-out
            # is not the coordinator's work and must not count in its peak
            for stripped in (False, True):
                name = "model_stripped.json" if stripped else "model.json"
                backend.store.get_file(model_key(model_id, stripped=stripped), out / name)
        wall = time.perf_counter() - t0
    return {
        "train_s": wall,
        "timings": status.timings,
        "leaves": sum(status.leaves_per_layer),
        "coordinator_mb": trained_mb,
        "coordinator_staged_mb": staged_mb,
        "worker_mb": max(peaks.values(), default=0.0),
        "worker_peaks_mb": sorted(round(v) for v in peaks.values()),
    }


def predict_child(model: Path, data: Path) -> dict:
    """Cold load of the stripped model, then single and batch prediction."""
    from snakebatch.engine.predictor import Predictor

    with data.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = []
        for row in reader:
            row.pop("target")
            rows.append(row)
            if len(rows) == BATCH_ROWS:
                break
    t0 = time.perf_counter()
    predictor = Predictor.from_file(model)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for row in rows[:SINGLE_ROWS]:
        predictor.predict_one(row)
    single = (time.perf_counter() - t0) * 1000 / SINGLE_ROWS
    t0 = time.perf_counter()
    predictor.predict(rows)
    batch = (time.perf_counter() - t0) * 1000 / len(rows)
    return {"load_s": load_s, "single_ms": single, "batch_ms": batch, "predict_mb": peak_rss_mb()}


def fingerprints(folder: Path) -> dict[str, str]:
    """sha256 of ``model.json`` for seeded runs that must not change when the data's
    representation does: the engine's ``fit`` on titanic (bucket as the mesh's
    accuracy run; its log, which holds timings, blanked), and the mesh on titanic,
    adult and the 20K synthetic set."""
    from bench.mesh import PARAMS, mesh_train
    from bench.synthetic_mesh import write_csv
    from snakebatch.engine.modelio import dumps_model
    from snakebatch.engine.train import fit

    data = Path(__file__).resolve().parents[1] / "data"
    small = replace(PARAMS, tau=200, bucket=50)
    titanic = str(data / "titanic.csv")
    synthetic = str(write_csv(20_000, folder / "synthetic_20000.csv"))
    runs = {
        "fit titanic": lambda: dumps_model(
            replace(
                fit(titanic, target_index="survived", n_layers=5, bucket=50, noise=0.25, seed=0),
                log="",
            )
        ).encode(),
        "mesh titanic": lambda: mesh_train(titanic, "survived", 2, small)[0],
        "mesh adult": lambda: mesh_train(str(data / "adult.csv.gz"), "income", 2)[0],
        "mesh synthetic 20K": lambda: mesh_train(synthetic, "target", 2)[0],
    }
    return {name: hashlib.sha256(run()).hexdigest() for name, run in runs.items()}


def _child(*args: str) -> dict:
    """Run this module in a fresh interpreter and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", *args], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(n_rows: int, folder: Path, workers: int) -> dict:
    from bench.synthetic_mesh import write_csv

    data = write_csv(n_rows, folder / f"synthetic_{n_rows}.csv")
    out = folder / f"model_{n_rows}"
    out.mkdir(exist_ok=True)
    load_before = os.getloadavg()[0]
    figures = _child("--train-child", str(data), str(out), "--workers", str(workers))
    figures["load_avg"] = (load_before, os.getloadavg()[0])
    model, stripped = out / "model.json", out / "model_stripped.json"
    figures["model_mb"] = model.stat().st_size / 1e6
    figures["stripped_mb"] = stripped.stat().st_size / 1e6
    figures["sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
    figures.update(_child("--predict-child", str(stripped), str(data)))
    return figures


COLUMNS = (
    ("rows", "{rows:,}"),
    ("train s", "{train_s:.1f}"),
    ("coord MB", "{coordinator_mb:.0f}"),
    ("coord MB after staging", "{coordinator_staged_mb:.0f}"),
    ("worker MB", "{worker_mb:.0f}"),
    ("model MB", "{model_mb:.1f}"),
    ("stripped MB", "{stripped_mb:.1f}"),
    ("load s", "{load_s:.2f}"),
    ("single ms/row", "{single_ms:.2f}"),
    ("batch ms/row", "{batch_ms:.3f}"),
    ("load avg", "{load_avg[0]:.1f}–{load_avg[1]:.1f}"),
)


def table(results: list[dict]) -> str:
    lines = [
        "| " + " | ".join(name for name, _ in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for r in results:
        lines.append("| " + " | ".join(fmt.format(**r) for _, fmt in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="one size (repeatable)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep data and models in this folder")
    parser.add_argument("--train-child", nargs=2, type=Path, metavar=("CSV", "OUT"))
    parser.add_argument("--predict-child", nargs=2, type=Path, metavar=("MODEL", "CSV"))
    parser.add_argument("--fingerprints", action="store_true", help="sha256 of seeded models")
    args = parser.parse_args()
    if args.fingerprints:
        with tempfile.TemporaryDirectory() as tmp:
            for name, digest in fingerprints(Path(tmp)).items():
                print(f"{digest}  {name}")
        return
    if args.train_child:
        print(json.dumps(train_child(*args.train_child, args.workers)))
        return
    if args.predict_child:
        print(json.dumps(predict_child(*args.predict_child)))
        return
    print(f"{os.cpu_count()} cores; {args.workers} workers; 5 layers, tau 1000, bucket 250")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n_rows in args.rows or SIZES:
            figures = {"rows": n_rows, **measure(n_rows, folder, args.workers)}
            print(json.dumps(figures), flush=True)
            results.append(figures)
    print(table(results))


if __name__ == "__main__":
    main()
