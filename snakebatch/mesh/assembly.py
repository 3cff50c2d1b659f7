"""Assembly: leaf reports → one model in the reference shape (pure, no I/O).

A layer's chain is the concatenation of its leaves' buckets. Inside a leaf the order
is the chain order (first match wins); between leaves any order routes the same,
because their paths exclude each other, so leaves are sorted by path (pre-order) to
make the same seed give a byte-identical ``model.json`` whatever order reports
arrived in. The assembler never trains anything.

Leaves encode their buckets in the engine writer's own bucket shape
(``canonical_buckets``) and say so (``buckets_as_model``), so the assembler can splice
each stored report's bucket text into the model without parsing or re-encoding it:
the JSON of a bucket survives a parse/encode round trip byte for byte, so the spliced
model is the one ``dumps_model`` would write. A report without the mark is parsed and
re-encoded, which gives the same bytes, only slower.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from snakebatch.engine.model import BANNER, SnakeModel
from snakebatch.engine.modelio import dumps_model, model_to_dict
from snakebatch.mesh.errors import MeshError

#: Keys of a leaf report besides ``buckets``, which is encoded last.
REPORT_HEAD_KEYS = frozenset(
    ("kind", "model_id", "layer", "leaf_id", "order", "path", "n_rows", "buckets_as_model")
)
_BUCKETS_KEY = b',"buckets":['
_POPULATION_SLOT = b'"population":[{}],'
_ROWS_PER_CHUNK = 10_000


class AssemblyError(MeshError, ValueError):
    """The reports do not make a whole model (a layer missing or not covering every row)."""


@dataclass(frozen=True)
class LeafText:
    """One leaf for the text assembler: where it sorts, what it covers, and its buckets
    as model JSON (``bucket,bucket,...``; empty for a leaf without buckets)."""

    order: str
    leaf_id: str
    n_rows: int
    n_buckets: int
    buckets_json: bytes


def model_key(model_id: str, *, stripped: bool = False) -> str:
    return f"jobs/{model_id}/model{'_stripped' if stripped else ''}.json"


def canonical_buckets(buckets: Sequence[dict]) -> list[dict]:
    """Buckets exactly as the engine's writer puts them in ``model.json``."""
    frame = SnakeModel(header=["target"], datatypes=["T"], targets=[], layers=[list(buckets)])
    return model_to_dict(frame)["layers"][0]


def order_leaves(leaves: Sequence[Any]) -> list[Any]:
    """Leaves (report dicts or ``LeafText``) in chain order: by path, then id."""

    def key(r: Any) -> tuple[str, str]:
        return (r["order"], r["leaf_id"]) if isinstance(r, dict) else (r.order, r.leaf_id)

    return sorted(leaves, key=key)


def chain_of(leaves: Sequence[dict]) -> list[dict]:
    return [bucket for report in order_leaves(leaves) for bucket in report["buckets"]]


def check_layer(layer: int, leaves: Sequence[Any], n_rows: int) -> None:
    """Leaves of a layer partition the rows: their conditional cores cover each row once."""
    covered = sum(r["n_rows"] if isinstance(r, dict) else r.n_rows for r in leaves)
    if covered != n_rows:
        raise AssemblyError(f"layer {layer}: leaves cover {covered} rows of {n_rows}")


def _check_layers(n_layers: int, leaves_by_layer: Sequence[Sequence[Any]], n_rows: int) -> None:
    if len(leaves_by_layer) != n_layers:
        raise AssemblyError(f"expected {n_layers} layers, got {len(leaves_by_layer)}")
    for layer, leaves in enumerate(leaves_by_layer):
        check_layer(layer, leaves, n_rows)


def _log(n_rows: int, config: dict[str, Any], tau: int, counts: Sequence[tuple[int, int]]) -> str:
    per_layer = ", ".join(f"{leaves} leaves/{buckets} buckets" for leaves, buckets in counts)
    return (
        BANNER + f"Trained on the SnakeBatch mesh: {n_rows} rows, {config['n_layers']} "
        f"layers (tau={tau}, bucket={config['bucket']}); per layer: {per_layer}\n"
    )


def assemble(
    *,
    header: list[str],
    datatypes: list[str],
    targets: list[Any],
    population: list[dict],
    config: dict[str, Any],
    tau: int,
    leaves_by_layer: Sequence[Sequence[dict]],
) -> SnakeModel:
    _check_layers(config["n_layers"], leaves_by_layer, len(targets))
    layers = [chain_of(leaves) for leaves in leaves_by_layer]
    counts = [
        (len(leaves), len(chain)) for leaves, chain in zip(leaves_by_layer, layers, strict=True)
    ]
    return SnakeModel(
        header=list(header),
        datatypes=list(datatypes),
        targets=list(targets),
        layers=layers,
        population=list(population),
        config=dict(config),
        log=_log(len(targets), config, tau, counts),
    )


