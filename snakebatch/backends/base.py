"""The ports: the small interface the mesh roles, the coordinator and the gatherer need.

Roles are pure functions over a ``Backend``; the local backend (worker processes, a
directory, a durable SQLite queue, SQLite tables) and the aws backend (Lambda, S3,
SQS, DynamoDB through boto3) implement it. Nothing above this line knows which one
runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

#: Roles that wait rather than compute (the predecessor's parent-polling ``conquer``). A
#: backend must not let them starve the roles they wait for: Lambda gives each its
#: own container; the local pool runs them on a thread beside the worker's loop.
BLOCKING_ROLES = frozenset({"conquer"})


class BackendError(RuntimeError):
    """Root of every backend error: the backend could not do what was asked.

    ``permanent`` tells a caller whether asking again can help: an outage or a race
    (the default) may pass, bad settings or an absent record will not. The report
    drainer (``snakebatch.mesh.drainer``) retries or gives up on this flag alone.
    """

    permanent = False


class ObjectMissing(BackendError, KeyError):
    """No object under this key in the store (yet: a spilled body may still be landing)."""


class StoreFailed(BackendError):
    """The store could not take or hand over an object (bucket gone, disk full, network)."""


class CounterError(BackendError, LookupError):
    """A counter that does not exist was incremented or read."""

    permanent = True


class JobError(BackendError):
    """Base of the job store's typed errors; both mean the request itself is wrong."""

    permanent = True


class JobNotFound(JobError, KeyError):
    def __init__(self, model_id: str) -> None:
        super().__init__(f"no job {model_id!r}")
        self.model_id = model_id

    def __str__(self) -> str:
        return str(self.args[0])


class JobExists(JobError):
    pass


class StoreDenied(StoreFailed):
    """The store refused the request (S3 403). Never read as "missing": a role without
    a grant would otherwise poll forever for an object it may not read."""


@dataclass(frozen=True)
class Received:
    """A message taken from the reports queue; ``receipt`` acknowledges (deletes) it."""

    body: dict[str, Any]
    receipt: str
    receive_count: int = 1


class ObjectStore(Protocol):
    """Blobs by key (``jobs/{model_id}/pop.json.gz``, models, spilled reports, uploads).

    ``get`` of an absent key raises ``ObjectMissing``. ``put`` is atomic: a reader
    sees the old object or the new one, never half of it.

    ``put_file`` / ``get_file`` stream objects too large to hold in memory (gatherer
    uploads, up to 512 MB) between a local file and the store in bounded chunks.
    ``put_file`` is atomic like ``put``; ``get_file`` writes ``path`` whole or not at
    all and raises ``ObjectMissing`` for an absent key. Any other failure of either
    raises ``StoreFailed``, so a caller can tell "not there" from "not now".
    """

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def put_file(self, key: str, path: Path) -> None: ...
    def get_file(self, key: str, path: Path) -> None: ...


class ReportQueue(Protocol):
    """At-least-once delivery of leaf reports; a message is gone only once acked.

    ``max_body_bytes`` is the transport's limit (SQS: 256 KiB); a larger report is
    spilled to the store by the sender and the message carries its key.
    """

    @property
    def max_body_bytes(self) -> int: ...
    def send(self, body: Mapping[str, Any]) -> None: ...
    def receive(self, max_messages: int = 10, wait_s: float = 2.0) -> list[Received]: ...
    def ack(self, receipts: list[str]) -> None: ...


@runtime_checkable
class DelayedRetry(Protocol):
    """A queue that can hide one received message for a chosen delay (SQS)."""

    def retry_later(self, receipt: str, delay_s: float) -> None: ...


@runtime_checkable
class Releasable(Protocol):
    """A queue that can give a received message back at once (the local queue)."""

    def release(self, receipt: str) -> None: ...


@runtime_checkable
class DeadLettering(Protocol):
    """A queue that parks a message it cannot use, with the reason (SQS: its DLQ)."""

    def dead_letter(self, message: Received, reason: str) -> None: ...


@runtime_checkable
class OrphanReleasing(Protocol):
    """A queue that re-delivers at once what a dead receiver had claimed (local)."""

    def release_orphans(self) -> int: ...


