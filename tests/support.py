"""Helpers shared by the test areas (fixtures live in ``tests/conftest.py``)."""

from __future__ import annotations

import functools
import socket
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serialize_moto_dynamodb() -> None:
    """Make moto's DynamoDB answer one request at a time, as if its writes were isolated.

    moto (5.2) runs ``TransactWriteItems`` by deep-copying the whole table, applying the
    writes, and on any failed condition putting the copy back, with no lock. On the
    threaded server, a write that lands from another request between that copy and that
    rollback is silently undone, or half undone (a leaf's index entry kept, its coverage
    counter lost, or the reverse), and a copy racing a write fails with "dictionary
    changed size during iteration". Real DynamoDB serialises transactions; the drainer's
    duplicate reports make failed (idempotent) transactions common, so under CPU load a
    job lost a leaf in moto and never completed. Idempotent: wraps once.
    """
    if getattr(DynamoHandler.call_action, "_serialized", False):
        return
    lock = threading.Lock()
    unlocked = DynamoHandler.call_action

    @functools.wraps(unlocked)
    def call_action(self: DynamoHandler, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return unlocked(self, *args, **kwargs)

    call_action._serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
