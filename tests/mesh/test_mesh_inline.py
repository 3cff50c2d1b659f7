"""The mesh in one process (InlineBackend): idempotency, retries, failures, routing,
event size at N = 1M. Same roles and coordinator as the process pool."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pytest

from snakebatch.backends.base import JobNotFound
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.errors import DataError, EmptyDataError, TargetError
from snakebatch.engine.literals import condition_holds
from snakebatch.engine.modelio import loads_model
from snakebatch.engine.predictor import Predictor
from snakebatch.mesh import predict, staging
from snakebatch.mesh.coordinator import Coordinator, ModelNotReady, TrainParams, TrainParamsError
from snakebatch.mesh.events import NodeEvent, NodeParams, path_condition
from snakebatch.mesh.staging import StagingError
from tests.inline_backend import InlineBackend, MemoryStore

DATA = Path(__file__).resolve().parents[2] / "data"
TITANIC = DATA / "titanic.csv"
SMALL = TrainParams(n_layers=2, tau=200, bucket=50, seed=7)


def _coordinator(tmp_path: Path, backend: InlineBackend | None = None) -> Coordinator:
    backend = backend or InlineBackend()
    return Coordinator(backend, SqliteJobStore(tmp_path / f"jobs-{random.random()}.sqlite"))


def _train(tmp_path, source=TITANIC, target="survived", params=SMALL, backend=None):
    coord = _coordinator(tmp_path, backend)
    model_id = coord.submit(source, target=target, params=params)
    status = coord.run(model_id, timeout_s=300)
    return coord, model_id, status


@pytest.fixture(scope="module")
def titanic_model(tmp_path_factory):
    coord, model_id, status = _train(tmp_path_factory.mktemp("t"))
    assert status.state == "done", status.error
    return coord, model_id, status


def test_titanic_trains_and_covers_every_row_in_every_layer(titanic_model):
    coord, model_id, status = titanic_model
    assert status.rows_covered_per_layer == [status.n_rows] * 2
    assert all(n >= 4 for n in status.leaves_per_layer)  # τ=200 on 1309 rows: many leaves
    model = loads_model(coord.model_bytes(model_id).decode())
    stripped = loads_model(coord.model_bytes(model_id, stripped=True).decode())
    assert model.config["noise"] == 0.25 and model.config["n_layers"] == 2
    assert stripped.stripped and not model.stripped
    for chain in model.layers:
        pairs = [(m, o) for b in chain for m, o in zip(b["members"], b["origins"], strict=True)]
        core = sorted(m for m, o in pairs if o == "c")
        assert core == list(range(status.n_rows))  # leaves partition the rows
        assert any(o == "n" for _, o in pairs)  # noise members count for nothing above
    rows = model.population[:200]
    full, lean = Predictor(model).predict(rows), Predictor(stripped).predict(rows)
    assert [p.to_dict() for p in full] == [p.to_dict() for p in lean]
    hits = sum(p.prediction == r["survived"] for p, r in zip(full, rows, strict=True))
    assert hits / len(rows) > 0.7


def test_serving_the_assembled_model_equals_serving_each_leaf_alone(titanic_model):
    """A query reaches the bucket whose complete condition it satisfies: route it with
    the leaf's own buckets (found by its path) and compare with the whole chain."""
    coord, model_id, _ = titanic_model
    model = loads_model(coord.model_bytes(model_id).decode())
    header = model.header
    reports = [
        json.loads(coord.backend.store.get(e.report_key)) for e in coord.jobs.leaves(model_id)
    ]
    predictor = Predictor(model)
    checked = 0
    for x in model.population[::7]:
        for layer in range(model.n_layers):
            mine = [
                r
                for r in reports
                if r["layer"] == layer and condition_holds(path_condition(r["path"]), x, header)
            ]
            if len(mine) != 1:
                continue  # a NaN feature falsifies both polarities of a path literal
            own = next(
                b
                for b in mine[0]["buckets"]
                if b["condition"] is None or condition_holds(b["condition"], x, header)
            )
            routed = model.layers[layer][predictor.compiled.route_layer(layer, x)]
            assert routed["members"] == own["members"]
            checked += 1
    assert checked > 300


def test_same_seed_same_bytes_other_seed_other_model(tmp_path, titanic_model):
    coord, model_id, _ = titanic_model
    again_coord, again_id, _ = _train(tmp_path)
    assert again_coord.model_bytes(again_id) == coord.model_bytes(model_id)
    other_coord, other_id, _ = _train(
        tmp_path, params=TrainParams(n_layers=2, tau=200, bucket=50, seed=8)
    )
    assert other_coord.model_bytes(other_id) != coord.model_bytes(model_id)


