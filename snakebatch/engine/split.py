"""Routing literals (spec §4.2): a literal that splits a set of rows in two.

Shared by the bucket chain's peeling and by the mesh's divide step.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.generators import Literal, Oppose, make_oppose

MAX_TRIES = 50


def classes_in(ds: Dataset, rows: np.ndarray) -> list[int]:
    """Class ids present in ``rows``, in first-seen order."""
    ys = ds.y[rows]
    uniq, first = np.unique(ys, return_index=True)
    return [int(c) for c in uniq[np.argsort(first)]]


def draw_pair(ds: Dataset, rows: np.ndarray, rng: random.Random) -> tuple[int, int] | None:
    """Positions (into ``rows``) of two rows of different, randomly drawn classes."""
    classes = classes_in(ds, rows)
    if len(classes) < 2:
        return None
    ta = rng.choice(classes)
    tb = rng.choice([c for c in classes if c != ta])
    ys = ds.y[rows]
    a_pos = np.flatnonzero(ys == ta)
    b_pos = np.flatnonzero(ys == tb)
    return int(a_pos[rng.randrange(len(a_pos))]), int(b_pos[rng.randrange(len(b_pos))])


def try_split(
    ds: Dataset, rows: np.ndarray, opp: Oppose, rng: random.Random
) -> tuple[Literal, np.ndarray] | None:
    """One attempt: a literal for a random opposing pair and its mask over ``rows``.

    None unless the literal is false on the B row and true on at least one row, so it
    removes something and keeps something.
    """
    pair = draw_pair(ds, rows, rng)
    if pair is None:
        return None
    a, b = pair
    lit = opp(int(rows[a]), int(rows[b]), rng)
    if lit is None:
        return None
    mk = ds.columns.mask_rows(lit, rows)
    if mk[b] or not mk.any():
        return None
    return lit, mk


def opposing_literal(
    ds: Dataset, indices: Sequence[int] | np.ndarray, rng: random.Random
) -> Literal | None:
    """A literal (dataset's profile) true on ≥ 1 and false on ≥ 1 row of the slice."""
    rows = np.asarray(indices, dtype=np.intp)
    if len(rows) < 2:
        return None
    opp = make_oppose(ds)
    for _ in range(MAX_TRIES):
        got = try_split(ds, rows, opp, rng)
        if got is not None:
            return got[0]
    return None
