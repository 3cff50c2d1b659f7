"""Pure-Python kernels: the fallback for ``_kernels.pyx`` with the same signatures.

Each kernel evaluates one reference-dependent measure of spec §2.2 for a list of
distinct strings against one reference, so the columnar evaluator pays per distinct
value, not per row. Both implementations are tested equal to ``measures``.
"""

from __future__ import annotations

import numpy as np

from snakebatch.engine import measures as m


def contains(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((ref in s for s in strs), dtype=bool, count=len(strs))


def equals(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((s == ref for s in strs), dtype=bool, count=len(strs))


def startswith(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((s.startswith(ref) for s in strs), dtype=bool, count=len(strs))


def endswith(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((s.endswith(ref) for s in strs), dtype=bool, count=len(strs))


def lev(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.lev(s, ref) for s in strs), dtype=np.int64, count=len(strs))


def jac(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.jac(s, ref) for s in strs), dtype=np.float64, count=len(strs))


def sim(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.sim(s, ref) for s in strs), dtype=np.float64, count=len(strs))


def cpl(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.cpl(s, ref) for s in strs), dtype=np.int64, count=len(strs))


def csl(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.csl(s, ref) for s in strs), dtype=np.int64, count=len(strs))


def chi(strs: list[str], expected: dict) -> np.ndarray:
    return np.fromiter((m.chi(s, expected) for s in strs), dtype=np.float64, count=len(strs))


def lev_at_most(strs: list[str], ref: str, limit: float) -> np.ndarray:
    """``lev(s, ref) <= limit`` per string (the LEV literal's test)."""
    return np.fromiter((m.lev(s, ref) <= limit for s in strs), dtype=bool, count=len(strs))


def pick_feature(codes: np.ndarray, weights: np.ndarray, t: int, f: int, r: float) -> int:
    """A feature where rows ``t`` and ``f`` differ (codes ≥ 0 on both), or -1.

    ``r`` is one uniform draw in [0, 1): with two or more candidates it picks by
    cumulative ``weights``; with one it is unused.
    """
    ct, cf = codes[t], codes[f]
    cands = ((ct != cf) & ((ct | cf) >= 0)).nonzero()[0]
    if len(cands) == 0:
        return -1
    if len(cands) == 1:
        return int(cands[0])
    cum = weights[cands].cumsum()
    k = int(np.searchsorted(cum, r * cum[-1], side="right"))
    return int(cands[min(k, len(cands) - 1)])


def threshold_mask(
    values: np.ndarray, ok: np.ndarray, rows: np.ndarray, thr: float, negated: bool
) -> np.ndarray:
    """``ok & (v >= thr if negated else v < thr)`` over ``rows`` (NaN fails both)."""
    v = values[rows]
    with np.errstate(invalid="ignore"):
        hit = v >= thr if negated else v < thr
    return hit & ok[rows].view(bool)


def gather_state(
    state: np.ndarray, codes: np.ndarray, present: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, int]:
    """Per-row truth from a per-rendering state (0/1, 2 = unknown) and the unknown count."""
    s = state[codes[rows]]
    p = present[rows].view(bool)
    return (s == 1) & p, int(np.count_nonzero((s == 2) & p))


def gather_measure(
    measure: np.ndarray,
    codes: np.ndarray,
    present: np.ndarray,
    rows: np.ndarray,
    thr: float,
    negated: bool,
) -> tuple[np.ndarray, int]:
    """Per-row threshold test of a per-rendering measure (< 0 = unknown), and the unknown count."""
    mu = measure[codes[rows]]
    p = present[rows].view(bool)
    with np.errstate(invalid="ignore"):
        hit = mu >= thr if negated else mu < thr
    return hit & p, int(np.count_nonzero((mu < 0) & p))


def zscore_mask(
    values: np.ndarray,
    ok: np.ndarray,
    rows: np.ndarray,
    mu: float,
    sd: float,
    thr: float,
    negated: bool,
) -> np.ndarray:
    """NZ literals: ``(v - mu) / sd`` against ``thr``; a zero ``sd`` gives ±inf (NaN for 0/0)."""
    with np.errstate(all="ignore"):
        diff = values[rows] - mu
        if sd == 0:
            z = np.where((diff == 0) | np.isnan(diff), np.nan, np.copysign(np.inf, diff))
        else:
            z = diff / sd
        hit = z >= thr if negated else z < thr
    return hit & ok[rows].view(bool)
