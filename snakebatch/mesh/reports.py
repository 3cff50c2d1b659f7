"""Leaf and error reports: their shape, their key in the store, spilling, retrying.

A leaf sends ONE report with all its buckets. When the encoded report exceeds the
queue's message limit (SQS: 256 KiB), or always on a backend whose
``store_report_bodies`` is true (local: a file write costs a worker what a queue row
would, and the coordinator then neither parses nor re-writes bodies while the
workers run), the body goes to the store under the leaf's canonical key and the
message carries only that key and the counts, so report size never limits N or the
bucket count. The coordinator stores every ingested body under the same key before
acknowledging, so one key per leaf holds it whichever way it travelled.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from snakebatch.backends.base import Backend, ObjectStore
from snakebatch.mesh.assembly import canonical_buckets
from snakebatch.mesh.errors import MeshError, is_permanent
from snakebatch.mesh.events import Path, path_id, path_order
from snakebatch.mesh.shapes import ErrorReportShape, LeafReportShape, ReportShape

T = TypeVar("T")


class ReportError(MeshError, ValueError):
    """A report message the coordinator cannot use (wrong kind, missing field)."""


def report_key(model_id: str, layer: int, leaf_id: str) -> str:
    return f"jobs/{model_id}/leaves/{layer}/{leaf_id}.json"


def leaf_report(
    model_id: str, layer: int, path: Path, n_rows: int, buckets: list[dict]
) -> LeafReportShape:
    return {
        "kind": "leaf",
        "model_id": model_id,
        "layer": layer,
        "leaf_id": path_id(path),
        "order": path_order(path),
        "path": path,
        "n_rows": n_rows,
        # Buckets in the writer's shape, last: the assembler splices their text as is.
        "buckets_as_model": True,
        "buckets": canonical_buckets(buckets),
    }


def error_report(
    model_id: str, layer: int, path: Path, role: str, exc: BaseException, attempts: int
) -> ErrorReportShape:
    return {
        "kind": "error",
        "model_id": model_id,
        "layer": layer,
        "leaf_id": path_id(path),
        "role": role,
        "error": f"{type(exc).__name__}: {exc}",
        "attempts": attempts,
    }


def encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), allow_nan=True).encode()


def send_report(backend: Backend, body: ReportShape) -> None:
    """Send ``body``; a leaf body the queue cannot carry (or that the backend wants in
    the store) is stored first and the message points at it."""
    if body["kind"] != "leaf":
        backend.reports.send(body)
        return
    data = encode(body)
    if not backend.store_report_bodies and len(data) <= backend.reports.max_body_bytes:
        backend.reports.send(body)
        return
    key = report_key(body["model_id"], body["layer"], body["leaf_id"])
    backend.store.put(key, data)
    pointer = {k: v for k, v in body.items() if k not in ("buckets", "path")}
    pointer["body_key"] = key
    pointer["n_buckets"] = len(body["buckets"])
    backend.reports.send(pointer)


def load_leaf(store: ObjectStore, message: LeafReportShape) -> LeafReportShape:
    """The full leaf report of a message, fetching a spilled body from the store."""
    if "body_key" in message:
        stored: LeafReportShape = json.loads(store.get(message["body_key"]))
        return stored
    return message


_NEEDED = {
    "leaf": ("model_id", "layer", "leaf_id", "order", "n_rows"),
    "error": ("model_id", "error"),
}


def check_message(message: object) -> ReportShape:
    """``message`` as a report once its kind and required fields are there."""
    if not isinstance(message, dict):
        raise ReportError(f"a report is a JSON object, got {type(message).__name__}")
    kind = message.get("kind")
    needed = _NEEDED.get(kind) if isinstance(kind, str) else None
    if needed is None:
        raise ReportError(f"unknown report kind {kind!r}")
    missing = [k for k in needed if k not in message]
    if missing:
        raise ReportError(f"{kind} report lacks {', '.join(missing)}")
    if kind == "leaf" and "buckets" not in message and "body_key" not in message:
        raise ReportError("leaf report has neither buckets nor body_key")
    return cast(ReportShape, message)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff for a node's own work."""

    attempts: int = 3
    base_delay_s: float = 0.2
    factor: float = 2.0
    max_delay_s: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError(f"invalid retry policy {self}")

    def delays(self) -> list[float]:
        return [
            min(self.max_delay_s, self.base_delay_s * self.factor**i)
            for i in range(self.attempts - 1)
        ]


def call_with_retry(
    fn: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep
) -> tuple[T | None, BaseException | None, int]:
    """``(result, None, attempts)`` on success, ``(None, last_error, attempts)`` otherwise.
    A permanent error (``is_permanent``, the drainer's rule too) is not tried again: the
    node is deterministic, so only a transient fault can pass on a second try."""
    delays = policy.delays()
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn(), None, attempt
        except Exception as exc:
            if attempt == policy.attempts or is_permanent(exc):
                return None, exc, attempt
            sleep(delays[attempt - 1])
    raise AssertionError("unreachable: attempts is at least 1")
