"""Mesh events and the pure logic of paths: ids, ordering, seeds, shards, conditions.

A node of the divide tree is named by its **path**, a list of ``[literal, holds]``
steps from the root. Everything about a node derives from ``(model_id, layer, path)``:
its rows (recomputed from the population), its random generator, its shard, its
``leaf_id`` and its place in the assembled chain. So a redelivered or retried node
makes the same choices and produces the same report, and events stay a few hundred
bytes at any N (docs/internals.md, "Mesh events").
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

from snakebatch.engine.errors import ParameterError
from snakebatch.engine.params import COMPLETIONS, PARAMS
from snakebatch.mesh.errors import MeshError
from snakebatch.mesh.shapes import NodeEventShape, NodeParamsShape
from snakebatch.settings import shard_for

TRAIN_ROLES = ("divide", "conquer", "leaf")
PREDICT_ROLES = ("predict_divide", "predict_compute")
#: Noise of an event or job record that has no ``noise``: they predate the field, when
#: leaves trained without noise, and a redelivered one must make the same choices.
LEGACY_NOISE = 0.0


class MeshEventError(MeshError, ValueError):
    """An event the roles cannot act on (unknown role, missing or mistyped field)."""


Path = list  # [[literal, holds], ...]


@dataclass(frozen=True)
class NodeParams:
    tau: int
    bucket: int
    lookahead: int
    seed: int
    completion: str
    noise: float

    def to_dict(self) -> NodeParamsShape:
        return {
            "tau": self.tau,
            "bucket": self.bucket,
            "lookahead": self.lookahead,
            "seed": self.seed,
            "completion": self.completion,
            "noise": self.noise,
        }


@dataclass(frozen=True)
class NodeEvent:
    """A validated ``divide`` / ``conquer`` / ``leaf`` event."""

    role: str
    model_id: str
    layer: int
    path: Path
    params: NodeParams
    package_key: str
    ack_key: str | None = None

    def to_dict(self) -> NodeEventShape:
        event: NodeEventShape = {
            "role": self.role,
            "model_id": self.model_id,
            "layer": self.layer,
            "path": self.path,
            "params": self.params.to_dict(),
            "package_key": self.package_key,
        }
        if self.ack_key is not None:
            event["ack_key"] = self.ack_key
        return event

    def child(self, role: str, path: Path, ack_key: str | None = None) -> NodeEvent:
        return NodeEvent(
            role, self.model_id, self.layer, path, self.params, self.package_key, ack_key
        )


def _need(event: dict, key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in event:
        raise MeshEventError(f"event has no {key!r} field")
    value = event[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MeshEventError(f"event field {key!r} has type {type(value).__name__}")
    return value


def _positive_int(params: dict, key: str, minimum: int = 1) -> int:
    value = _need(params, key, int)
    if value < minimum:
        raise MeshEventError(f"params.{key} must be at least {minimum}, got {value}")
    return value


def _noise(params: dict) -> float:
    value = params.get("noise", LEGACY_NOISE)
    try:
        return float(PARAMS["noise"].check(value))
    except ParameterError as exc:
        raise MeshEventError(f"params.{exc}") from None


def parse_node_event(event: Any) -> NodeEvent:
    if not isinstance(event, dict):
        raise MeshEventError(f"an event is a JSON object, got {type(event).__name__}")
    role = _need(event, "role", str)
    if role not in TRAIN_ROLES:
        raise MeshEventError(f"not a training role: {role!r}")
    layer = _need(event, "layer", int)
    if layer < 0:
        raise MeshEventError(f"layer must be 0 or more, got {layer}")
    raw = _need(event, "params", dict)
    completion = _need(raw, "completion", str)
    if completion not in COMPLETIONS:
        raise MeshEventError(f"params.completion must be one of {COMPLETIONS}, got {completion!r}")
    params = NodeParams(
        tau=_positive_int(raw, "tau"),
        bucket=_positive_int(raw, "bucket"),
        lookahead=_positive_int(raw, "lookahead"),
        seed=_need(raw, "seed", int),
        completion=completion,
        noise=_noise(raw),
    )
    ack_key = event.get("ack_key")
    if ack_key is not None and not isinstance(ack_key, str):
        raise MeshEventError("event field 'ack_key' must be a string")
    return NodeEvent(
        role=role,
        model_id=_need(event, "model_id", str),
        layer=layer,
        path=validate_path(_need(event, "path", list)),
        params=params,
        package_key=_need(event, "package_key", str),
        ack_key=ack_key,
    )


def validate_path(path: list) -> Path:
    for step in path:
        if not (isinstance(step, list) and len(step) == 2 and isinstance(step[1], bool)):
            raise MeshEventError(f"a path step is [literal, holds], got {step!r}")
        lit = step[0]
        if not (
            isinstance(lit, list)
            and len(lit) == 4
            and isinstance(lit[0], int)
            and isinstance(lit[3], str)
        ):
            raise MeshEventError(f"a literal is [index, value, negated, type], got {lit!r}")
    return path


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True)


def path_id(path: Path) -> str:
    """Stable id of a node; also the ``leaf_id`` of the leaf at that path."""
    return hashlib.sha256(canonical(path).encode()).hexdigest()[:20]


def path_order(path: Path) -> str:
    """Pre-order position in the divide tree: holds=true sorts before holds=false.

    Leaves are the leaves of a binary tree, so no key is a prefix of another and the
    order is total; it only has to be deterministic, since sibling paths exclude each
    other and routing never depends on which of two leaves comes first.
    """
    return "".join("0" if holds else "1" for _, holds in path)


def node_rng(seed: int, layer: int, path: Path, role: str) -> random.Random:
    """The node's own generator, from (seed, layer, path) so retries choose the same."""
    digest = hashlib.sha256(canonical([seed, layer, role, path]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def node_shard(model_id: str, layer: int, path: Path, shard_count: int) -> int:
    key: object = layer if not path else f"{layer}:{path_id(path)}"
    return shard_for(model_id, key, shard_count)


def negate(literal: list) -> list:
    index, value, negated, kind = literal
    return [index, value, not negated, kind]


def path_condition(path: Path) -> list[list]:
    """The literals a leaf's rows satisfy, with each ``holds=false`` step negated."""
    return [lit if holds else negate(lit) for lit, holds in path]


def full_condition(path: Path, bucket_condition: list | None) -> list | None:
    """``path + bucket condition``; an empty total stays ``None`` (the ELSE bucket)."""
    total = path_condition(path) + list(bucket_condition or [])
    return total or None
