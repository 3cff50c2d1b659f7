"""One layer's bucket chain over a slice of the population (spec §4.2–§4.4).

Peeling routes rows into buckets of about ``bucket`` to ``2·bucket`` rows; each bucket
gets noise members drawn from a pool (by default the rest of the slice) and its own
local SAT. The result is in the reference layout with global member indices.
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
    noise_pool: np.ndarray | None = None,
    noisy_last: bool = False,
) -> list[dict]:
    """Conditions, members and origins of every bucket (no clauses yet).

    Noise is drawn from ``noise_pool`` minus the bucket's core (default: the slice).
    The mesh passes the whole population, as the reference does (§4.3): otherwise a
    slice of one class gives buckets with no other class, hence no clauses. It also
    sets ``noisy_last``, because a leaf's last bucket is not the global ELSE.
    """
    remaining = np.sort(indices)
    in_pool = np.zeros(ds.n, dtype=bool)
    in_pool[remaining if noise_pool is None else noise_pool] = True
    chain = []
    while len(remaining) > 2 * bucket:
        cond, core = build_condition(ds, remaining, bucket, opp, rng)
        if not cond:
            break
        is_core = np.zeros(ds.n, dtype=bool)
        is_core[core] = True
        remaining = remaining[~is_core[remaining]]
        members, origins = _with_noise(core, in_pool, noise, rng)
        chain.append({"condition": cond, "members": members, "origins": origins})
    if len(remaining):
        last_noise = noise if noisy_last else 0.0
        members, origins = _with_noise(remaining, in_pool, last_noise, rng)
        chain.append({"condition": None, "members": members, "origins": origins})
    return chain


def _with_noise(
    core: np.ndarray, in_pool: np.ndarray, noise: float, rng: random.Random
) -> tuple[list[int], list[str]]:
    """The core (sorted) then ``floor(noise·|core|)`` (at least 1) random pool rows."""
    members = [int(i) for i in np.sort(core)]
    origins = ["c"] * len(members)
    if noise <= 0:
        return members, origins
    is_core = np.zeros(len(in_pool), dtype=bool)
    is_core[core] = True
    pool = np.flatnonzero(in_pool & ~is_core)
    if len(pool):
        k = min(max(1, math.floor(noise * len(core))), len(pool))
        members += [int(pool[j]) for j in rng.sample(range(len(pool)), k)]
        origins += ["n"] * k
    return members, origins


def build_chain(
    ds: Dataset,
    indices: Sequence[int] | np.ndarray,
    *,
    bucket: int,
    noise: float,
    lookahead: int,
    rng: random.Random,
    on_bucket: Callable[[int, int], None] | None = None,
    noise_pool: Sequence[int] | np.ndarray | None = None,
    noisy_last: bool = False,
    fused: bool = True,
) -> list[dict]:
    """One layer of Snake on the slice ``indices``: the full bucket dicts, in chain order.

    Every bucket is checked against the lookalike contract (spec §4.10) as it is built;
    a violation is a ``LayerVerificationError``. ``fused=False`` keeps all-numeric data
    off the fused clause kernel: the generic path it must match, for tests.
    """
    opp = make_oppose(ds)
    fallback = original_oppose(ds)
    chain = plan_chain(
        ds,
        np.asarray(indices, dtype=np.intp),
        bucket=bucket,
        noise=noise,
        opp=opp,
        rng=rng,
        noise_pool=None if noise_pool is None else np.asarray(noise_pool, dtype=np.intp),
        noisy_last=noisy_last,
    )
    for number, b in enumerate(chain):
        members = np.array(b["members"], dtype=np.intp)
        sat = Bucket(ds, members, fused=fused)
        clauses, lookalikes, truth = local_sat(sat, opp, fallback, lookahead, rng)
        b["clauses"] = clauses
        b["lookalikes"] = lookalikes
        check_bucket(ds, b, truth, f"bucket {number}")  # spec §4.10, on the SAT's own truth
        if on_bucket is not None:
            on_bucket(number + 1, len(chain))
    return chain
