"""Vectorised batch inference: the same answers as :mod:`inference`, many queries at once.

Per layer, the batch is routed through the layer's prefix tree (:mod:`routing`), one
literal mask per tree node over the rows that reached it, each bucket's clauses are evaluated as masks over the rows it
received, and lookalike matching becomes array work: a query matches a condition iff its
falsified clauses include all of its clauses, a gather over columns (most conditions
have one clause) rather than a BLAS product, which thread contention makes slow on a
busy machine. Class counts then come from an integer product with the per-condition
class counts, and the lookalike lists (when asked for) are the matched conditions'
entries in file order.

Literal masks come from any ``mask(literal, idx) -> bool array`` provider over the
batch's normalised rows; the columnar store evaluates each distinct value once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from snakebatch.engine.inference import CompiledBucket, CompiledModel, Entry
from snakebatch.engine.routing import MaskFn

#: rows of one bucket at or below which clauses are evaluated row by row
FEW_ROWS = 24


@dataclass
class BucketMatrices:
    singles: np.ndarray  # ids of one-clause conditions
    single_clause: np.ndarray  # their clause
    multis: list[tuple[int, np.ndarray]]  # (id, clauses) of longer conditions
    empties: np.ndarray  # ids of empty conditions (always match)
    class_counts: np.ndarray  # conditions × classes, entries per class
    n_conditions: int

    @classmethod
    def build(cls, bucket: CompiledBucket, n_classes: int) -> BucketMatrices:
        conds = bucket.conditions
        class_counts = np.zeros((len(conds), n_classes), dtype=np.int64)
        entries = bucket.entries
        np.add.at(
            class_counts,
            (np.asarray(entries.cond, dtype=np.intp), np.asarray(entries.classes(), dtype=np.intp)),
            1,
        )
        singles = [i for i, c in enumerate(conds) if len(c) == 1]
        return cls(
            singles=np.asarray(singles, dtype=np.intp),
            single_clause=np.asarray([conds[i][0] for i in singles], dtype=np.intp),
            multis=[(i, np.asarray(c, dtype=np.intp)) for i, c in enumerate(conds) if len(c) > 1],
            empties=np.asarray([i for i, c in enumerate(conds) if not c], dtype=np.intp),
            class_counts=class_counts,
            n_conditions=len(conds),
        )

    def matched(self, falsified: np.ndarray) -> np.ndarray:
        """Rows × conditions: every clause of the condition is falsified on the row."""
        out = np.empty((falsified.shape[0], self.n_conditions), dtype=bool)
        out[:, self.singles] = falsified[:, self.single_clause]
        for i, clauses in self.multis:
            out[:, i] = falsified[:, clauses].all(axis=1)
        out[:, self.empties] = True
        return out


class BatchModel:
    """Matrices of a compiled model, each bucket's built on first use; thread-safe (two
    threads may build the same matrices, to the same value), reusable across batches."""

    def __init__(self, compiled: CompiledModel, few_rows: int = FEW_ROWS) -> None:
        self.compiled = compiled
        self.few_rows = few_rows
        self.n_classes = len(compiled.model.class_index)
        self._matrices: list[list[BucketMatrices | None]] = [
            [None] * len(chain) for chain in compiled.chains
        ]

    def matrices(self, layer: int, b: int) -> BucketMatrices:
        mats = self._matrices[layer][b]
        if mats is None:
            mats = BucketMatrices.build(self.compiled.chains[layer][b], self.n_classes)
            self._matrices[layer][b] = mats
        return mats

    def route(self, layer: int, n: int, mask: MaskFn) -> np.ndarray:
        """Bucket position per row (first match, ELSE, else the last bucket); -1 if none."""
        return self.compiled.chains[layer].router.route_batch(n, mask)

    def falsified(
        self, bucket: CompiledBucket, idx: np.ndarray, mask: MaskFn, rows: Sequence[Mapping]
    ) -> np.ndarray:
        """Rows × clauses: the clause is false; a literal runs only on rows still false.

        A few rows go through the bucket's clause table one by one: a big mesh model
        spreads a batch thinly over thousands of buckets, and hundreds of literal masks
        over one or two rows cost more than the rows' own evaluations.
        """
        if idx.size <= self.few_rows:
            return np.array([bucket.table.false_mask(rows[i]) for i in idx.tolist()], dtype=bool)
        false = np.ones((idx.size, len(bucket.clauses)), dtype=bool)
        for j, clause in enumerate(bucket.clauses):
            open_rows = np.arange(idx.size)
            for lit in clause:
                if open_rows.size == 0:
                    break
                hit = mask(lit, idx[open_rows])
                false[open_rows[hit], j] = False
                open_rows = open_rows[~hit]
        return false

    def evaluate(
        self, rows: Sequence[Mapping], mask: MaskFn, *, want_entries: bool
    ) -> tuple[np.ndarray, list[list[Entry]] | None]:
        """Class counts (rows × classes) and, if asked, each row's lookalike entries."""
        n = len(rows)
        counts = np.zeros((n, self.n_classes), dtype=np.int64)
        per_row: list[list[Entry]] | None = [[] for _ in range(n)] if want_entries else None
        if n == 0:
            return counts, per_row
        for layer, chain in enumerate(self.compiled.chains):
            assigned = self.route(layer, n, mask)
            order = np.argsort(assigned, kind="stable")
            routed, starts = np.unique(assigned[order], return_index=True)
            for b, start, stop in zip(
                routed.tolist(), starts.tolist(), [*starts[1:].tolist(), n], strict=True
            ):
                if b < 0:
                    continue
                bucket = chain[b]
                if not bucket.conditions:
                    continue
                idx = order[start:stop]
                mats = self.matrices(layer, b)
                matched = mats.matched(self.falsified(bucket, idx, mask, rows))
                counts[idx] += matched.astype(np.int64) @ mats.class_counts
                if per_row is not None:
                    self._collect(bucket, mats, idx, matched, per_row)
        return counts, per_row

    @staticmethod
    def _collect(
        bucket: CompiledBucket,
        mats: BucketMatrices,
        idx: np.ndarray,
        matched: np.ndarray,
        per_row: list[list[Entry]],
    ) -> None:
        """Append each row's matched entries in file order (entry position order)."""
        entries, entries_of = bucket.entries, bucket.entries_of
        rows, conds = np.nonzero(matched)  # row-major: each row's conditions ascending
        targets = idx.tolist()
        r_list, c_list = rows.tolist(), conds.tolist()
        start = 0
        while start < len(r_list):
            r = r_list[start]
            end = start + 1
            while end < len(r_list) and r_list[end] == r:
                end += 1
            if end - start == 1:
                positions = entries_of[c_list[start]]
            else:
                positions = sorted(p for c in c_list[start:end] for p in entries_of[c])
            per_row[targets[r]].extend([entries[p] for p in positions])
            start = end
