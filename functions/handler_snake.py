"""The single Lambda entry point of every shard: ``handler_snake.handler``.

Thin on purpose: open the backend the environment names once per container,
hand the event to ``snakebatch.mesh.roles.dispatch`` and shape the response. The role
code is the same the local backend runs.

Failure policy (asynchronous invocations are retried by Lambda, so what the handler
does with an error decides whether it loops):

* An event that can never succeed (not an object, unknown role, missing or mistyped
  field: ``MeshEventError``) is logged and answered with a typed error result. The
  invocation *succeeds* from Lambda's point of view, so it is not retried.
* Failures of a role's own work are retried inside the role and end as an error
  report on the queue, so the job fails with the reason; the handler sees a normal
  return.
* Anything else (S3/SQS/DynamoDB unreachable, a misconfigured container) is
  re-raised: Lambda retries it a bounded number of times (``maximum_retry_attempts``
  in Terraform's mesh module, default 1), then sends the event record to the on-failure destination, the
  reports queue, where the drainer turns it into a job failure carrying the error.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from snakebatch.backends.base import Backend, ShardRecording
from snakebatch.backends.factory import open_backend
from snakebatch.mesh.events import MeshEventError
from snakebatch.mesh.roles import dispatch
from snakebatch.settings import Settings

log = logging.getLogger("snakebatch.handler")
log.setLevel(logging.INFO)

_backend: Backend | None = None


def backend() -> Backend:
    """One backend per container: clients, connection pools and the package cache."""
    global _backend
    if _backend is None:
        _backend, _ = open_backend(Settings.from_env())
    return _backend


def shard_of(function_name: str) -> int | None:
    match = re.search(r"-(\d+)$", function_name or "")
    return int(match.group(1)) if match else None


def _describe(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return {"role": None}
    return {k: event.get(k) for k in ("role", "model_id", "layer") if k in event}


def _record(shard: int | None, field: str) -> None:
    """Grid bookkeeping must never fail the invocation it describes."""
    if shard is None or not isinstance(_backend, ShardRecording):
        return
    try:
        _backend.record_shard(shard, field)
    except Exception as exc:
        log.warning(json.dumps({"msg": "shard stats not recorded", "error": repr(exc)}))


def handler(event: Any, context: Any) -> dict[str, Any]:
    started = time.monotonic()
    about = _describe(event)
    shard = shard_of(getattr(context, "function_name", ""))
    try:
        dispatch(event, backend())
    except MeshEventError as exc:
        _record(shard, "errors")
        error = {"type": type(exc).__name__, "message": str(exc)}
        log.error(json.dumps({"msg": "rejected event", **about, "error": error}, default=str))
        return {"ok": False, **about, "error": error}
    except Exception as exc:
        _record(shard, "errors")
        log.exception(json.dumps({"msg": "invocation failed", **about, "error": repr(exc)}))
        raise
    _record(shard, "done")
    ms = round((time.monotonic() - started) * 1000, 1)
    log.info(json.dumps({"msg": "done", **about, "ms": ms}, default=str))
    return {"ok": True, **about, "ms": ms}
