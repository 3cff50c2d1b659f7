"""The live 10×10 shard grid: one JSON snapshot, streamed as Server-Sent Events.

A snapshot is the backend's per-shard counters (in flight / done / errors) plus the
progress of unfinished jobs. The stream sends a snapshot only when it changed, and a
comment line as heartbeat so proxies keep the connection open.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

FIELDS = ("invoked", "in_flight", "done", "errors")


def snapshot(rt: Any, max_jobs: int = 5) -> dict[str, Any]:
    shards = [{k: int(s.get(k, 0)) for k in ("shard", *FIELDS)} for s in rt.backend.shard_stats()]
    totals = {k: sum(s[k] for s in shards) for k in FIELDS}
    jobs = []
    for model_id in rt.jobs.unfinished()[:max_jobs]:
        job = rt.jobs.get(model_id)
        coverage = rt.jobs.coverage(model_id)
        layers = range(job.params.get("n_layers", 0))
        jobs.append(
            {
                "model_id": model_id,
                "state": job.state,
                "n_rows": job.n_rows,
                "rows_covered_per_layer": [coverage.get(i, (0, 0))[1] for i in layers],
            }
        )
    return {"t": time.time(), "shards": shards, "totals": totals, "jobs": jobs}


async def events(
    read: Callable[[], dict[str, Any]],
    *,
    interval_s: float = 0.5,
    heartbeat_s: float = 15.0,
    max_events: int | None = None,
    disconnected: Callable[[], Any] | None = None,
) -> AsyncIterator[str]:
    last = None
    sent = 0
    quiet_since = time.monotonic()
    while max_events is None or sent < max_events:
        if disconnected is not None and await disconnected():
            return
        snap = await anyio.to_thread.run_sync(read)
        key = json.dumps([snap["shards"], snap["jobs"]])
        if key != last:
            last = key
            sent += 1
            quiet_since = time.monotonic()
            yield f"event: grid\ndata: {json.dumps(snap)}\n\n"
        elif time.monotonic() - quiet_since > heartbeat_s:
            quiet_since = time.monotonic()
            yield ": heartbeat\n\n"
        await anyio.sleep(interval_s)
