"""Query intake: what counts as one query or a batch, and input normalisation (§5.1, §5.7).

Every inference entry point (single, batch, vectorised, audit, validation) goes
through here, so the same raw input always meets the literal evaluator in the same
form; the reference skips normalisation in several of these paths (§7.3 item 4).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from snakebatch.engine.errors import QueryError


def is_frame(x: Any) -> bool:
    """DataFrame-like: a callable ``to_dict`` and a ``columns`` attribute."""
    return callable(getattr(x, "to_dict", None)) and hasattr(x, "columns")


def is_batch(x: Any) -> bool:
    """A list, or a DataFrame-like object, is a batch; a list is never one query."""
    return isinstance(x, list) or is_frame(x)


def frame_records(frame: Any) -> list[Any]:
    """The rows of a DataFrame-like object as mappings, in row order."""
    try:
        records = frame.to_dict(orient="records")
    except TypeError:
        records = None
    if isinstance(records, list):
        return records
    by_column = frame.to_dict()
    if not isinstance(by_column, Mapping):
        raise QueryError(f"to_dict() of {type(frame).__name__} gave no records")
    columns = list(by_column)
    index = list(by_column[columns[0]]) if columns else []
    return [{c: by_column[c][i] for c in columns} for i in index]


def batch_items(x: Any) -> list[Any]:
    return frame_records(x) if is_frame(x) else list(x)


def as_mapping(x: Any) -> Mapping:
    """One query as a mapping; a Series-like (``to_dict`` and no ``columns``) is converted."""
    if isinstance(x, Mapping):
        return x
    if callable(getattr(x, "to_dict", None)) and not hasattr(x, "columns"):
        converted = x.to_dict()
        if isinstance(converted, Mapping):
            return converted
    raise QueryError(f"a query is a mapping from feature name to value, got {type(x).__name__}")


def as_number(value: Any) -> Any:
    """Python ``float()`` where it succeeds, else the raw value (§5.1).

    An int too large for a double becomes ±infinity (the reference keeps the raw int,
    which then overflows in the scientific literals); every other failure keeps the
    raw value, which numeric literals treat as missing.
    """
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except OverflowError:
        return (math.inf if value > 0 else -math.inf) if isinstance(value, int) else value
    except Exception:  # any object may define __float__; failing means "not a number"
        return value


def normalise(x: Any, header: Sequence[str], datatypes: Sequence[str]) -> dict[str, Any]:
    """Keep only features, parse numeric ones; missing features stay missing."""
    query = as_mapping(x)
    out: dict[str, Any] = {}
    for h, kind in zip(header[1:], datatypes[1:], strict=True):
        if h in query:
            v = query[h]
            out[h] = as_number(v) if kind == "N" and type(v) is not float else v
    return out