def _job_copy(source: Coordinator, model_id: str, tmp_path: Path) -> Coordinator:
    """A second coordinator over the same store with a fresh copy of the job record."""
    twin = Coordinator(source.backend, SqliteJobStore(tmp_path / "twin.sqlite"))
    record = source.jobs.get(model_id)
    record.state, record.finished_at = "running", None
    twin.jobs.create(record)
    return twin


def test_duplicated_and_shuffled_reports_give_the_same_model(tmp_path):
    backend = InlineBackend()
    coord = _coordinator(tmp_path, backend)
    model_id = coord.submit(TITANIC, target="survived", params=SMALL)
    messages = [m.body for m in backend.reports.receive(10_000)]
    twin = _job_copy(coord, model_id, tmp_path)
    for body in messages:
        coord.ingest(body)
    reference = coord.model_bytes(model_id)
    jumbled = messages * 3
    random.Random(1).shuffle(jumbled)
    for body in jumbled:
        twin.ingest(body)
    assert twin.status(model_id).state == "done"
    assert twin.model_bytes(model_id) == reference
    assert sum(twin.status(model_id).leaves_per_layer) == len(messages)


def test_reports_that_spill_to_the_store_give_the_same_model(tmp_path, titanic_model):
    coord, model_id, _ = titanic_model
    backend = InlineBackend(max_report_bytes=1024)
    spill_coord, spill_id, status = _train(tmp_path, backend=backend)
    assert status.state == "done"
    assert spill_coord.model_bytes(spill_id) == coord.model_bytes(model_id)
    spilled = [k for k in backend.store.objects if "/leaves/" in k]
    assert spilled


def test_report_bodies_stored_by_the_leaves_give_the_same_model(tmp_path, titanic_model):
    coord, model_id, _ = titanic_model
    backend = InlineBackend()
    backend.store_report_bodies = True  # as the local backend does
    stored_coord, stored_id, status = _train(tmp_path, backend=backend)
    assert status.state == "done"
    assert stored_coord.model_bytes(stored_id) == coord.model_bytes(model_id)
    assert not stored_coord._bodies and stored_coord._cached_bytes == 0


def test_a_pointer_to_a_missing_body_is_not_counted(tmp_path):
    from snakebatch.backends.base import ObjectMissing

    backend = InlineBackend()
    backend.store_report_bodies = True
    coord = _coordinator(tmp_path, backend)
    model_id = coord.submit(TITANIC, target="survived", params=SMALL)
    first = backend.reports.receive(1)[0].body
    del backend.store.objects[first["body_key"]]
    with pytest.raises(ObjectMissing):
        coord.ingest(first)
    assert sum(coord.status(model_id).leaves_per_layer) == 0


def test_conquer_completion_builds_the_same_model(tmp_path, titanic_model):
    coord, model_id, _ = titanic_model
    params = TrainParams(n_layers=2, tau=200, bucket=50, seed=7, completion="conquer")
    conquer_coord, conquer_id, status = _train(tmp_path, params=params)
    assert status.state == "done"
    assert conquer_coord.model_bytes(conquer_id) == coord.model_bytes(model_id)
    stats = conquer_coord.backend.shard_stats()
    assert sum(s["errors"] for s in stats) == 0


class FlakyStore(MemoryStore):
    """The store is briefly unavailable: the first ``failures`` reads of a key fail."""

    def __init__(self, objects: dict[str, bytes], key: str, failures: int) -> None:
        super().__init__()
        self.objects = objects
        self.key, self.failures = key, failures

    def get(self, key: str) -> bytes:
        if key == self.key and self.failures > 0:
            self.failures -= 1
            raise OSError("store briefly unavailable")
        return super().get(key)


def _staged_but_not_run(tmp_path, params=SMALL):
    backend = InlineBackend(run_roles=())
    coord = _coordinator(tmp_path, backend)
    model_id = coord.submit(TITANIC, target="survived", params=params)
    key = staging.package_key(model_id)
    staging.evict(key)  # as in a fresh worker process: the package must be read
    roots = list(backend.skipped)
    backend.skipped.clear()
    backend.run_roles = None
    return coord, backend, model_id, key, roots


def test_a_transient_failure_is_retried_and_the_job_succeeds(tmp_path, titanic_model):
    reference_coord, reference_id, _ = titanic_model
    coord, backend, model_id, key, roots = _staged_but_not_run(tmp_path)
    backend.store = FlakyStore(backend.store.objects, key, failures=2)
    for event in roots:
        backend.invoke(0, event)
    status = coord.run(model_id, timeout_s=300)
    assert status.state == "done", status.error
    assert backend.store.failures == 0
    assert coord.model_bytes(model_id) == reference_coord.model_bytes(reference_id)