def split_report(body: bytes) -> tuple[dict[str, Any], bytes, int | None]:
    """A stored leaf report as (its fields but buckets, its buckets as model JSON,
    how many buckets when it had to be parsed to know).

    The bucket text is cut out of the body when the report says its buckets are in the
    model's shape and its head (everything before ``"buckets"``, the last key) parses
    with exactly the known keys: a cut anywhere but at the top level leaves brackets
    open and does not parse. Otherwise the report is parsed and its buckets re-encoded.
    """
    at = body.find(_BUCKETS_KEY)
    head: Any = None
    if at > 0 and body.endswith(b"]}"):
        try:
            head = json.loads(body[:at] + b"}")
        except ValueError:
            head = None
    if isinstance(head, dict) and head.keys() == REPORT_HEAD_KEYS and head["buckets_as_model"]:
        return head, body[at + len(_BUCKETS_KEY) : -2], None
    report = json.loads(body)
    if not isinstance(report, dict) or not isinstance(report.get("buckets"), list):
        raise AssemblyError("a stored leaf report has no bucket list")
    buckets = canonical_buckets(report.pop("buckets"))
    return report, _encode(buckets)[1:-1], len(buckets)


@dataclass(frozen=True)
class ModelFrame:
    """Both model files up to their layers (``{"version":...,"config":{...},``), as the
    engine's writer puts them. It depends only on the staged population and the job's
    parameters, so the coordinator can write it while the workers train."""

    full: bytes | bytearray
    stripped: bytes


def model_frame(
    *,
    header: list[str],
    datatypes: list[str],
    targets: list[Any],
    population: list[dict],
    config: dict[str, Any],
) -> ModelFrame:
    """The frame's population is encoded a chunk of rows at a time into the slot the
    writer leaves for a one-row stand-in, so a million rows' JSON is built once, in
    place, rather than as a string, its bytes and a slice of them."""
    n_layers = config["n_layers"]
    frame = SnakeModel(
        header=list(header),
        datatypes=list(datatypes),
        targets=list(targets),
        layers=[[] for _ in range(n_layers)],
        population=[{}] if population else [],
        config=dict(config),
        log="",
    )
    tail = b'"layers":' + _encode([[]] * n_layers) + b',"log":""}'
    parts = []
    for stripped in (False, True):
        text = dumps_model(frame, stripped=stripped, compact=True).encode()
        if not text.endswith(tail):
            raise AssemblyError("the model writer's layout changed: layers and log are not last")
        if population and not stripped and _POPULATION_SLOT not in text:
            raise AssemblyError("the model writer's layout changed: no population slot")
        parts.append(text[: -len(tail)])
    full: bytes | bytearray = parts[0]
    if population:
        at = full.index(_POPULATION_SLOT)  # the first key that can hold it: not in a string
        out = bytearray(full[:at] + b'"population":[')
        for start in range(0, len(population), _ROWS_PER_CHUNK):
            rows = _encode(population[start : start + _ROWS_PER_CHUNK])
            out += rows[1:-1] if start == 0 else b"," + rows[1:-1]
        out += b"]," + full[at + len(_POPULATION_SLOT) :]
        full = out
    return ModelFrame(full, parts[1])


def assemble_json(
    *,
    frame: ModelFrame,
    n_rows: int,
    config: dict[str, Any],
    tau: int,
    leaves_by_layer: Sequence[Sequence[LeafText]],
) -> tuple[bytes, bytes]:
    """``model.json`` and ``model_stripped.json`` (compact) in memory: ``write_model``
    over leaves whose bucket text is in hand."""
    full, stripped = io.BytesIO(), io.BytesIO()
    write_model(
        frame=frame,
        n_rows=n_rows,
        config=config,
        tau=tau,
        leaves_by_layer=leaves_by_layer,
        text_of=lambda leaf: (leaf.buckets_json, leaf.n_buckets),
        full=full,
        stripped=stripped,
    )
    return full.getvalue(), stripped.getvalue()


def write_model(
    *,
    frame: ModelFrame,
    n_rows: int,
    config: dict[str, Any],
    tau: int,
    leaves_by_layer: Sequence[Sequence[Any]],
    text_of: Callable[[Any], tuple[bytes, int]],
    full: BinaryIO,
    stripped: BinaryIO,
) -> None:
    """Write ``model.json`` and ``model_stripped.json`` (compact), byte-identical to
    ``dumps_model(assemble(...), compact=True)`` over the same leaves: the frame, then
    the layers spliced from the leaves' bucket text, then the log (layers and log are
    the writer's last two keys; a dict's JSON is its items' JSON in order).

    Leaves are anything with ``order``, ``leaf_id`` and ``n_rows``; ``text_of(leaf)``
    gives its buckets as model JSON and their count. One leaf's text is held at a
    time, so a million-row model is never whole in memory: the log, which counts the
    buckets, is the last key and is written after them."""
    _check_layers(config["n_layers"], leaves_by_layer, n_rows)
    outs = (full, stripped)

    def write(data: bytes) -> None:
        for out in outs:
            out.write(data)

    full.write(frame.full)
    stripped.write(frame.stripped)
    write(b'"layers":[')
    counts = []
    for k, leaves in enumerate(leaves_by_layer):
        write(b",[" if k else b"[")
        n_buckets, written = 0, 0
        for leaf in order_leaves(leaves):
            text, n = text_of(leaf)
            n_buckets += n
            if text:
                write(b"," + text if written else text)
                written += 1
        write(b"]")
        counts.append((len(leaves), n_buckets))
    write(b'],"log":' + _encode(_log(n_rows, config, tau, counts)) + b"}")


def _encode(value: Any) -> bytes:
    """The model writer's compact encoding (``dumps_model(compact=True)``)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode()
