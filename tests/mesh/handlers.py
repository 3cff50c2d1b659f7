"""Handlers for worker-pool tests, importable by ``module:function`` in spawned workers."""

from __future__ import annotations

import json
import os
import time
from typing import Any


def record(event: dict[str, Any], backend: Any) -> None:
    """Sleep, then store which process ran the event and when."""
    time.sleep(event.get("sleep", 0))
    mark = {"pid": os.getpid(), "at": time.time(), "event": event}
    backend.store.put(f"ran/{event['n']}.json", json.dumps(mark).encode())


def flaky(event: dict[str, Any], backend: Any) -> None:
    """Fails on the first delivery of each event, succeeds on the next."""
    key = f"attempts/{event['n']}"
    first = not backend.store.exists(key)
    backend.store.put(key, b"1")
    if first:
        raise RuntimeError("first delivery fails")
    backend.store.put(f"ran/{event['n']}.json", b"{}")


def slow_once(event: dict[str, Any], backend: Any) -> None:
    """Hangs on the first delivery (so a test can kill the worker), then records."""
    key = f"attempts/{event['n']}"
    if not backend.store.exists(key):
        backend.store.put(key, b"1")
        time.sleep(60)
    backend.store.put(f"ran/{event['n']}.json", json.dumps({"pid": os.getpid()}).encode())