def test_a_persistent_failure_fails_the_job_with_the_reason(tmp_path):
    coord, backend, model_id, key, roots = _staged_but_not_run(tmp_path)
    backend.store.put(key, gzip.compress(b'{"header": "not a package"}'))
    for event in roots:
        backend.invoke(0, event)
    status = coord.run(model_id, timeout_s=60)
    assert status.state == "failed"
    assert "divide at layer" in status.error and "unreadable" in status.error
    with pytest.raises(ModelNotReady, match="failed"):
        coord.model_bytes(model_id)


def test_a_leaf_that_raises_fails_the_job(tmp_path):
    coord, backend, model_id, key, roots = _staged_but_not_run(tmp_path)
    bad = NodeEvent(
        "leaf",
        model_id,
        0,
        [[[99, 1.0, False, "N"], True]],  # no feature 99: the leaf cannot find its rows
        NodeParams(200, 50, 5, 7, "queue", 0.25),
        key,
    )
    backend.invoke(0, bad.to_dict())
    for event in roots:
        backend.invoke(0, event)
    status = coord.run(model_id, timeout_s=60)
    assert status.state == "failed"
    assert status.error.startswith("leaf at layer 0: MeshEventError: path literal [99")


def _pure_leaf_model(tmp_path, noise: float):
    """One layer, two leaves: ``g`` contains "pure" (all class B) and the rest."""
    rows = [{"y": "B", "g": "pure", "x": float(i)} for i in range(40)]
    rows += [{"y": "AB"[i % 2], "g": "mix", "x": float(50 + i)} for i in range(80)]
    backend = InlineBackend(run_roles=())
    coord = _coordinator(tmp_path, backend)
    params = TrainParams(n_layers=1, tau=50, bucket=8, seed=4, noise=noise)
    model_id = coord.submit(rows, target="y", params=params)
    key = staging.package_key(model_id)
    literal = [staging.load_dataset(backend.store, key).header.index("g"), "pure", False, "T"]
    backend.run_roles = None
    node = NodeParams(50, 8, 5, 4, "queue", noise)
    for holds in (True, False):
        backend.invoke(0, NodeEvent("leaf", model_id, 0, [[literal, holds]], node, key).to_dict())
    status = coord.run(model_id, timeout_s=60)
    assert status.state == "done", status.error
    assert status.n_rows == len(rows)  # all distinct: nothing deduplicated
    assert status.rows_covered_per_layer == [len(rows)]  # noise members are not coverage
    pure = next(
        json.loads(backend.store.get(e.report_key))
        for e in coord.jobs.leaves(model_id)
        if e.order == "0"
    )
    model = loads_model(coord.model_bytes(model_id).decode())
    return pure, model, [{"g": r["g"], "x": r["x"]} for r in rows[:40]]


def test_a_pure_leaf_gets_clauses_and_its_rows_get_votes(tmp_path):
    pure, model, queries = _pure_leaf_model(tmp_path, noise=0.25)
    assert pure["n_rows"] == 40
    for bucket in pure["buckets"]:
        assert bucket["clauses"], "a pure leaf's bucket has no clauses"
        assert "n" in bucket["origins"]
    predictions = Predictor(model).predict(queries)
    assert all(p.prediction == "B" and p.probability["B"] > 0.5 for p in predictions)
    # The predecessor's leaves (noise 0) are blind here: no clauses, uniform votes, "A" wins.
    blind, blind_model, _ = _pure_leaf_model(tmp_path, noise=0.0)
    assert not any(b["clauses"] for b in blind["buckets"])
    assert {p.prediction for p in Predictor(blind_model).predict(queries)} == {"A"}


def test_predict_roles_answer_like_the_engine(titanic_model):
    coord, model_id, _ = titanic_model
    backend = coord.backend
    model = loads_model(coord.model_bytes(model_id, stripped=True).decode())
    queries = [
        {k: v for k, v in r.items() if k != "survived"}
        for r in loads_model(coord.model_bytes(model_id).decode()).population[:50]
    ]
    request = predict.submit(backend, model_id, queries, chunk_size=16)
    answers = predict.collect(backend.store, request, len(queries), 16)
    expected = [p.to_dict() for p in Predictor(model).predict(queries)]
    assert answers == json.loads(json.dumps(expected))  # as it travels: JSON keys are strings
    assert predict.collect(backend.store, "unknown", 3, 16) is None


