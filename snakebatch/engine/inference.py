"""Plain (one query at a time) inference: routing, clause evaluation, lookalikes (§5.2–§5.6).

Loading compiles almost nothing: each layer gets a routing index over its conditions
(:mod:`routing`), and a bucket's clauses and lookalikes are compiled the first time a
query is routed to it. A big mesh model has thousands of buckets and a query visits
one per layer, so compiling everything up front cost most of a load.

Each bucket is compiled once into an index of its lookalike conditions: the distinct
conditions, each anchored on its first clause index, with the positions of the
lookalike entries that carry it. A query then visits only the conditions anchored
on a clause it falsifies, instead of scanning every lookalike key of the bucket
(§7.3 item 6). Results and their order are those of the plain scan: entries come out
in file order (member key order, then condition order).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from snakebatch.engine.clause_table import ClauseTable
from snakebatch.engine.model import SnakeModel
from snakebatch.engine.routing import ChainIndex


@dataclass(frozen=True)
class Entry:
    """One lookalike entry of a bucket: a member and one of its conditions."""

    row: int
    condition: tuple[int, ...]
    origin: str
    klass: int


class EntryList(Sequence[Entry]):
    """A bucket's lookalike entries in file order, each made on first use: a query
    matches a few of a bucket's hundreds, and making them all was most of a bucket's
    compile time."""

    def __init__(
        self,
        members: Sequence[int],
        origins: Sequence[str],
        class_of: Sequence[int],
        local: list[int],
        cond: list[int],
        conditions: list[tuple[int, ...]],
    ) -> None:
        self._members, self._origins, self._class_of = members, origins, class_of
        self.local, self.cond, self._conditions = local, cond, conditions
        self._made: list[Entry | None] = [None] * len(local)

    def __len__(self) -> int:
        return len(self.local)

    def __getitem__(self, p: int) -> Entry:  # type: ignore[override]
        made = self._made[p]
        if made is None:
            local = self.local[p]
            g = self._members[local]
            made = Entry(g, self._conditions[self.cond[p]], self._origins[local], self._class_of[g])
            self._made[p] = made
        return made

    def classes(self) -> list[int]:
        """Each entry's class position, without making the entries."""
        members, class_of = self._members, self._class_of
        return [class_of[members[local]] for local in self.local]


@dataclass
class CompiledBucket:
    condition: list | None
    clauses: list[list]
    table: ClauseTable
    entries: EntryList
    conditions: list[tuple[int, ...]]
    entries_of: list[list[int]]
    by_anchor: dict[int, list[int]]
    always: list[int]

    @classmethod
    def build(cls, bucket: dict, class_of: Sequence[int], header: Sequence[str]) -> CompiledBucket:
        members = bucket["members"]
        origins = bucket.get("origins") or ["c"] * len(members)
        cond_id: dict[tuple[int, ...], int] = {}
        entries_of: list[list[int]] = []
        entry_local: list[int] = []
        entry_cond: list[int] = []
        for key, conds in bucket.get("lookalikes", {}).items():
            local = int(key)
            for cond in conds:
                c = tuple(cond)
                i = cond_id.get(c)
                if i is None:
                    i = cond_id[c] = len(entries_of)
                    entries_of.append([])
                entries_of[i].append(len(entry_local))
                entry_local.append(local)
                entry_cond.append(i)
        conditions = list(cond_id)
        entries = EntryList(members, origins, class_of, entry_local, entry_cond, conditions)
        by_anchor: dict[int, list[int]] = {}
        always = []
        for i, c in enumerate(conditions):
            if c:
                by_anchor.setdefault(c[0], []).append(i)
            else:
                always.append(i)
        clauses = bucket.get("clauses", [])
        return cls(
            bucket.get("condition"),
            clauses,
            ClauseTable(clauses, header),
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


class CompiledChain(Sequence[CompiledBucket]):
    """One layer: its routing index now, each bucket compiled on first access.

    Two threads may compile the same bucket at once; both build the same value and the
    list assignment is atomic, so no lock is needed.
    """

    def __init__(self, buckets: list[dict], class_of: Sequence[int], header: Sequence[str]):
        self._raw = buckets
        self._class_of = class_of
        self._header = header
        self._built: list[CompiledBucket | None] = [None] * len(buckets)
        # not ``index``, which would hide ``Sequence.index``
        self.router = ChainIndex([b.get("condition") for b in buckets], header)

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, i: int) -> CompiledBucket:  # type: ignore[override]
        built = self._built[i]
        if built is None:
            built = CompiledBucket.build(self._raw[i], self._class_of, self._header)
            self._built[i] = built
        return built

    def __iter__(self) -> Iterator[CompiledBucket]:
        return (self[i] for i in range(len(self._raw)))

    def route(self, x: Mapping) -> int | None:
        """First bucket whose condition holds (ELSE always does); else the last bucket."""
        return self.router.route(x)


def falsified_clauses(bucket: CompiledBucket, x: Mapping) -> set[int]:
    """Clause positions whose literals are all false on ``x``."""
    return bucket.table.falsified(x)


class CompiledModel:
    """A model's layers compiled for serving; rebuild it after the layers change."""

    def __init__(self, model: SnakeModel) -> None:
        self.model = model
        self.header = model.header
        class_of = model.class_index.of_target
        self.chains = [CompiledChain(chain, class_of, self.header) for chain in model.layers]

    def route_layer(self, layer: int, x: Mapping) -> int | None:
        return self.chains[layer].route(x)

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
