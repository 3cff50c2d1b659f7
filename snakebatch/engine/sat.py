"""Local SAT per bucket (spec §4.4–§4.5): clauses, consequences and lookalikes.

Everything works on *local* positions into the bucket's members. Each clause is one
kernel call; the kernel draws candidate literals, guards them, scores their coverage,
falls back to the original oppose and minimises the clause, returning the clause's
truth over the members, which consequences and verification reuse.

On all-numeric data (every feature ``N``, a float in every row) a bucket built with
``fused=True`` uses ``numeric_clause``: candidate generation too runs in the kernel,
over a (features × members) matrix. Any other data uses ``text_clause``: the dataset's
generators (Python) draw the literals, and the kernel evaluates them per distinct
rendering (``ColumnStore`` columns), handing anything unusual to ``mask_rows``. Both
make the same random draws in the same order as their pure-Python twins in
``_kernels_py``, hence the same clauses.
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
    store = b.ds.columns
    return store.kernels.text_clause(
        store, b.members, ts, f, opp, fallback, lookahead, FALLBACK_TRIES, rng
    )


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
