"""The job store contract: what the coordinator remembers about a training job.

A job's record and the index of its ingested leaves live here, so a restarted
drainer carries on where the dead one stopped. The leaf bodies themselves live in the
object store (``report_key``); this table only needs what coverage and ordering use.
The SQLite implementation is ``snakebatch.backends.local_jobs``; the aws backend
implements the same protocol on DynamoDB.

Every write is idempotent or conditional: ``add_leaf`` keeps the first entry for a
``(layer, leaf_id)``, and ``finish`` only moves a job out of ``queued``/``running``,
so a late error report cannot fail a job that was already assembled, nor a late
report revive a failed one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

STATES = ("queued", "running", "done", "failed")
OPEN_STATES = ("queued", "running")


class JobError(Exception):
    """Base of the job store's typed errors."""


class JobNotFound(JobError, KeyError):
    def __init__(self, model_id: str) -> None:
        super().__init__(f"no job {model_id!r}")
        self.model_id = model_id

    def __str__(self) -> str:
        return str(self.args[0])


class JobExists(JobError):
    pass


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
    def create(self, record: JobRecord) -> None: ...  # JobExists if the id is taken
    def get(self, model_id: str) -> JobRecord: ...  # JobNotFound
    def set_running(self, model_id: str, n_rows: int) -> None: ...
    def set_timing(self, model_id: str, name: str, seconds: float) -> None: ...
    def finish(self, model_id: str, state: str, *, error: str | None, at: float) -> bool: ...
    def add_leaf(self, model_id: str, leaf: LeafEntry) -> bool: ...  # False if already there
    def leaves(self, model_id: str) -> list[LeafEntry]: ...
    def coverage(self, model_id: str) -> dict[int, tuple[int, int]]: ...  # layer → (leaves, rows)
    def unfinished(self) -> list[str]: ...
