"""One layer's bucket chain over a slice of the population (spec §4.2–§4.4).

Peeling routes rows into buckets of about ``bucket`` to ``2·bucket`` rows; each bucket
gets noise members drawn from the rest of the slice and its own local SAT. The
result is in the reference layout with global member indices.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import numpy as np

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.generators import Literal, Oppose, make_oppose, original_oppose
from snakebatch.engine.sat import Bucket, local_sat
from snakebatch.engine.split import try_split
from snakebatch.engine.verify import check_bucket

RETRIES = 50


def build_condition(
    ds: Dataset, rows: np.ndarray, bucket: int, opp: Oppose, rng: random.Random
) -> tuple[list[Literal], np.ndarray]:
    """Peel ``rows`` down to a core of at least ``bucket`` rows with an AND condition.

    Each accepted literal removes at least one row (the reference accepts literals
    that remove nothing and can stall, §7.2), so the loop ends.
    """
    cond: list[Literal] = []
    retries = 0
    while len(rows) > 2 * bucket and retries < RETRIES:
        got = try_split(ds, rows, opp, rng)
        if got is None or got[1].sum() < bucket:
            retries += 1
            continue
        lit, mk = got
        cond.append(lit)
        rows = rows[mk]
        retries = 0
    return cond, rows


def plan_chain(
    ds: Dataset,
    indices: np.ndarray,
    *,
    bucket: int,
    noise: float,
    opp: Oppose,
    rng: random.Random,
) -> list[dict]:
    """Conditions, members and origins of every bucket (no clauses yet)."""
    remaining = np.sort(indices)
    in_slice = np.zeros(ds.n, dtype=bool)
    in_slice[remaining] = True
    chain = []
    while len(remaining) > 2 * bucket:
        cond, core = build_condition(ds, remaining, bucket, opp, rng)
        if not cond:
            break
        is_core = np.zeros(ds.n, dtype=bool)
        is_core[core] = True
        remaining = remaining[~is_core[remaining]]
        members = [int(i) for i in np.sort(core)]
        origins = ["c"] * len(members)
        pool = np.flatnonzero(in_slice & ~is_core)
        if noise > 0 and len(pool):
            k = min(max(1, math.floor(noise * len(core))), len(pool))
            members += [int(pool[j]) for j in rng.sample(range(len(pool)), k)]
            origins += ["n"] * k
        chain.append({"condition": cond, "members": members, "origins": origins})
    if len(remaining):
        members = [int(i) for i in remaining]
        chain.append({"condition": None, "members": members, "origins": ["c"] * len(members)})
    return chain


def build_chain(
    ds: Dataset,
    indices: Sequence[int] | np.ndarray,
    *,
    bucket: int,
    noise: float,
    lookahead: int,
    rng: random.Random,
    on_bucket: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """One layer of Snake on the slice ``indices``: the full bucket dicts, in chain order.

    Every bucket is checked against the lookalike contract (spec §4.10) as it is built;
    a violation is a ``LayerVerificationError``.
    """
    opp = make_oppose(ds)
    fallback = original_oppose(ds)
    chain = plan_chain(
        ds, np.asarray(indices, dtype=np.intp), bucket=bucket, noise=noise, opp=opp, rng=rng
    )
    for number, b in enumerate(chain):
        members = np.array(b["members"], dtype=np.intp)
        clauses, lookalikes, truth = local_sat(Bucket(ds, members), opp, fallback, lookahead, rng)
        b["clauses"] = clauses
        b["lookalikes"] = lookalikes
        check_bucket(ds, b, ~truth, f"bucket {number}")  # spec §4.10, on the SAT's own masks
        if on_bucket is not None:
            on_bucket(number + 1, len(chain))
    return chain