@pytest.mark.parametrize(
    ("source", "target", "error", "text"),
    [
        (b"a,b\n1,2,3,4\n0,1\n", "a", DataError, "has 4 fields"),
        (b"\xff\xfe\x00\x01", "a", DataError, "not UTF-8"),
        (b"", "a", EmptyDataError, "empty"),
        (b"a,b\n", "a", EmptyDataError, "no rows"),
        (b"a,b\n1,x\n1,y\n1,z\n", "a", StagingError, "single class"),
        (b"a,b\n1,x\n0,y\n", "nope", TargetError, "nope"),
        (b'[{"a": 1, "b": 2}, {"a": 0, "b": 2}]', "a", StagingError, "duplicate features"),
        (b"[1, 2", "a", StagingError, "JSON rows do not parse"),
        (b"[1, 2]", "a", StagingError, "array of objects"),
        ("no/such/file.json", "a", StagingError, "cannot read"),
    ],
)
def test_bad_inputs_are_typed_errors_and_create_no_job(tmp_path, source, target, error, text):
    coord = _coordinator(tmp_path)
    with pytest.raises(error, match=text):
        coord.submit(source, target=target, params=SMALL)
    assert coord.jobs.unfinished() == []


@pytest.mark.parametrize("enabled", [True, False])
def test_staging_leaves_the_cyclic_collector_as_it_found_it(enabled):
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert len(staging.build_dataset(TITANIC, target="survived").targets) > 100
        assert gc.isenabled() is enabled
        with pytest.raises(TargetError):
            staging.build_dataset(TITANIC, target="nope")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_json_rows_and_bad_parameters(tmp_path):
    rows = [{"y": i % 2, "x": float(i % 7), "t": "ab"[i % 2] + str(i % 3)} for i in range(60)]
    coord = _coordinator(tmp_path)
    model_id = coord.submit(
        json.dumps(rows).encode(), target="y", params=TrainParams(n_layers=1, tau=20, bucket=10)
    )
    assert coord.run(model_id, timeout_s=60).state == "done"
    with pytest.raises(TrainParamsError, match="tau"):
        TrainParams(tau=0)
    with pytest.raises(TrainParamsError, match="completion"):
        TrainParams(completion="maybe")
    for noise in (1.5, -0.01, float("nan"), "0.2", None, True):
        with pytest.raises(TrainParamsError, match="noise"):
            TrainParams(noise=noise)
    with pytest.raises(TrainParamsError, match="model_id"):
        coord.submit(rows, target="y", model_id="../escape")
    with pytest.raises(JobNotFound):
        coord.status("unknown")
    with pytest.raises(JobNotFound):
        coord.model_bytes("unknown")


@pytest.mark.slow
def test_largest_event_dividing_one_million_rows_stays_small():
    """Events carry paths, not rows: dividing 1M rows down to τ keeps every event tiny."""
    n = 1_000_000
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=n).round(3), rng.normal(size=n).round(3)
    y = (x1 + 0.5 * rng.normal(size=n) > x2).astype(int)
    rows = [{"y": int(t), "a": float(a), "b": float(b)} for t, a, b in zip(y, x1, x2, strict=True)]
    ds = Dataset(
        ["y", "a", "b"], ["B", "N", "N"], [r["y"] for r in rows], rows, profile="scientific", seed=0
    )
    backend = InlineBackend(run_roles={"divide"})
    key = staging.stage(backend.store, "million", ds)
    root = NodeEvent("divide", "million", 0, [], NodeParams(20_000, 250, 5, 0, "queue", 0.25), key)
    backend.invoke(0, root.to_dict())
    leaves = backend.skipped
    assert len(leaves) >= 50  # the tree really went down to τ
    assert all(e["role"] == "leaf" for e in leaves)
    assert backend.largest_event_bytes < 256 * 1024
    assert backend.largest_event_bytes < 8 * 1024  # a path of a few dozen literals
    staging.evict(key)


def test_concurrent_drainer_threads_assemble_once_and_identically(tmp_path, titanic_model):
    from concurrent.futures import ThreadPoolExecutor

    reference_coord, reference_id, _ = titanic_model
    backend = InlineBackend()
    coord = _coordinator(tmp_path, backend)
    model_id = coord.submit(TITANIC, target="survived", params=SMALL)
    messages = [m.body for m in backend.reports.receive(10_000)] * 2
    random.Random(5).shuffle(messages)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(coord.ingest, messages))
    assert coord.status(model_id).state == "done"
    assert coord.model_bytes(model_id) == reference_coord.model_bytes(reference_id)


def test_assembly_reads_the_store_beyond_the_memory_budget(tmp_path, titanic_model, monkeypatch):
    from snakebatch.mesh import coordinator as coordinator_mod

    monkeypatch.setattr(coordinator_mod, "REPORT_CACHE_BYTES", 50_000)  # a few leaves only
    reference_coord, reference_id, _ = titanic_model
    coord, model_id, status = _train(tmp_path)
    assert status.state == "done"
    assert coord.model_bytes(model_id) == reference_coord.model_bytes(reference_id)
    assert coord._cached_bytes == 0 and not coord._bodies  # released after assembly
