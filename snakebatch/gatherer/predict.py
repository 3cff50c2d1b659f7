"""Batch inference for ``/v9/predict-sync``: request checking and answers per mode.

Pure functions over a loaded engine ``Snake`` so they can be tested without HTTP; the
route adds the model lookup and, above ``fanout_rows``, the mesh fan-out.
"""

from __future__ import annotations

import json
import math
from typing import Any

from snakebatch.gatherer.errors import BadRequest, PayloadTooLarge
from snakebatch.gatherer.ids import check_id_param

#: mode → does it need the training population (a full, not stripped, model)?
MODES = {
    "batch": False,
    "prediction": False,
    "probability": False,
    "lookalikes": False,
    "lookalikes_labeled": True,
    "audit": True,
    "augmented": True,
}


def parse_request(body: bytes, max_rows: int) -> tuple[str, str, list[dict[str, Any]]]:
    """(model_id, mode, rows) from ``{"model_id", "rows": [...], "mode"?}``."""
    if not body.strip():
        raise BadRequest('empty body: send {"model_id": ..., "rows": [...], "mode": ...}')
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadRequest("body must be a JSON object")
    unknown = sorted(set(doc) - {"model_id", "rows", "mode"})
    if unknown:
        raise BadRequest(f"unknown fields {unknown}; expected model_id, rows, mode")
    model_id = check_id_param(doc.get("model_id"), "model_id")
    mode = doc.get("mode", "batch")
    if not isinstance(mode, str) or mode not in MODES:
        raise BadRequest(f"mode must be one of {sorted(MODES)}, got {mode!r}")
    rows = doc.get("rows")
    if not isinstance(rows, list):
        raise BadRequest('"rows" must be a list of objects')
    if len(rows) > max_rows:
        raise PayloadTooLarge(f"{len(rows)} rows exceed the limit of {max_rows} per request")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise BadRequest(f"rows[{i}] is {type(row).__name__}, expected an object")
    return model_id, mode, rows


def _finite(value: Any) -> Any:
    """JSON has no NaN: non-finite floats (from audit-free candles etc.) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def answer(snake: Any, mode: str, rows: list[dict[str, Any]]) -> list[Any]:
    """One result per row, in order, from the engine's batch methods."""
    if not rows:
        return []
    if mode == "batch":
        out = snake.get_batch_prediction(rows)
    elif mode == "prediction":
        out = snake.get_prediction(rows)
    elif mode == "probability":
        out = snake.get_probability(rows)
    elif mode == "lookalikes":
        out = snake.get_lookalikes(rows)
    elif mode == "lookalikes_labeled":
        out = snake.get_lookalikes_labeled(rows)
    elif mode == "audit":
        out = snake.get_audit(rows)
    else:
        out = snake.get_augmented(rows)
    return _finite(list(out))
