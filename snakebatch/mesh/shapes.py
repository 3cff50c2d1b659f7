"""The JSON shapes that cross process boundaries: node events and reports.

Training events travel from the coordinator (and from divides) to shards through the
invoker; reports travel from leaves to the coordinator through the reports queue. Both are
plain JSON, so these TypedDicts are what the type checker knows of them; the runtime
checks stay in ``events.parse_node_event`` and ``reports.check_message``, because a
queue delivers whatever was sent. ``docs/internals.md`` shows the same shapes.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

#: A path step: ``[literal, holds]``; a literal is ``[index, value, negated, type]``.
PathStep = list[Any]


class NodeParamsShape(TypedDict):
    tau: int
    bucket: int
    lookahead: int
    seed: int
    completion: str  # "queue" | "conquer"
    noise: NotRequired[float]  # absent in events from before noise: 0.0


class NodeEventShape(TypedDict):
    role: str  # "divide" | "conquer" | "leaf"
    model_id: str
    layer: int
    path: list[PathStep]
    params: NodeParamsShape
    package_key: str
    ack_key: NotRequired[str]  # a leaf under conquer completion


class LeafReportShape(TypedDict):
    """A leaf's buckets inline (``buckets``), or spilled to the store (``body_key``)."""

    kind: Literal["leaf"]
    model_id: str
    layer: int
    leaf_id: str
    order: str
    n_rows: int
    path: NotRequired[list[PathStep]]
    buckets_as_model: NotRequired[bool]
    buckets: NotRequired[list[dict[str, Any]]]  # chain order; the last key
    body_key: NotRequired[str]
    n_buckets: NotRequired[int]


class ErrorReportShape(TypedDict):
    """A failed role, or a report the drainer gave up on (then without layer/role)."""

    kind: Literal["error"]
    model_id: str
    error: str
    attempts: int
    layer: NotRequired[int]
    leaf_id: NotRequired[str]
    role: NotRequired[str]


ReportShape = LeafReportShape | ErrorReportShape
