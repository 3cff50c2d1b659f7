"""The coordinator (the predecessor's gatherer logic): stage, fan out, drain, assemble.

Completion is queue-as-truth: leaves of one layer partition its rows, so a layer is
complete when the ``n_rows`` of its distinct leaves add up to N. That needs no
parent to wait (the predecessor's ``conquer`` is still selectable with
``completion="conquer"``; the coordinator completes the same way in both modes).
Every step is idempotent and durable: a report body is in the store and indexed in
the job store before its message is acknowledged, a redelivered report changes
nothing, and ``resume`` picks up unfinished jobs after a restart.
"""

from __future__ import annotations

import math
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from snakebatch.backends.base import (
    OPEN_STATES,
    Backend,
    HealthChecked,
    JobRecord,
    JobStore,
    LeafEntry,
    ObjectMissing,
    OrphanReleasing,
    SpawnGate,
    StoreDenied,
)
from snakebatch.engine.errors import ParameterError, SnakeError
from snakebatch.engine.params import JOB_ID_PATTERN, JOB_ID_RULE, PARAMS, check_all, model_config
from snakebatch.mesh.assembly import (
    AssemblyError,
    ModelFrame,
    model_frame,
    model_key,
    split_report,
    write_model,
)
from snakebatch.mesh.drainer import Drainer
from snakebatch.mesh.errors import MeshError
from snakebatch.mesh.events import (
    LEGACY_NOISE,
    NodeEvent,
    NodeParams,
    node_shard,
)
from snakebatch.mesh.reports import check_message, encode, load_leaf, report_key
from snakebatch.mesh.staging import build_dataset, evict, load_dataset, package_key, stage

_MODEL_ID = re.compile(JOB_ID_PATTERN)
#: Encoded leaf bodies the coordinator stored itself, kept in memory until assembly so
#: the assembler need not read back what was just written; beyond it, the store.
REPORT_CACHE_BYTES = 128 * 1024 * 1024


class CoordinatorError(MeshError):
    """Base of the coordinator's typed errors."""


class TrainParamsError(CoordinatorError, ValueError):
    pass


class ModelNotReady(CoordinatorError):
    def __init__(self, model_id: str, state: str, error: str | None) -> None:
        detail = f": {error}" if error else ""
        super().__init__(f"model {model_id!r} is not available (job {state}{detail})")
        self.state = state


class JobTimeout(CoordinatorError, TimeoutError):
    permanent = False


@dataclass(frozen=True)
class TrainParams:
    """A mesh job's parameters; defaults and bounds are ``engine.params.PARAMS``'s."""

    n_layers: int = PARAMS["n_layers"].default
    tau: int = PARAMS["tau"].default
    bucket: int = PARAMS["bucket"].default
    seed: int = PARAMS["seed"].default
    completion: str = PARAMS["completion"].default
    profile: str = PARAMS["profile"].default
    lookahead: int = PARAMS["lookahead"].default
    noise: float = PARAMS["noise"].default

    def __post_init__(self) -> None:
        try:
            check_all(asdict(self))
        except ParameterError as exc:
            raise TrainParamsError(str(exc)) from None