@runtime_checkable
class Closable(Protocol):
    """A backend holding files or processes to release (local: its pool and SQLite)."""

    def close(self) -> None: ...


@runtime_checkable
class ShardRecording(Protocol):
    """A backend whose shards report their own activity (aws: the Lambda handler)."""

    def record_shard(self, shard: int, field: str) -> None: ...


@runtime_checkable
class HealthChecked(Protocol):
    """A backend that can tell it is broken (local: the worker pool gave up)."""

    def check(self) -> None: ...


class Invoker(Protocol):
    """Fire-and-forget invocation of a role on a shard (``InvocationType=Event``).

    Returns once the event is durably queued, never after the role ran. Delivery is
    at least once, so roles are idempotent.
    """

    def invoke(self, shard: int, event: Mapping[str, Any]) -> None: ...


class Counters(Protocol):
    """Parent counters for the ``conquer`` completion mode (conditional updates)."""

    def create(self, key: str, expected: int) -> None: ...
    def increment(self, key: str) -> int: ...
    def completed(self, key: str) -> int: ...


class SpawnGate(Protocol):
    """Anything that paces invocations: ``acquire`` blocks until one may start. The
    ops token bucket (``snakebatch.ops.governor.Governor``) is the one we ship."""

    def acquire(self) -> None: ...


class Backend(Protocol):
    """Everything a role or the coordinator touches.

    ``shard_stats()`` returns one dict per shard ``0..shard_count-1`` with the keys
    ``shard``, ``invoked``, ``in_flight``, ``done``, ``errors`` (the gatherer's live
    grid reads it). ``stats()`` returns backend-wide figures: ``invocations``,
    ``running``, ``peak_concurrency``, ``largest_event_bytes``.
    ``store_report_bodies`` true makes a leaf put its report body in the store and send
    only a pointer (``snakebatch.mesh.reports.send_report``).
    """

    name: str
    shard_count: int
    store_report_bodies: bool

    # Read-only to callers, so an implementation may hold a more specific type.
    @property
    def store(self) -> ObjectStore: ...
    @property
    def reports(self) -> ReportQueue: ...
    @property
    def invoker(self) -> Invoker: ...
    @property
    def counters(self) -> Counters: ...

    def shard_stats(self) -> list[dict[str, int]]: ...
    def stats(self) -> dict[str, int]: ...


STATES = ("queued", "running", "done", "failed")
OPEN_STATES = ("queued", "running")


@dataclass
class JobRecord:
    model_id: str
    state: str
    params: dict[str, Any]
    n_rows: int = 0
    created_at: float = 0.0
    finished_at: float | None = None
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LeafEntry:
    """One ingested leaf. ``order`` sorts leaves of a layer deterministically (by path)."""

    layer: int
    leaf_id: str
    order: str
    n_rows: int
    n_buckets: int
    report_key: str


class JobStore(Protocol):
    """What the coordinator remembers about a training job.

    A job's record and the index of its ingested leaves live here, so a restarted
    drainer carries on where the dead one stopped. The leaf bodies themselves live in
    the object store (``report_key``); this table only needs what coverage and
    ordering use. ``local_jobs`` implements it on SQLite, ``aws_jobs`` on DynamoDB.

    Every write is idempotent or conditional: ``add_leaf`` keeps the first entry for
    a ``(layer, leaf_id)``, and ``finish`` only moves a job out of
    ``queued``/``running``, so a late error report cannot fail a job that was already
    assembled, nor a late report revive a failed one.
    """

    def create(self, record: JobRecord) -> None: ...  # JobExists if the id is taken
    def get(self, model_id: str) -> JobRecord: ...  # JobNotFound
    def set_running(self, model_id: str, n_rows: int) -> None: ...
    def set_timing(self, model_id: str, name: str, seconds: float) -> None: ...
    def finish(self, model_id: str, state: str, *, error: str | None, at: float) -> bool: ...
    def add_leaf(self, model_id: str, leaf: LeafEntry) -> bool: ...  # False if already there
    def leaves(self, model_id: str) -> list[LeafEntry]: ...
    def coverage(self, model_id: str) -> dict[int, tuple[int, int]]: ...  # layer → (leaves, rows)
    def unfinished(self) -> list[str]: ...
