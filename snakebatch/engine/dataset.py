"""``Dataset``: the typed, columnar population every training step works on.

It is built once, from a source (CSV, rows, DataFrame) or from the mesh's staged
package, and resolves what must be identical for every layer and every leaf: the
datatypes, the concrete oppose profile, the MI weights and the column statistics.
``from_package`` never re-detects anything: a leaf sees exactly the job's types.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import cached_property
from operator import itemgetter
from typing import Any

import numpy as np

from snakebatch.engine.classes import ClassIndex
from snakebatch.engine.columns import ColumnStore
from snakebatch.engine.datatypes import coerce_column
from snakebatch.engine.errors import DataError
from snakebatch.engine.ingest import Population, ingest
from snakebatch.engine.mutual_info import feature_weights
from snakebatch.engine.profiles import column_stats, resolve

PACKAGE_FORMAT = 1
MI_FLOOR = 1e-4


class Dataset:
    """Population, targets and precomputed columns, with the profile resolved."""

    def __init__(
        self,
        header: Sequence[str],
        datatypes: Sequence[str],
        targets: Sequence[Any],
        rows: list[dict],
        *,
        profile: str | None = "auto",
        mi_weights: Sequence[float] | None = None,
        column_stats: dict[int, tuple[float, float, float]] | None = None,
        seed: int | None = None,
        notes: Sequence[str] = (),
        compiled: bool | None = None,
        feature_columns: Sequence[list] | None = None,
    ) -> None:
        """``feature_columns``: the rows' features as columns (``header[1:]`` order),
        when the caller has them, so MI and ``to_package`` need not gather them."""
        if len(rows) != len(targets):
            raise DataError(f"{len(rows)} rows but {len(targets)} targets")
        if feature_columns is not None and (
            len(feature_columns) != len(header) - 1
            or any(len(c) != len(rows) for c in feature_columns)
        ):
            raise DataError("feature columns do not match the header and rows")
        self._feature_columns = feature_columns
        self.header = list(header)
        self.datatypes = list(datatypes)
        self.targets = list(targets)
        self.rows = rows
        self.notes = list(notes)
        self.n = len(rows)
        self.columns = ColumnStore(self.header, self.datatypes, rows, compiled=compiled)
        self.classes = ClassIndex.from_targets(self.targets)
        self.y = np.array(self.classes.of_target, dtype=np.intp)
        self.profile = resolve(profile, self.header, self.datatypes, rows, random.Random(seed))
        if mi_weights is None:
            mi_weights = feature_weights(
                rows, self.header, self.datatypes, self.y, columns=feature_columns
            )
        self.mi_weights = [float(w) for w in mi_weights]
        # feature-pick weights (§4.6): MI plus a floor, so every feature stays possible
        self.weights = np.ascontiguousarray(np.array(self.mi_weights) + MI_FLOOR)
        if column_stats is None:
            column_stats = _stats(self) if self.profile == "scientific" else {}
        self.column_stats = dict(column_stats)

    @cached_property
    def codes(self) -> np.ndarray:
        """Value codes (``_value_codes``), built on first use: the mesh's coordinator
        stages a Dataset without ever generating a clause, so it never pays for them."""
        return _value_codes(self)

    @classmethod
    def from_source(
        cls,
        source: Any,
        *,
        target: int | str = 0,
        excluded: Sequence[int | str] = (),
        datatypes: Sequence[str] | None = None,
        profile: str | None = "auto",
        seed: int | None = None,
        compiled: bool | None = None,
    ) -> Dataset:
        """Ingest a CSV path/bytes, rows or a DataFrame (spec §3)."""
        pop: Population = ingest(source, target=target, excluded=excluded, datatypes=datatypes)
        return cls(
            pop.header,
            pop.datatypes,
            pop.targets,
            pop.rows,
            profile=profile,
            seed=seed,
            notes=pop.notes,
            compiled=compiled,
            feature_columns=pop.columns or None,
        )

    def to_package(self) -> dict:
        """The staged package: JSON-serialisable, features as columns."""
        names = self.header[1:]
        columns = self._feature_columns
        if columns is None:
            columns = [list(map(itemgetter(h), self.rows)) for h in names]
        return {
            "format": PACKAGE_FORMAT,
            "header": self.header,
            "datatypes": self.datatypes,
            "target_index": 0,
            "oppose_profile": self.profile,
            "targets": self.targets,
            "population": [c if isinstance(c, list) else list(c) for c in columns],
            "mi_weights": self.mi_weights,
            "column_stats": {str(i): list(s) for i, s in self.column_stats.items()},
        }

    @classmethod
    def from_package(cls, pkg: dict, *, compiled: bool | None = None) -> Dataset:
        """Rebuild from ``to_package`` output with the package's types and profile."""
        try:
            header, datatypes, targets = pkg["header"], pkg["datatypes"], pkg["targets"]
            columns = pkg["population"]
            profile = pkg["oppose_profile"]
        except (KeyError, TypeError) as exc:
            raise DataError(f"not a staged training package: missing {exc}") from exc
        if (
            len(columns) != len(header) - 1
            or len(datatypes) != len(header)
            or any(len(c) != len(targets) for c in columns)
        ):
            raise DataError("staged package: population columns do not match header/targets")
        columns = [
            coerce_column(col, kind) for col, kind in zip(columns, datatypes[1:], strict=True)
        ]
        rows = [dict(zip(header, row, strict=True)) for row in zip(targets, *columns, strict=True)]
        stats = {int(i): tuple(s) for i, s in pkg.get("column_stats", {}).items()}
        return cls(
            header,
            datatypes,
            targets,
            rows,
            profile=profile,
            mi_weights=pkg.get("mi_weights"),
            column_stats=stats if "column_stats" in pkg else None,
            compiled=compiled,
        )


def _stats(ds: Dataset) -> dict[int, tuple[float, float, float]]:
    return column_stats(ds.header, ds.datatypes, ds.rows)


def _value_codes(ds: Dataset) -> np.ndarray:
    """(rows × header) int codes: equal values share a code; NaN numbers are -1.

    Generators need "the features where row T and row F differ" for every pair they
    oppose; with codes that is one vectorised comparison per pair. Codes are given in
    first-seen order; a column of only text or only floats is coded through a dict in
    C (``0.0``/``-0.0`` are one key, NaN numbers set aside first), others value by value.
    """
    codes = np.zeros((ds.n, len(ds.header)), dtype=np.int32)
    for i in range(1, len(ds.header)):
        h = ds.header[i]
        values = [r.get(h) for r in ds.rows]
        kinds = set(map(type, values))
        if kinds == {str}:
            codes[:, i] = _first_seen_codes(values)
        elif kinds == {float} and ds.datatypes[i] == "N":
            x = np.asarray(values, dtype=np.float64)
            nan = np.isnan(x)
            col = codes[:, i]
            col[nan] = -1
            col[~nan] = _first_seen_codes((x[~nan] + 0.0).tolist())
        else:
            codes[:, i] = _codes_by_value(values, ds.datatypes[i])
    return codes


def _first_seen_codes(values: list) -> np.ndarray:
    index = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))


def _codes_by_value(values: list, kind: str) -> np.ndarray:
    seen: dict[Any, int] = {}
    col = np.zeros(len(values), dtype=np.int32)
    for j, v in enumerate(values):
        if isinstance(v, float):
            if math.isnan(v):
                if kind == "N":
                    col[j] = -1
                    continue
                v = ("nan",)
            else:
                v = v + 0.0
        col[j] = seen.setdefault(v, len(seen))
    return col
