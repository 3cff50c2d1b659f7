"""The mesh roles as plain functions over a ``Backend``: one handler, many roles.

``dispatch(event, backend)`` is what a Lambda shard or a local worker calls. A role
never blocks on its children (except ``conquer``, the predecessor's parent-polling mode,
kept selectable); it recomputes its rows from the path, acts, fires events and
returns. Failures inside ``divide``/``leaf`` are retried under ``RETRY`` and, when
they persist, turned into an error report, so a job fails with the reason instead
of waiting forever for coverage that cannot come.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from snakebatch.backends.base import Backend
from snakebatch.engine.chain import build_chain
from snakebatch.engine.split import opposing_literal
from snakebatch.mesh import predict
from snakebatch.mesh.events import (
    MeshEventError,
    NodeEvent,
    full_condition,
    node_rng,
    node_shard,
    parse_node_event,
    path_id,
)
from snakebatch.mesh.reports import (
    RetryPolicy,
    call_with_retry,
    error_report,
    leaf_report,
    send_report,
)
from snakebatch.mesh.rows import rows_for_path
from snakebatch.mesh.staging import load_dataset

RETRY = RetryPolicy()
#: How long a conquer parent polls for its leaf's ack (Lambda's timeout in the predecessor).
CONQUER_TIMEOUT_S = 300.0
CONQUER_POLL_S = 0.05


def _fire(backend: Backend, node: NodeEvent) -> None:
    shard = node_shard(node.model_id, node.layer, node.path, backend.shard_count)
    backend.invoker.invoke(shard, node.to_dict())


def _guarded(node: NodeEvent, backend: Backend, work: Any) -> None:
    _, exc, attempts = call_with_retry(work, RETRY)
    if exc is not None:
        send_report(
            backend, error_report(node.model_id, node.layer, node.path, node.role, exc, attempts)
        )


def _to_leaf(backend: Backend, node: NodeEvent) -> None:
    role = "conquer" if node.params.completion == "conquer" else "leaf"
    _fire(backend, node.child(role, node.path))


def divide(event: dict[str, Any], backend: Backend) -> None:
    """≤ τ rows (or nothing separates them) → a leaf; else two child divides."""
    node = parse_node_event(event)

    def work() -> None:
        ds = load_dataset(backend.store, node.package_key)
        rows = rows_for_path(ds, node.package_key, node.path)
        if len(rows) <= node.params.tau:
            _to_leaf(backend, node)
            return
        rng = node_rng(node.params.seed, node.layer, node.path, "divide")
        literal = opposing_literal(ds, rows, rng)
        if literal is not None:
            held = ds.columns.mask(literal, rows)
            if held.all() or not held.any():
                literal = None  # would not shrink the slice: recursing could not end
        if literal is None:
            _to_leaf(backend, node)
            return
        _fire(backend, node.child("divide", [*node.path, [literal, True]]))
        _fire(backend, node.child("divide", [*node.path, [literal, False]]))

    _guarded(node, backend, work)


def conquer(event: dict[str, Any], backend: Backend) -> None:
    """The predecessor's blocking parent: one leaf, then poll its counter until it acks."""
    node = parse_node_event(event)
    key = f"{node.model_id}/{node.layer}/{path_id(node.path)}"
    backend.counters.create(key, 1)
    _fire(backend, node.child("leaf", node.path, ack_key=key))
    deadline = time.monotonic() + CONQUER_TIMEOUT_S
    while backend.counters.completed(key) < 1:
        if time.monotonic() > deadline:
            exc = TimeoutError(f"leaf below conquer {key} did not ack in {CONQUER_TIMEOUT_S}s")
            send_report(
                backend, error_report(node.model_id, node.layer, node.path, "conquer", exc, 1)
            )
            return
        time.sleep(CONQUER_POLL_S)


def leaf(event: dict[str, Any], backend: Backend) -> None:
    """One layer of Snake on the slice; ONE report with every bucket, in chain order."""
    node = parse_node_event(event)

    def work() -> None:
        ds = load_dataset(backend.store, node.package_key)
        rows = rows_for_path(ds, node.package_key, node.path)
        rng = node_rng(node.params.seed, node.layer, node.path, "leaf")
        # Noise comes from the whole population, as in the reference (spec §4.3): a
        # slice of one class would otherwise give buckets without clauses, blind to
        # every query. The leaf's last bucket is the global ELSE only at the root.
        chain = build_chain(
            ds,
            [int(i) for i in rows],
            bucket=node.params.bucket,
            noise=node.params.noise,
            lookahead=node.params.lookahead,
            rng=rng,
            noise_pool=np.arange(ds.n),
            noisy_last=bool(node.path),
        )
        buckets = [
            {
                "condition": full_condition(node.path, b["condition"]),
                "members": b["members"],
                "origins": b["origins"],
                "clauses": b["clauses"],
                "lookalikes": b["lookalikes"],
            }
            for b in chain
        ]
        send_report(backend, leaf_report(node.model_id, node.layer, node.path, len(rows), buckets))

    _guarded(node, backend, work)
    if node.ack_key is not None:
        backend.counters.increment(node.ack_key)


ROLES = {
    "divide": divide,
    "conquer": conquer,
    "leaf": leaf,
    "predict_divide": predict.predict_divide,
    "predict_compute": predict.predict_compute,
}


def dispatch(event: dict[str, Any], backend: Backend) -> None:
    """The single entry point: route on ``event["role"]``; anything else is a typed error."""
    if not isinstance(event, dict):
        raise MeshEventError(f"an event is a JSON object, got {type(event).__name__}")
    role = event.get("role")
    handler = ROLES.get(role) if isinstance(role, str) else None
    if handler is None:
        raise MeshEventError(f"unknown role {role!r}; expected one of {sorted(ROLES)}")
    handler(event, backend)
