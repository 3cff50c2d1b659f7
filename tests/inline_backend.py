"""The mesh in one process: every invocation runs at once, nested, in the caller.

The same roles and the same coordinator as the process pool, with memory in place of
the directory, the queues and SQLite. It is the "one process" reference that the
pooled mesh must match byte for byte, it lets tests train without spawning anything,
and with ``run_roles`` it can stop short of the leaves, which is how the 1M-row
event-size check divides without training. Test-only: no entry point opens it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from snakebatch.backends.base import BackendError, CounterError, ObjectMissing, Received
from snakebatch.backends.local import SQS_MAX_BODY_BYTES
from snakebatch.mesh.roles import dispatch


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = bytes(data)

    def get(self, key: str) -> bytes:
        try:
            return self.objects[key]
        except KeyError:
            raise ObjectMissing(key) from None

    def exists(self, key: str) -> bool:
        return key in self.objects

    def put_file(self, key: str, path: Path) -> None:
        self.put(key, Path(path).read_bytes())

    def get_file(self, key: str, path: Path) -> None:
        Path(path).write_bytes(self.get(key))


class MemoryQueue:
    """Reports in order of sending; bodies are copied through JSON like a real queue."""

    def __init__(self, max_body_bytes: int = SQS_MAX_BODY_BYTES) -> None:
        self.max_body_bytes = max_body_bytes
        self.messages: dict[str, str] = {}

    def send(self, body: Mapping[str, Any]) -> None:
        self.messages[uuid.uuid4().hex] = json.dumps(body)

    def receive(self, max_messages: int = 10, wait_s: float = 2.0) -> list[Received]:
        taken = list(self.messages.items())[:max_messages]
        for receipt, _ in taken:
            del self.messages[receipt]
        return [Received(json.loads(text), receipt) for receipt, text in taken]

    def ack(self, receipts: list[str]) -> None:
        """Received messages are already gone: one process cannot crash mid-way."""


class MemoryCounters:
    def __init__(self) -> None:
        self.values: dict[str, list[int]] = {}

    def create(self, key: str, expected: int) -> None:
        self.values.setdefault(key, [expected, 0])

    def increment(self, key: str) -> int:
        if key not in self.values:
            raise CounterError(f"no counter {key!r}")
        counter = self.values[key]
        counter[1] = min(counter[0], counter[1] + 1)
        return counter[1]

    def completed(self, key: str) -> int:
        if key not in self.values:
            raise CounterError(f"no counter {key!r}")
        return self.values[key][1]


class InlineBackend:
    name = "inline"
    store_report_bodies = False

    def __init__(
        self,
        *,
        shard_count: int = 100,
        run_roles: Collection[str] | None = None,
        max_report_bytes: int = SQS_MAX_BODY_BYTES,
    ) -> None:
        self.shard_count = shard_count
        self.store = MemoryStore()
        self.reports = MemoryQueue(max_report_bytes)
        self.counters = MemoryCounters()
        self.invoker = self
        self.run_roles = None if run_roles is None else set(run_roles)
        self.handler = dispatch
        self.skipped: list[dict[str, Any]] = []
        self.largest_event_bytes = 0
        self._shards = [{"invoked": 0, "done": 0, "errors": 0} for _ in range(shard_count)]

    def invoke(self, shard: int, event: Mapping[str, Any]) -> None:
        if not 0 <= shard < self.shard_count:
            raise BackendError(f"shard {shard} outside 0..{self.shard_count - 1}")
        text = json.dumps(event, separators=(",", ":"))
        self.largest_event_bytes = max(self.largest_event_bytes, len(text.encode()))
        self._shards[shard]["invoked"] += 1
        if self.run_roles is not None and event.get("role") not in self.run_roles:
            self.skipped.append(event)
            return
        try:
            self.handler(json.loads(text), self)
        except Exception:
            self._shards[shard]["errors"] += 1
            raise
        self._shards[shard]["done"] += 1

    def shard_stats(self) -> list[dict[str, int]]:
        return [{"shard": i, "in_flight": 0, **s} for i, s in enumerate(self._shards)]

    def stats(self) -> dict[str, int]:
        return {
            "invocations": sum(s["invoked"] for s in self._shards),
            "running": 0,
            # nested calls are not concurrency: one process runs one role at a time
            "peak_concurrency": 1 if any(s["done"] for s in self._shards) else 0,
            "largest_event_bytes": self.largest_event_bytes,
        }
