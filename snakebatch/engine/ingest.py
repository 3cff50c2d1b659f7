"""From training input to a typed, deduplicated population (spec §3).

Accepted inputs: a CSV path (``.csv`` / ``.csv.gz``) or CSV bytes, a DataFrame-like
object (a callable ``to_dict``), a list of mappings, a list of sequences, or a list of
scalars. Unlike the reference, the target can be chosen by name or position and
columns excluded in every flow, and enforced datatypes are honoured everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from snakebatch.engine import datatypes as dt
from snakebatch.engine.csvio import read_csv
from snakebatch.engine.dedup import column_parts, keep_first
from snakebatch.engine.errors import DataError, EmptyDataError, TargetError


@dataclass
class Table:
    """Raw columns before typing: a header and rows of equal width."""

    header: list[str]
    rows: list[list[Any]]


@dataclass
class Population:
    """Typed, deduplicated training data, target first."""

    header: list[str]
    datatypes: list[str]
    targets: list[Any]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    #: The kept rows' feature columns (``header[1:]`` order): what MI and the staged
    #: package read, already in hand here.
    columns: list[list[Any]] = field(default_factory=list)


def _is_frame(obj: Any) -> bool:
    return callable(getattr(obj, "to_dict", None)) and not isinstance(obj, Mapping)


def _frame_table(frame: Any) -> Table:
    try:
        records = frame.to_dict(orient="records")
    except TypeError:
        records = frame.to_dict()
    if isinstance(records, Mapping):  # column-oriented {col: {row: value}}
        columns = list(records)
        index = list(records[columns[0]]) if columns else []
        records = [{c: records[c][i] for c in columns} for i in index]
    if not records:
        raise EmptyDataError("the DataFrame has no rows")
    return _records_table(list(records))


def _records_table(records: list[Mapping]) -> Table:
    header = [str(k) for k in records[0]]
    keys = list(records[0])
    rows = []
    for n, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise DataError(f"row {n} is not a mapping, unlike the first row")
        rows.append([rec.get(k, "") for k in keys])
    return Table(header, rows)


def _sequences_table(rows_in: list[Sequence]) -> Table:
    width = max(len(r) for r in rows_in)
    if width == 0:
        raise EmptyDataError("every row is empty")
    header = ["target"] + [f"f{i}" for i in range(1, width)]
    rows = []
    for n, r in enumerate(rows_in):
        if not isinstance(r, list | tuple):
            raise DataError(f"row {n} is not a list or tuple, unlike the first row")
        rows.append(list(r) + [""] * (width - len(r)))
    return Table(header, rows)


def to_table(knowledge: Any) -> Table:
    """Dispatch on the input's shape (spec §3.1)."""
    if isinstance(knowledge, bytes | bytearray) or (
        isinstance(knowledge, str | os.PathLike)
        and str(knowledge).lower().endswith((".csv", ".csv.gz", ".gz"))
    ):
        header, rows = read_csv(knowledge)
        return Table(header, rows)
    if isinstance(knowledge, str | os.PathLike):
        raise DataError(
            f"{knowledge!s}: a training file must end in .csv or .csv.gz "
            "(a .json path loads a model instead)"
        )
    if _is_frame(knowledge):
        return _frame_table(knowledge)
    if isinstance(knowledge, list | tuple):
        if not knowledge:
            raise EmptyDataError("the training list is empty")
        first = knowledge[0]
        if isinstance(first, Mapping):
            return _records_table(list(knowledge))
        if isinstance(first, list | tuple):
            return _sequences_table(list(knowledge))
        return Table(["target", "f1"], [[v, v] for v in knowledge])
    raise DataError(
        "training data must be a CSV path or bytes, a DataFrame, or a non-empty list of "
        f"mappings, sequences or scalars; got {type(knowledge).__name__}"
    )


def _column(header: list[str], ref: int | str, what: str) -> int:
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise TargetError(f"{what} must be a column name or position, got {ref!r}")
    if isinstance(ref, str):
        if ref not in header:
            raise TargetError(f"{what} {ref!r} is not a column; columns are {header}")
        return header.index(ref)
    if not -len(header) <= ref < len(header):
        raise TargetError(f"{what} {ref} is out of range for {len(header)} columns")
    return ref % len(header)


def select(
    table: Table, target: int | str = 0, excluded: Sequence[int | str] = ()
) -> tuple[list[str], list[list[Any]]]:
    """Reorder to ``[target, features…]`` and drop excluded columns."""
    t = _column(table.header, target, "target")
    drop = {_column(table.header, e, "excluded column") for e in excluded}
    if t in drop:
        raise TargetError(f"the target column {table.header[t]!r} cannot also be excluded")
    order = [t] + [i for i in range(len(table.header)) if i != t and i not in drop]
    header = [table.header[i] for i in order]
    if len(set(header)) != len(header):
        raise DataError(f"duplicate column names in {header}")
    pick = itemgetter(*order)
    return header, [list(pick(r)) if len(order) > 1 else [r[order[0]]] for r in table.rows]


def build_population(
    header: list[str], rows: list[list[Any]], enforced: Sequence[str] | None = None
) -> Population:
    """Detect or enforce kinds, coerce values, drop duplicate feature rows."""
    if not rows:
        raise EmptyDataError("the training data has a header but no rows")
    kinds = dt.check_enforced(enforced or (), len(header))
    columns = list(zip(*rows, strict=True))
    target_kind = kinds[0] if kinds else dt.detect_target(columns[0])
    types = [set(map(type, col)) for col in columns[1:]]
    if kinds and len(kinds) >= len(header):
        feature_kinds = kinds[1 : len(header)]
    else:
        feature_kinds = [
            dt.detect_feature(col, types=t) for col, t in zip(columns[1:], types, strict=True)
        ]
    datatypes = [target_kind, *feature_kinds]
    try:
        targets = [dt.coerce_target(v, target_kind) for v in columns[0]]
    except (TypeError, ValueError) as exc:
        raise TargetError(f"target values do not fit kind {target_kind}: {exc}") from exc
    features = [
        dt.coerce_column(col, k, types=t)
        for col, k, t in zip(columns[1:], feature_kinds, types, strict=True)
    ]
    if features:
        kept = keep_first(list(zip(*(column_parts(col) for col in features), strict=True)))
    else:
        kept = keep_first([()] * len(rows))
    notes = []
    if len(kept) < len(rows):
        dropped = len(rows) - len(kept)
        notes.append(f"dropped {dropped} row{'s' if dropped != 1 else ''} with duplicate features")
    table = list(zip(targets, *features, strict=True))
    out_rows = [dict(zip(header, table[i], strict=True)) for i in kept]
    if len(kept) < len(rows):
        features = [list(map(col.__getitem__, kept)) for col in features]
    return Population(header, datatypes, [targets[i] for i in kept], out_rows, notes, features)


def ingest(
    knowledge: Any,
    *,
    target: int | str = 0,
    excluded: Sequence[int | str] = (),
    datatypes: Sequence[str] | None = None,
) -> Population:
    table = to_table(knowledge)
    header, rows = select(table, target, excluded)
    return build_population(header, rows, datatypes)
