"""The small interface the mesh roles and the gatherer need from the world.

Roles are pure functions over a ``Backend``; the local backend (worker processes, a
directory, a durable SQLite queue, SQLite tables) and the aws backend (Lambda, S3,
SQS, DynamoDB through boto3) implement it. Nothing above this line knows which one
runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Received:
    """A message taken from the reports queue; ``receipt`` acknowledges (deletes) it."""

    body: dict[str, Any]
    receipt: str
    receive_count: int = 1


class ObjectStore(Protocol):
    """Blobs by key (``jobs/{model_id}/pop.json.gz``, models, spilled reports)."""

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...


class ReportQueue(Protocol):
    """At-least-once delivery of leaf reports; a message is gone only once acked."""

    def send(self, body: dict[str, Any]) -> None: ...
    def receive(self, max_messages: int = 10, wait_s: float = 2.0) -> list[Received]: ...
    def ack(self, receipts: list[str]) -> None: ...


class Invoker(Protocol):
    """Fire-and-forget invocation of a role on a shard (``InvocationType=Event``)."""

    def invoke(self, shard: int, event: dict[str, Any]) -> None: ...


class Counters(Protocol):
    """Parent counters for the ``conquer`` completion mode (conditional updates)."""

    def create(self, key: str, expected: int) -> None: ...
    def increment(self, key: str) -> int: ...
    def completed(self, key: str) -> int: ...


class Backend(Protocol):
    name: str
    shard_count: int
    store: ObjectStore
    reports: ReportQueue
    invoker: Invoker
    counters: Counters
