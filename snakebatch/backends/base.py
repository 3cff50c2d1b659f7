"""The small interface the mesh roles and the gatherer need from the world.

Roles are pure functions over a ``Backend``; the local backend (worker processes, a
directory, a durable SQLite queue, SQLite tables) and the aws backend (Lambda, S3,
SQS, DynamoDB through boto3) implement it. Nothing above this line knows which one
runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: Roles that wait rather than compute (the seed's parent-polling ``conquer``). A
#: backend must not let them starve the roles they wait for: Lambda gives each its
#: own container; the local pool runs them on a thread beside the worker's loop.
BLOCKING_ROLES = frozenset({"conquer"})


class BackendError(RuntimeError):
    """The backend could not do what was asked (bad key, closed pool, bad settings)."""


class ObjectMissing(KeyError):
    """No object under this key in the store."""


class StoreFailed(BackendError):
    """The store could not take or hand over an object (bucket gone, disk full, network)."""


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

    max_body_bytes: int

    def send(self, body: dict[str, Any]) -> None: ...
    def receive(self, max_messages: int = 10, wait_s: float = 2.0) -> list[Received]: ...
    def ack(self, receipts: list[str]) -> None: ...


class Invoker(Protocol):
    """Fire-and-forget invocation of a role on a shard (``InvocationType=Event``).

    Returns once the event is durably queued, never after the role ran. Delivery is
    at least once, so roles are idempotent.
    """

    def invoke(self, shard: int, event: dict[str, Any]) -> None: ...


class Counters(Protocol):
    """Parent counters for the ``conquer`` completion mode (conditional updates)."""

    def create(self, key: str, expected: int) -> None: ...
    def increment(self, key: str) -> int: ...
    def completed(self, key: str) -> int: ...


class Governor(Protocol):
    """Spawn-rate control (``snakebatch.ops.governor``): ``acquire`` blocks for a token."""

    def acquire(self) -> None: ...


class Backend(Protocol):
    """Everything a role or the coordinator touches.

    ``shard_stats()`` returns one dict per shard ``0..shard_count-1`` with the keys
    ``shard``, ``invoked``, ``in_flight``, ``done``, ``errors`` (the gatherer's live
    grid reads it). ``stats()`` returns backend-wide figures: ``invocations``,
    ``running``, ``peak_concurrency``, ``largest_event_bytes``.
    """

    name: str
    shard_count: int
    store: ObjectStore
    reports: ReportQueue
    invoker: Invoker
    counters: Counters

    def shard_stats(self) -> list[dict[str, int]]: ...
    def stats(self) -> dict[str, int]: ...
