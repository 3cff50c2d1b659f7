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
from typing import Any

from snakebatch.engine import datatypes as dt
from snakebatch.engine.csvio import read_csv_columns
from snakebatch.engine.dedup import column_parts, keep_first
from snakebatch.engine.errors import DataError, EmptyDataError, TargetError


@dataclass
class Table:
    """Raw values before typing: a header and one list per column, of equal length.
    Columns, not rows: a list per row would cost more than a row's cells."""

    header: list[str]
    columns: list[list[Any]]

    @classmethod
    def from_rows(cls, header: list[str], rows: list[list[Any]]) -> Table:
        if not rows:
            return cls(header, [[] for _ in header])
        return cls(header, [list(c) for c in zip(*rows, strict=True)])


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
    return Table.from_rows(header, rows)


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
    return Table.from_rows(header, rows)


def to_table(knowledge: Any) -> Table:
    """Dispatch on the input's shape (spec §3.1)."""
    if isinstance(knowledge, bytes | bytearray) or (
        isinstance(knowledge, str | os.PathLike)
        and str(knowledge).lower().endswith((".csv", ".csv.gz", ".gz"))
    ):
        return Table(*read_csv_columns(knowledge))
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
        return Table(["target", "f1"], [list(knowledge), list(knowledge)])
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
    """Header and columns reordered to ``[target, features…]``, excluded columns
    dropped (the columns themselves are not copied)."""
    t = _column(table.header, target, "target")
    drop = {_column(table.header, e, "excluded column") for e in excluded}
    if t in drop:
        raise TargetError(f"the target column {table.header[t]!r} cannot also be excluded")
    order = [t] + [i for i in range(len(table.header)) if i != t and i not in drop]
    header = [table.header[i] for i in order]
    if len(set(header)) != len(header):
        raise DataError(f"duplicate column names in {header}")
    return header, [table.columns[i] for i in order]


def build_population(
    header: list[str], rows: list[list[Any]], enforced: Sequence[str] | None = None
) -> Population:
    """Detect or enforce kinds, coerce values, drop duplicate feature rows."""
    return population_from_columns(header, Table.from_rows(header, rows).columns, enforced)


def population_from_columns(
    header: list[str], columns: list[list[Any]], enforced: Sequence[str] | None = None
) -> Population:
    """``build_population`` over columns. It consumes ``columns``: each raw column is
    released once coerced, so a big upload's raw cells and typed values are never all
    held at once."""
    n = len(columns[0]) if columns else 0
    if n == 0:
        raise EmptyDataError("the training data has a header but no rows")
    kinds = dt.check_enforced(enforced or (), len(header))
    feature_kinds = kinds if kinds is not None and len(kinds) >= len(header) else None
    target_kind = kinds[0] if kinds else dt.detect_target(columns[0])
    try:
        targets = [dt.coerce_target(v, target_kind) for v in columns[0]]
    except (TypeError, ValueError) as exc:
        raise TargetError(f"target values do not fit kind {target_kind}: {exc}") from exc
    datatypes = [target_kind]
    features = []
    for i in range(1, len(header)):
        raw, columns[i] = columns[i], []
        types = set(map(type, raw))
        if feature_kinds is not None:
            kind = feature_kinds[i]
        else:
            kind = dt.detect_feature(raw, types=types)
        datatypes.append(kind)
        features.append(dt.coerce_column(raw, kind, types=types))
        del raw
    if features:
        kept = keep_first(zip(*(column_parts(col) for col in features), strict=True))
    else:
        kept = list(range(n))
    notes = []
    if len(kept) < n:
        dropped = n - len(kept)
        notes.append(f"dropped {dropped} row{'s' if dropped != 1 else ''} with duplicate features")
        targets = [targets[i] for i in kept]
        features = [list(map(col.__getitem__, kept)) for col in features]
    out_rows = [dict(zip(header, row, strict=True)) for row in zip(targets, *features, strict=True)]
    return Population(header, datatypes, targets, out_rows, notes, features)


def ingest(
    knowledge: Any,
    *,
    target: int | str = 0,
    excluded: Sequence[int | str] = (),
    datatypes: Sequence[str] | None = None,
) -> Population:
    table = to_table(knowledge)
    header, columns = select(table, target, excluded)
    del table  # the selected columns are now only in ``columns``, which the next step consumes
    return population_from_columns(header, columns, datatypes)
