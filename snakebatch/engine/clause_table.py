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
        slots: dict[tuple[str, str], int] = {}
        slot_of, thresholds, negated = [], [], []
        scalar: list[tuple[int, Callable[[Mapping], bool]]] = []
        starts = []
        position = 0
        for clause in clauses:
            if not clause:
                continue
            starts.append(position)
            for lit in clause:
                index, value, neg, kind = lit
                if (kind == "N" or kind in STR_MEASURES) and _plain_number(value):
                    slot_of.append(slots.setdefault((header[index], kind), len(slots)))
                    thresholds.append(float(value))
                else:  # evaluated by its closure; the comparison below is overwritten
                    slot_of.append(-1)
                    thresholds.append(np.nan)
                    scalar.append((position, compile_literal(lit, header)))
                negated.append(bool(neg))
                position += 1
        self.slots = list(slots)
        self.slot_of = np.asarray(slot_of, dtype=np.intp)
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.negated = np.asarray(negated, dtype=bool)
        self.scalar = scalar
        self.starts = np.asarray(starts, dtype=np.intp)
        self.nonempty = np.asarray([j for j, c in enumerate(clauses) if c], dtype=np.intp)

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