@dataclass
class JobStatus:
    model_id: str
    state: str
    n_rows: int
    n_layers: int
    leaves_per_layer: list[int]
    rows_covered_per_layer: list[int]
    timings: dict[str, float]
    error: str | None
    shard_stats: list[dict[str, int]] = field(default_factory=list)
    backend_stats: dict[str, int] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state not in OPEN_STATES

    @property
    def coverage(self) -> float:
        """Fraction of (row, layer) pairs covered by ingested leaves."""
        total = self.n_rows * self.n_layers
        return sum(self.rows_covered_per_layer) / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Coordinator:
    def __init__(
        self, backend: Backend, jobs: JobStore, *, governor: SpawnGate | None = None
    ) -> None:
        self.backend = backend
        self.jobs = jobs
        self.governor = governor
        self._lock = threading.Lock()
        self._assembling: set[str] = set()
        self._bodies: dict[str, dict[tuple[int, str], bytes]] = {}
        self._frames: dict[str, ModelFrame] = {}
        self._cached_bytes = 0
        self.drainer = Drainer(backend.reports, self.ingest, threads=1)

    # -- submitting -------------------------------------------------------------

    def submit(
        self,
        source: Any,
        *,
        target: int | str,
        params: TrainParams | None = None,
        model_id: str | None = None,
        excluded: Sequence[int | str] = (),
    ) -> str:
        """Stage the population (without the ``excluded`` columns) and fire one root
        divide per layer; returns the id.

        Bad input (unreadable, empty, one class, unknown target) raises here, before
        any job exists.
        """
        params = params or TrainParams()
        model_id = model_id or uuid.uuid4().hex
        if not _MODEL_ID.fullmatch(model_id):
            raise TrainParamsError(f"model_id {model_id!r}: use {JOB_ID_RULE}")
        started = time.time()
        ds = build_dataset(
            source, target=target, profile=params.profile, seed=params.seed, excluded=excluded
        )
        stage(self.backend.store, model_id, ds)
        staged = time.time()
        record_params = {
            **asdict(params),
            "target": target,
            "excluded": list(excluded),
            "oppose_profile": ds.profile,
        }
        self.jobs.create(
            JobRecord(model_id, "queued", record_params, len(ds.targets), created_at=started)
        )
        self.jobs.set_timing(model_id, "staging_s", staged - started)
        self.jobs.set_running(model_id, len(ds.targets))
        self._fan_out(model_id, params)
        # While the workers train, write what the model holds besides its layers.
        frame = _frame_of(ds, record_params)
        with self._lock:
            self._frames[model_id] = frame
        return model_id

    def _fan_out(self, model_id: str, params: TrainParams) -> None:
        """Fire the roots; ``fanout_s`` is recorded last, so its absence after a crash
        tells ``resume`` to fire them again (duplicates are harmless)."""
        t0 = time.time()
        node = NodeParams(
            params.tau,
            params.bucket,
            params.lookahead,
            params.seed,
            params.completion,
            float(params.noise),
        )
        for layer in range(params.n_layers):
            if self.governor is not None:
                self.governor.acquire()
            event = NodeEvent("divide", model_id, layer, [], node, package_key(model_id))
            shard = node_shard(model_id, layer, [], self.backend.shard_count)
            self.backend.invoker.invoke(shard, event.to_dict())
        self.jobs.set_timing(model_id, "fanout_s", time.time() - t0)

    # -- draining ---------------------------------------------------------------

    def ingest(self, body: Mapping[str, Any]) -> None:
        """Record one report; idempotent, order-free. Assembles when coverage is full."""
        message = check_message(body)
        model_id = message["model_id"]
        job = self.jobs.get(model_id)
        if job.state not in OPEN_STATES:
            return
        if message["kind"] == "error":
            where = f"{message.get('role', 'node')} at layer {message.get('layer')}"
            self.jobs.finish(
                model_id, "failed", error=f"{where}: {message['error']}", at=time.time()
            )
            self._forget_bodies(model_id)
            return
        key = report_key(model_id, message["layer"], message["leaf_id"])
        data = None
        if message.get("body_key") == key and isinstance(message.get("n_buckets"), int):
            # Stored by the leaf: count it now, read it at assembly.
            if not self.backend.store.exists(key):
                raise ObjectMissing(key)
            n_buckets = message["n_buckets"]
        else:
            report = load_leaf(self.backend.store, message)
            n_buckets = len(report["buckets"])
            if "body_key" not in message:
                data = encode(report)
                self.backend.store.put(key, data)
        entry = LeafEntry(
            layer=int(message["layer"]),
            leaf_id=message["leaf_id"],
            order=message["order"],
            n_rows=int(message["n_rows"]),
            n_buckets=n_buckets,
            report_key=key,
        )
        if self.jobs.add_leaf(model_id, entry) and data is not None:
            self._keep_body(model_id, entry, data)
        self._maybe_assemble(job)

    def _keep_body(self, model_id: str, entry: LeafEntry, data: bytes) -> None:
        with self._lock:
            if self._cached_bytes + len(data) <= REPORT_CACHE_BYTES:
                bodies = self._bodies.setdefault(model_id, {})
                bodies[(entry.layer, entry.leaf_id)] = data
                self._cached_bytes += len(data)

    def _forget_bodies(self, model_id: str) -> None:
        with self._lock:
            self._frames.pop(model_id, None)
            for data in self._bodies.pop(model_id, {}).values():
                self._cached_bytes -= len(data)

    def _leaf_text(self, model_id: str, entry: LeafEntry) -> tuple[bytes, int]:
        """A leaf's buckets as model JSON, and how many (``write_model``'s ``text_of``)."""
        with self._lock:
            data = self._bodies.get(model_id, {}).get((entry.layer, entry.leaf_id))
        if data is None:
            data = self.backend.store.get(entry.report_key)
        head, buckets_json, n_buckets = split_report(data)
        if (head.get("layer"), head.get("leaf_id")) != (entry.layer, entry.leaf_id):
            raise AssemblyError(f"{entry.report_key} holds another leaf's report")
        return buckets_json, entry.n_buckets if n_buckets is None else n_buckets

    def _complete(self, job: JobRecord) -> bool:
        coverage = self.jobs.coverage(job.model_id)
        return all(
            coverage.get(layer, (0, 0))[1] >= job.n_rows for layer in range(job.params["n_layers"])
        )

    def _maybe_assemble(self, job: JobRecord) -> None:
        if job.state not in OPEN_STATES or not self._complete(job):
            return
        with self._lock:
            if job.model_id in self._assembling:
                return  # another drainer thread took the last report; it assembles
            self._assembling.add(job.model_id)
        try:
            self._assemble_and_store(job)
        finally:
            self._forget_bodies(job.model_id)
            with self._lock:
                self._assembling.discard(job.model_id)

    def _assemble_and_store(self, job: JobRecord) -> None:
        """Assemble into local files and store them from there: a big model (hundreds
        of MB at a million rows) is never held in memory, whole or twice."""
        t0 = time.time()
        with tempfile.TemporaryDirectory(prefix="snakebatch-assembly-") as tmp:
            full, stripped = Path(tmp) / "model.json", Path(tmp) / "model_stripped.json"
            try:
                self._assemble(job, full, stripped)
            except (SnakeError, ValueError, KeyError, ObjectMissing, StoreDenied) as exc:
                # A denied read fails the job with the grant to fix, rather than
                # retrying the report until it lands in the DLQ.
                self.jobs.finish(
                    job.model_id, "failed", error=f"assembly: {type(exc).__name__}: {exc}", at=t0
                )
                return
            self.backend.store.put_file(model_key(job.model_id), full)
            self.backend.store.put_file(model_key(job.model_id, stripped=True), stripped)
        self.jobs.set_timing(job.model_id, "assembly_s", time.time() - t0)
        self.jobs.finish(job.model_id, "done", error=None, at=time.time())
        evict(package_key(job.model_id))

    def _assemble(self, job: JobRecord, full: Path, stripped: Path) -> None:
        p = job.params
        by_layer: list[list[LeafEntry]] = [[] for _ in range(p["n_layers"])]
        for entry in self.jobs.leaves(job.model_id):
            if entry.layer < p["n_layers"]:
                by_layer[entry.layer].append(entry)
        with self._lock:
            frame = self._frames.get(job.model_id)
        if frame is None:  # a job resumed after a restart
            frame = _frame_of(load_dataset(self.backend.store, package_key(job.model_id)), p)
        with full.open("wb") as full_out, stripped.open("wb") as stripped_out:
            write_model(
                frame=frame,
                n_rows=job.n_rows,
                config=_model_config(p),
                tau=p["tau"],
                leaves_by_layer=by_layer,
                text_of=lambda entry: self._leaf_text(job.model_id, entry),
                full=full_out,
                stripped=stripped_out,
            )

    def drain_once(self, wait_s: float = 2.0) -> int:
        """One round of the drain policy (``snakebatch.mesh.drainer``) on this thread:
        receive, ingest durably, ack; returns how many messages were handled."""
        return self.drainer.drain_once(wait_s)

    def run(
        self,
        model_id: str,
        *,
        on_progress: Callable[[JobStatus], None] | None = None,
        timeout_s: float | None = None,
        poll_s: float = 0.25,
    ) -> JobStatus:
        """Drain until the job is done or failed (``JobTimeout`` after ``timeout_s``)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        check = self.backend.check if isinstance(self.backend, HealthChecked) else None
        shown = -math.inf
        while True:
            if check is not None:
                check()
            state = self.jobs.get(model_id).state
            if state not in OPEN_STATES:
                status = self.status(model_id)
                if on_progress is not None:
                    on_progress(status)
                return status
            # The full status (shard stats included) at most every poll_s: reports
            # arrive many times a second and this loop shares the cores with the workers.
            if on_progress is not None and time.monotonic() - shown >= poll_s:
                on_progress(self.status(model_id))
                shown = time.monotonic()
            if deadline is not None and time.monotonic() > deadline:
                raise JobTimeout(f"job {model_id} still {state} after {timeout_s}s")
            self.drain_once(wait_s=poll_s)

    # -- reading ----------------------------------------------------------------

    def status(self, model_id: str) -> JobStatus:
        job = self.jobs.get(model_id)
        n_layers = job.params["n_layers"]
        coverage = self.jobs.coverage(model_id)
        timings = dict(job.timings)
        end = job.finished_at if job.finished_at is not None else time.time()
        timings["wall_s"] = end - job.created_at
        return JobStatus(
            model_id=model_id,
            state=job.state,
            n_rows=job.n_rows,
            n_layers=n_layers,
            leaves_per_layer=[coverage.get(i, (0, 0))[0] for i in range(n_layers)],
            rows_covered_per_layer=[coverage.get(i, (0, 0))[1] for i in range(n_layers)],
            timings=timings,
            error=job.error,
            shard_stats=self.backend.shard_stats(),
            backend_stats=self.backend.stats(),
        )

    def model_bytes(self, model_id: str, stripped: bool = False) -> bytes:
        job = self.jobs.get(model_id)
        if job.state != "done":
            raise ModelNotReady(model_id, job.state, job.error)
        return self.backend.store.get(model_key(model_id, stripped=stripped))

    def resume(self) -> list[str]:
        """Re-attach unfinished jobs after a restart: re-deliver orphaned reports, fan
        out jobs that crashed before fanning out, assemble jobs already covered."""
        if isinstance(self.backend.reports, OrphanReleasing):
            self.backend.reports.release_orphans()
        unfinished = self.jobs.unfinished()
        for model_id in unfinished:
            job = self.jobs.get(model_id)
            if "fanout_s" not in job.timings:
                known = {"noise": LEGACY_NOISE, **job.params}
                params = TrainParams(**{k: known[k] for k in asdict(TrainParams()) if k in known})
                self.jobs.set_running(model_id, job.n_rows)
                self._fan_out(model_id, params)
            self._maybe_assemble(job)
        return unfinished


def _model_config(p: dict[str, Any]) -> dict[str, Any]:
    """The model's ``config`` from a job record's parameters."""
    return model_config(
        n_layers=p["n_layers"],
        bucket=p["bucket"],
        noise=p.get("noise", LEGACY_NOISE),
        oppose_profile=p["oppose_profile"],
        lookahead=p["lookahead"],
        seed=p["seed"],
        tau=p["tau"],
    )


def _frame_of(ds: Any, params: dict[str, Any]) -> ModelFrame:
    return model_frame(
        header=ds.header,
        datatypes=ds.datatypes,
        targets=ds.targets,
        population=ds.rows,
        config=_model_config(params),
    )
