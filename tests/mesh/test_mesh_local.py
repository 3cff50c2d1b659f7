"""The mesh on the local backend: worker processes, durable SQLite queues, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.engine.modelio import loads_model
from snakebatch.engine.predictor import Predictor
from snakebatch.mesh.coordinator import Coordinator, TrainParams
from snakebatch.mesh.events import NodeEvent, NodeParams
from snakebatch.mesh.staging import package_key
from tests.inline_backend import InlineBackend

ROOT = Path(__file__).resolve().parents[2]
TITANIC = ROOT / "data" / "titanic.csv"
MUSHROOM = ROOT / "data" / "mushroom.csv"
PARAMS = TrainParams(n_layers=3, tau=150, bucket=50, seed=11)


def _inline_bytes(tmp_path: Path, source: Path, target: str, params: TrainParams) -> bytes:
    coord = Coordinator(InlineBackend(), SqliteJobStore(tmp_path / "inline.sqlite"))
    model_id = coord.submit(source, target=target, params=params)
    assert coord.run(model_id, timeout_s=300).state == "done"
    return coord.model_bytes(model_id)


@pytest.fixture(scope="module")
def titanic_inline(tmp_path_factory):
    return _inline_bytes(tmp_path_factory.mktemp("inline"), TITANIC, "survived", PARAMS)


def _train_pooled(home: Path, source: Path, target: str, params: TrainParams, workers: int = 2):
    with LocalBackend(home, workers=workers) as backend:
        coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
        model_id = coord.submit(source, target=target, params=params)
        status = coord.run(model_id, timeout_s=300)
        return coord, model_id, status


@pytest.mark.slow
def test_titanic_on_worker_processes_equals_one_process(tmp_path, titanic_inline):
    coord, model_id, status = _train_pooled(tmp_path, TITANIC, "survived", PARAMS)
    assert status.state == "done", status.error
    assert sum(status.leaves_per_layer) >= 3 * 8
    assert coord.model_bytes(model_id) == titanic_inline
    assert status.backend_stats["peak_concurrency"] == 2
    assert 0 < status.backend_stats["largest_event_bytes"] < 4096
    grid = status.shard_stats
    assert len(grid) == 100 and sum(s["errors"] for s in grid) == 0
    assert sum(s["done"] for s in grid) == sum(s["invoked"] for s in grid)
    assert {"staging_s", "fanout_s", "assembly_s", "wall_s"} <= set(status.timings)


@pytest.mark.slow
def test_mushroom_conquer_mode_on_worker_processes(tmp_path):
    params = TrainParams(n_layers=2, tau=600, bucket=150, seed=2, completion="conquer")
    coord, model_id, status = _train_pooled(tmp_path, MUSHROOM, "class", params)
    assert status.state == "done", status.error
    assert sum(status.leaves_per_layer) >= 2 * 4
    model = loads_model(coord.model_bytes(model_id).decode())
    rows = model.population[::20]
    predictions = Predictor(model).predict(rows)
    hits = sum(p.prediction == r["class"] for p, r in zip(predictions, rows, strict=True))
    # Noise from the whole population gives pure leaves clauses (at noise 0: ~0.71).
    assert hits / len(rows) >= 0.95
    queue_params = TrainParams(**{**asdict(params), "completion": "queue"})
    assert coord.model_bytes(model_id) == _inline_bytes(tmp_path, MUSHROOM, "class", queue_params)


@pytest.mark.slow
def test_killed_drainer_resumes_and_loses_nothing(tmp_path, titanic_inline):
    home = tmp_path / "home"
    cmd = [
        sys.executable,
        "-m",
        "tests.mesh.drainer",
        str(home),
        str(TITANIC),
        "survived",
        json.dumps(asdict(PARAMS)),
    ]
    jobs = SqliteJobStore(home / "jobs.sqlite")
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        model_id = proc.stdout.readline().strip()
        deadline = time.monotonic() + 120
        while sum(n for n, _ in jobs.coverage(model_id).values()) < 3:
            assert time.monotonic() < deadline, "no leaf was ingested"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert jobs.get(model_id).state == "running"  # killed mid-job
    with LocalBackend(home, workers=2) as backend:
        coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
        assert model_id in coord.resume()
        status = coord.run(model_id, timeout_s=300)
    assert status.state == "done", status.error
    assert coord.model_bytes(model_id) == titanic_inline


@pytest.mark.slow
def test_a_failing_leaf_on_worker_processes_fails_the_job(tmp_path):
    with LocalBackend(tmp_path, workers=2) as backend:
        coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
        model_id = coord.submit(TITANIC, target="survived", params=PARAMS)
        bad = NodeEvent(
            "leaf",
            model_id,
            1,
            [[[42, 0.0, False, "N"], False]],
            NodeParams(150, 50, 5, 11, "queue", 0.25),
            package_key(model_id),
        )
        backend.invoker.invoke(3, bad.to_dict())
        status = coord.run(model_id, timeout_s=120)
        assert backend.drop_job(model_id) >= 0
    assert status.state == "failed"
    assert status.error.startswith("leaf at layer 1: MeshEventError: path literal [42")
