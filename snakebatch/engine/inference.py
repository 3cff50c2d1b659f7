"""Plain (one query at a time) inference: routing, clause evaluation, lookalikes (§5.2–§5.6).

Each bucket is compiled once into an index of its lookalike conditions: the distinct
conditions, each anchored on its first clause index, with the positions of the
lookalike entries that carry it. A query then visits only the conditions anchored
on a clause it falsifies, instead of scanning every lookalike key of the bucket
(§7.3 item 6). Results and their order are those of the plain scan: entries come out
in file order (member key order, then condition order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from snakebatch.engine.literals import compile_clause, compile_condition
from snakebatch.engine.model import SnakeModel


@dataclass(frozen=True)
class Entry:
    """One lookalike entry of a bucket: a member and one of its conditions."""

    row: int
    condition: tuple[int, ...]
    origin: str
    klass: int


@dataclass
class CompiledBucket:
    condition: list | None
    clauses: list[list]
    test: Callable[[Mapping], bool] | None  # the condition, compiled; None for ELSE
    clause_tests: list[Callable[[Mapping], bool]]
    entries: list[Entry]
    conditions: list[tuple[int, ...]]
    entries_of: list[list[int]]
    by_anchor: dict[int, list[int]]
    always: list[int]

    @classmethod
    def build(cls, bucket: dict, class_of: Sequence[int], header: Sequence[str]) -> CompiledBucket:
        members = bucket["members"]
        origins = bucket.get("origins") or ["c"] * len(members)
        entries: list[Entry] = []
        cond_id: dict[tuple[int, ...], int] = {}
        entries_of: list[list[int]] = []
        for key, conditions in bucket.get("lookalikes", {}).items():
            local = int(key)
            g = members[local]
            for cond in conditions:
                c = tuple(cond)
                if c not in cond_id:
                    cond_id[c] = len(entries_of)
                    entries_of.append([])
                entries_of[cond_id[c]].append(len(entries))
                entries.append(Entry(g, c, origins[local], class_of[g]))
        conditions = list(cond_id)
        by_anchor: dict[int, list[int]] = {}
        always = []
        for i, c in enumerate(conditions):
            if c:
                by_anchor.setdefault(c[0], []).append(i)
            else:
                always.append(i)
        condition = bucket.get("condition")
        clauses = bucket.get("clauses", [])
        return cls(
            condition,
            clauses,
            None if condition is None else compile_condition(condition, header),
            [compile_clause(clause, header) for clause in clauses],
            entries,
            conditions,
            entries_of,
            by_anchor,
            always,
        )

    def matching_conditions(self, falsified: set[int]) -> list[int]:
        """Ids of the conditions whose clauses are all false on the query."""
        found = list(self.always)
        for j in falsified:
            for i in self.by_anchor.get(j, ()):
                if all(k in falsified for k in self.conditions[i]):
                    found.append(i)
        return found

    def matching_entries(self, matched: Sequence[int]) -> list[Entry]:
        """The entries of the matched conditions, in file order."""
        if len(matched) == 1:
            positions = self.entries_of[matched[0]]
        else:
            positions = sorted(p for i in matched for p in self.entries_of[i])
        return [self.entries[p] for p in positions]


def route(chain: Sequence[CompiledBucket], x: Mapping) -> int | None:
    """First bucket whose condition holds (ELSE always does); else the last bucket."""
    for i, bucket in enumerate(chain):
        if bucket.test is None or bucket.test(x):
            return i
    return len(chain) - 1 if chain else None


def falsified_clauses(bucket: CompiledBucket, x: Mapping) -> set[int]:
    """Clause positions whose literals are all false on ``x`` (left to right, stopping early)."""
    return {j for j, holds in enumerate(bucket.clause_tests) if not holds(x)}


class CompiledModel:
    """A model's layers compiled for serving; rebuild it after the layers change."""

    def __init__(self, model: SnakeModel) -> None:
        self.model = model
        self.header = model.header
        class_of = model.class_index.of_target
        self.chains = [
            [CompiledBucket.build(b, class_of, self.header) for b in chain]
            for chain in model.layers
        ]

    def route_layer(self, layer: int, x: Mapping) -> int | None:
        return route(self.chains[layer], x)

    def layer_entries(self, layer: int, x: Mapping) -> list[Entry]:
        """The matching lookalike entries of one layer, for a normalised query."""
        b = self.route_layer(layer, x)
        if b is None:
            return []
        bucket = self.chains[layer][b]
        matched = bucket.matching_conditions(falsified_clauses(bucket, x))
        return bucket.matching_entries(matched) if matched else []

    def entries(self, x: Mapping) -> list[Entry]:
        """Every matching lookalike entry of every layer, in layer order (no dedup)."""
        out: list[Entry] = []
        for layer in range(len(self.chains)):
            out.extend(self.layer_entries(layer, x))
        return out

    def counts(self, entries: Sequence[Entry]) -> list[int]:
        counts = [0] * len(self.model.class_index)
        for e in entries:
            counts[e.klass] += 1
        return counts


def lookalike_list(entries: Sequence[Entry], targets: Sequence[Any]) -> list[list]:
    return [[e.row, targets[e.row], list(e.condition)] for e in entries]


def labeled_list(entries: Sequence[Entry], targets: Sequence[Any]) -> list[list]:
    return [[e.row, targets[e.row], list(e.condition), e.origin] for e in entries]
