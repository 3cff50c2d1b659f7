"""Local SAT per bucket (spec §4.4–§4.5): clauses, consequences and lookalikes.

Everything works on *local* positions into the bucket's members. Each literal is
evaluated once over all members (one ``ColumnStore.mask`` call), and coverage,
the clause's truth, minimisation and consequences are numpy operations on those
masks — the reference re-evaluates literals row by row at every step.

On all-numeric data (every feature ``N``, a float in every row) a bucket built with
``fused=True`` hands each whole clause to one kernel call (``numeric_clause``):
candidate generation, guards, coverage, minimisation and the clause's truth over a
(features × members) matrix, with the same random draws in the same order as the
generic path, hence the same clauses. Small buckets spend most of their time in
per-literal Python overhead, which this removes.
"""

from __future__ import annotations

import random

import numpy as np

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.generators import NUMERIC_PROFILE, Literal, Oppose

FALLBACK_TRIES = 8
NUMERIC_KINDS = ("N", "NZ", "NL", "NMG", "ND")  # kind codes of the fused kernel
NZ = NUMERIC_KINDS.index("NZ")


class Bucket:
    """Members of one bucket with a cached literal evaluator over them.

    ``fused`` is a promise by the caller that the clause builder's generators are the
    dataset's own (``make_oppose(ds)`` and ``original_oppose(ds)``): only then may the
    fused kernel, which re-implements them for numeric data, stand in for them.
    """

    def __init__(self, ds: Dataset, members: np.ndarray, *, fused: bool = False) -> None:
        self.ds = ds
        self.members = members
        self.y = ds.y[members]
        self.block = _numeric_block(ds, members) if fused else None

    def mask(self, lit: Literal) -> np.ndarray:
        """The literal over all members."""
        return self.ds.columns.mask_rows(lit, self.members)


def _numeric_block(ds: Dataset, members: np.ndarray) -> tuple | None:
    """The fused kernel's view of the bucket, or None when the data is not all-numeric."""
    table = ds.columns.numeric_table()
    if table is None:
        return None
    width = len(ds.header)
    mean, std, has = np.zeros(width), np.ones(width), np.zeros(width, dtype=np.uint8)
    for i, st in ds.column_stats.items():
        if type(st[0]) is not float or type(st[1]) is not float or st[1] == 0:
            return None  # the generator's exact arithmetic on such stats is not the kernel's
        mean[i], std[i], has[i] = st[0], st[1], 1
    return (
        *(np.ascontiguousarray(a[:, members]) for a in table),
        np.ascontiguousarray(ds.codes[members]),
        ds.weights,
        mean,
        std,
        has,
        NUMERIC_PROFILE.get(ds.profile, 0),
    )


def _fused_clause(
    b: Bucket, f: int, ts: np.ndarray, lookahead: int, rng: random.Random
) -> tuple[list[Literal], np.ndarray] | None:
    built = b.ds.columns.kernels.numeric_clause(b.block, ts, f, lookahead, FALLBACK_TRIES, rng)
    if built is None:
        return None
    specs, truth = built
    stats = b.ds.column_stats
    clause = [
        [i, [*stats[i][:2], thr], neg, "NZ"] if kind == NZ else [i, thr, neg, NUMERIC_KINDS[kind]]
        for i, kind, thr, neg in specs
    ]
    return clause, truth


def _lookahead(
    b: Bucket, rem: np.ndarray, f: int, opp: Oppose, k: int, rng: random.Random
) -> tuple[Literal, np.ndarray] | None:
    """The best of ``k`` guarded candidates: true on its T, false on F, most coverage."""
    best: Literal | None = None
    best_cov = -1
    members = b.members
    rows = members[np.append(rem, f)]  # candidates are scored on rem and F only
    f_row = int(members[f])
    mask = b.ds.columns.mask_rows
    for _ in range(max(k, 1)):
        ti = rng.randrange(len(rem))
        lit = opp(int(rows[ti]), f_row, rng)
        if lit is None:
            continue
        mk = mask(lit, rows)
        if mk[-1] or not mk[ti]:
            continue
        if k <= 1:
            best = lit
            break
        cov = int(np.count_nonzero(mk))
        if cov > best_cov:
            best, best_cov = lit, cov
    return None if best is None else (best, b.mask(best))


def _fallback(
    b: Bucket, rem: np.ndarray, f: int, opp: Oppose, rng: random.Random
) -> tuple[Literal, np.ndarray] | None:
    """The original oppose, guarded: it must be false on F and cover part of ``rem``.

    The reference takes its literal unchecked, which can loop forever (§7.2).
    """
    for _ in range(FALLBACK_TRIES):
        t = rem[rng.randrange(len(rem))]
        lit = opp(int(b.members[t]), int(b.members[f]), rng)
        if lit is None:
            continue
        mk = b.mask(lit)
        if not mk[f] and mk[rem].any():
            return lit, mk
    return None


def construct_clause(
    b: Bucket,
    f: int,
    ts: np.ndarray,
    opp: Oppose,
    fallback: Oppose,
    lookahead: int,
    rng: random.Random,
) -> tuple[list[Literal], np.ndarray] | None:
    """A clause true on every T in ``ts`` and false on F, greedily minimised.

    Returns the clause and its truth over all members, or None when some T cannot be
    told apart from F by any literal.
    """
    if b.block is not None:
        return _fused_clause(b, f, ts, lookahead, rng)
    lits: list[Literal] = []
    masks: list[np.ndarray] = []
    rem = ts
    while len(rem):
        pick = _lookahead(b, rem, f, opp, lookahead, rng) or _fallback(b, rem, f, fallback, rng)
        if pick is None:
            return None
        lit, mk = pick
        lits.append(lit)
        masks.append(mk)
        rem = rem[~mk[rem]]
    cover = np.sum([mk[ts] for mk in masks], axis=0)
    i = 0
    while i < len(lits):
        without = cover - masks[i][ts]
        if without.min() > 0:
            cover = without
            del lits[i], masks[i]
        else:
            i += 1
    return lits, np.logical_or.reduce(masks)


def local_sat(
    b: Bucket,
    opp: Oppose,
    fallback: Oppose,
    lookahead: int,
    rng: random.Random,
) -> tuple[list[list[Literal]], dict[str, list[list[int]]], np.ndarray]:
    """Clauses grouped by class (sorted), each member's lookalike conditions, and the
    (members × clauses) truth of the clauses, which verification reuses."""
    n = len(b.members)
    clauses: list[list[Literal]] = []
    truths: list[np.ndarray] = []
    lookalikes: dict[str, list[list[int]]] = {str(i): [] for i in range(n)}
    for k in np.unique(b.y):  # class ids are positions in the sorted class list
        pos = np.flatnonzero(b.y == k)
        ts = np.flatnonzero(b.y != k)
        if len(ts) == 0:
            continue
        per: dict[int, list[int]] = {int(i): [] for i in pos}
        fs = pos
        while len(fs):
            f = int(fs[rng.randrange(len(fs))])
            built = construct_clause(b, f, ts, opp, fallback, lookahead, rng)
            if built is None:
                fs = fs[fs != f]
                continue
            clause, truth = built
            index = len(clauses)
            clauses.append(clause)
            truths.append(truth)
            for i in pos[~truth[pos]]:
                per[int(i)].append(index)
            fs = fs[truth[fs]]
        for i, cond in per.items():
            if cond:  # a member no clause falsifies gets no condition, never ``[]``
                lookalikes[str(i)].append(cond)
    truth = np.column_stack(truths) if truths else np.zeros((n, 0), dtype=bool)
    return clauses, lookalikes, truth
