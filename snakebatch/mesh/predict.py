"""Prediction on the mesh: ``predict_divide`` cuts a stored batch into chunks,
``predict_compute`` scores one chunk on the stored stripped model.

Like training events, prediction events carry keys and ranges, never rows: the batch
is written once to ``predict/{request_id}/queries.json`` and each chunk's answers to
``predict/{request_id}/out-{start}.json``; ``collect`` stitches them back in order.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from snakebatch.backends.base import Backend, ObjectMissing, ObjectStore
from snakebatch.engine.modelio import loads_model
from snakebatch.engine.predictor import Predictor
from snakebatch.mesh.assembly import model_key
from snakebatch.mesh.events import MeshEventError
from snakebatch.settings import shard_for

_predictors: dict[str, Predictor] = {}


def queries_key(request_id: str) -> str:
    return f"predict/{request_id}/queries.json"


def output_key(request_id: str, start: int) -> str:
    return f"predict/{request_id}/out-{start:09d}.json"


def _field(event: dict, key: str, kind: type) -> Any:
    value = event.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MeshEventError(f"{event.get('role')} event needs {key!r} ({kind.__name__})")
    return value


def submit(backend: Backend, model_id: str, queries: list[dict], chunk_size: int = 256) -> str:
    """Store the batch and fire one ``predict_divide``; returns the request id."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    request_id = uuid.uuid4().hex
    backend.store.put(queries_key(request_id), json.dumps(queries).encode())
    event = {
        "role": "predict_divide",
        "model_id": model_id,
        "request_id": request_id,
        "n": len(queries),
        "chunk_size": chunk_size,
    }
    backend.invoker.invoke(shard_for(model_id, request_id, backend.shard_count), event)
    return request_id


def predict_divide(event: dict[str, Any], backend: Backend) -> None:
    n = _field(event, "n", int)
    size = _field(event, "chunk_size", int)
    if size < 1 or n < 0:
        raise MeshEventError(f"predict_divide needs n ≥ 0 and chunk_size ≥ 1, got {n}, {size}")
    model_id = _field(event, "model_id", str)
    request_id = _field(event, "request_id", str)
    for start in range(0, n, size):
        child = {
            "role": "predict_compute",
            "model_id": model_id,
            "request_id": request_id,
            "start": start,
            "end": min(n, start + size),
        }
        shard = shard_for(model_id, f"{request_id}:{start}", backend.shard_count)
        backend.invoker.invoke(shard, child)


def predict_compute(event: dict[str, Any], backend: Backend) -> None:
    model_id = _field(event, "model_id", str)
    request_id = _field(event, "request_id", str)
    start, end = _field(event, "start", int), _field(event, "end", int)
    predictor = _predictors.get(model_id)
    if predictor is None:
        text = backend.store.get(model_key(model_id, stripped=True)).decode()
        predictor = _predictors[model_id] = Predictor(loads_model(text, source=model_id))
    rows = json.loads(backend.store.get(queries_key(request_id)))[start:end]
    answers = [p.to_dict() for p in predictor.predict(rows)]
    backend.store.put(output_key(request_id, start), json.dumps(answers).encode())


def collect(store: ObjectStore, request_id: str, n: int, chunk_size: int) -> list[dict] | None:
    """All answers in query order, or ``None`` while a chunk is still missing. A denied
    read (``StoreDenied``) propagates: it means a lost grant, not a chunk still computing."""
    out: list[dict] = []
    for start in range(0, n, chunk_size):
        try:
            out.extend(json.loads(store.get(output_key(request_id, start))))
        except ObjectMissing:
            return None
    return out
