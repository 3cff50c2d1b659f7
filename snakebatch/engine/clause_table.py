"""One bucket's clauses as arrays: which clauses a single query falsifies, in a few
numpy operations instead of one Python call per literal.

Almost every literal of a trained model compares a number derived from one feature
with a threshold: ``N`` compares the value itself, the ``STR_MEASURES`` types a
measure of ``str(value)``. Such a literal is ``measure < threshold`` (``>=`` when
negated), false in both polarities when the feature is missing or the measure is NaN,
as in :mod:`literals`. Per query, each (feature, measure) slot the bucket uses is
computed once; all those literals are then compared at once and OR-ed per clause.
The other types (substrings, reference distances, ...) keep their compiled closure.

A value a double cannot hold exactly (an int beyond 2**53) would compare differently
as a float, so a query carrying one is answered by the scalar evaluator instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

from snakebatch.engine.literals import STR_MEASURES, compile_literal, holds

EXACT = 2**53


def _plain_number(v: Any) -> bool:
    return isinstance(v, float) or (isinstance(v, int) and abs(v) <= EXACT)


def _slot_value(kind: str, f: Any) -> float | None:
    """The compared number for a present feature value; None if a double cannot hold it."""
    if kind == "N":
        if not isinstance(f, int | float):
            return np.nan
        return float(f) if _plain_number(f) else None
    return float(STR_MEASURES[kind](str(f)))


class ClauseTable:
    def __init__(self, clauses: Sequence[Sequence[Sequence]], header: Sequence[str]) -> None:
        self.clauses = clauses
        self.header = header
        literals = list(chain.from_iterable(clauses))
        sizes = np.fromiter(map(len, clauses), dtype=np.intp, count=len(clauses))
        self.nonempty = np.flatnonzero(sizes)
        self.starts = (np.cumsum(sizes) - sizes)[self.nonempty]
        measured = [
            (kind == "N" or kind in STR_MEASURES) and _plain_number(value)
            for _, value, _, kind in literals
        ]
        slots: dict[tuple[str, str], int] = {}
        self.slot_of = np.fromiter(
            (
                slots.setdefault((header[lit[0]], lit[3]), len(slots)) if m else -1
                for lit, m in zip(literals, measured, strict=True)
            ),
            dtype=np.intp,
            count=len(literals),
        )
        self.slots = list(slots)
        # closure-evaluated literals read the NaN slot; their truth is overwritten
        self.thresholds = np.fromiter(
            (lit[1] if m else np.nan for lit, m in zip(literals, measured, strict=True)),
            dtype=float,
            count=len(literals),
        )
        self.negated = np.fromiter(
            (bool(lit[2]) for lit in literals), dtype=bool, count=len(literals)
        )
        self.scalar: list[tuple[int, Callable[[Mapping], bool]]] = [
            (p, compile_literal(lit, header))
            for p, (lit, m) in enumerate(zip(literals, measured, strict=True))
            if not m
        ]

    def falsified(self, x: Mapping[str, Any]) -> set[int]:
        """Clause positions whose literals are all false on the normalised query ``x``."""
        return set(np.flatnonzero(self.false_mask(x)).tolist())

    def false_mask(self, x: Mapping[str, Any]) -> np.ndarray:
        """One bool per clause: all its literals are false on ``x`` (empty clauses are)."""
        out = np.ones(len(self.clauses), dtype=bool)
        values = np.empty(len(self.slots) + 1, dtype=float)
        values[-1] = np.nan  # the slot of closure-evaluated literals
        for s, (name, kind) in enumerate(self.slots):
            if name not in x:
                values[s] = np.nan
                continue
            v = _slot_value(kind, x[name])
            if v is None:
                return self._false_mask_scalar(x)
            values[s] = v
        if self.starts.size:
            measured = values[self.slot_of]
            truth = np.where(self.negated, measured >= self.thresholds, measured < self.thresholds)
            for position, test in self.scalar:
                truth[position] = test(x)
            out[self.nonempty] = ~np.logical_or.reduceat(truth, self.starts)
        return out

    def _false_mask_scalar(self, x: Mapping[str, Any]) -> np.ndarray:
        header = self.header
        return np.array(
            [not any(holds(lit, x, header) for lit in clause) for clause in self.clauses],
            dtype=bool,
        )
