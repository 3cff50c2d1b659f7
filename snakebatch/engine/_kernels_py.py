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


# -- fused clause construction over an all-numeric bucket (see ``_kernels.pyx``) ------

KIND_N, KIND_NZ, KIND_NL, KIND_NMG, KIND_ND = range(5)
PROFILE_BALANCED, PROFILE_SCIENTIFIC = 1, 2
SCIENTIFIC_CUTS = (0.40, 0.60, 0.75, 0.90)


def randbelow(rng, n: int) -> int:
    """``rng.randrange(n)`` for n ≥ 1, drawn as the stdlib draws it (the compiled kernel
    repeats these getrandbits calls, so both consume the same stream)."""
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return r


class _Block:
    """The unpacked numeric block; literals are (feature, kind, threshold, negated)."""

    def __init__(self, block: tuple) -> None:
        x, slog, mag, ndig, codes, weights, mean, std, stats, profile = block
        # Per kind, the array a literal compares directly; NZ is computed from x instead.
        self.arrays: dict[int, np.ndarray] = {
            KIND_N: x,
            KIND_NL: slog,
            KIND_NMG: mag,
            KIND_ND: ndig,
        }
        self.x, self.codes, self.weights = x, codes, weights
        self.mean, self.std, self.stats, self.profile = mean, std, stats, profile

    def truth(self, lit: tuple, rows) -> np.ndarray:
        i, kind, thr, neg = lit
        with np.errstate(all="ignore"):
            if kind == KIND_NZ:
                v = (self.x[i, rows] - self.mean[i]) / self.std[i]
            else:
                v = self.arrays[kind][i, rows]
            return v >= thr if neg else v < thr

    def holds(self, lit: tuple, row: int) -> bool:
        i, kind, thr, neg = lit
        if kind == KIND_NZ:
            v = (float(self.x[i, row]) - float(self.mean[i])) / float(self.std[i])
        else:
            v = float(self.arrays[kind][i, row])
        return v >= thr if neg else v < thr

    def midpoint(self, i: int, t: int, f: int) -> tuple:
        a, b = float(self.x[i, t]), float(self.x[i, f])
        return (i, KIND_N, (b + a) / 2, a > b)

    def measured(self, kind: int, i: int, t: int, f: int) -> tuple | None:
        arr = self.arrays[kind]
        a, b = float(arr[i, t]), float(arr[i, f])
        return None if a == b else (i, kind, (a + b) / 2, a > b)

    def zscore(self, i: int, t: int, f: int) -> tuple | None:
        if not self.stats[i]:
            return self.midpoint(i, t, f)
        mean, std = float(self.mean[i]), float(self.std[i])
        zt, zf = (float(self.x[i, t]) - mean) / std, (float(self.x[i, f]) - mean) / std
        return None if zt == zf else (i, KIND_NZ, (zt + zf) / 2, zt > zf)

    def generate(self, i: int, t: int, f: int, rng) -> tuple:
        """``generators.numeric_literal`` for the block's profile."""
        if self.profile == PROFILE_SCIENTIFIC:
            r = rng.random()
            start = sum(r >= cut for cut in SCIENTIFIC_CUTS)
            blocks = (
                lambda: self.midpoint(i, t, f),
                lambda: self.zscore(i, t, f),
                lambda: self.measured(KIND_NL, i, t, f),
                lambda: self.measured(KIND_NMG, i, t, f),
            )
            for block in blocks[start:]:
                lit = block()
                if lit is not None:
                    return lit
        elif self.profile == PROFILE_BALANCED:
            if rng.random() < 0.5:
                return self.midpoint(i, t, f)
        else:
            return self.midpoint(i, t, f)
        return self.measured(KIND_ND, i, t, f) or self.midpoint(i, t, f)

    def pick(self, t: int, f: int, rng) -> int:
        return pick_feature(self.codes, self.weights, t, f, rng.random())


def _lookahead(b: _Block, rem: np.ndarray, f: int, k: int, rng) -> tuple | None:
    best, best_cov = None, -1
    for _ in range(max(k, 1)):
        t = int(rem[randbelow(rng, len(rem))])
        i = b.pick(t, f, rng)
        if i < 0:
            continue
        lit = b.generate(i, t, f, rng)
        if b.holds(lit, f) or not b.holds(lit, t):
            continue
        if k <= 1:
            return lit
        cov = int(np.count_nonzero(b.truth(lit, rem)))
        if cov > best_cov:
            best, best_cov = lit, cov
    return best


def _fallback(b: _Block, rem: np.ndarray, f: int, tries: int, rng) -> tuple | None:
    for _ in range(tries):
        t = int(rem[randbelow(rng, len(rem))])
        i = b.pick(t, f, rng)
        if i < 0:
            continue
        lit = b.midpoint(i, t, f)
        if not b.holds(lit, f) and b.truth(lit, rem).any():
            return lit
    return None


def numeric_clause(
    block: tuple, ts: np.ndarray, f: int, lookahead: int, tries: int, rng
) -> tuple[list[tuple], np.ndarray] | None:
    """``sat.construct_clause`` for an all-numeric bucket: ([literal, …], truth) or None."""
    b = _Block(block)
    s = b.codes.shape[0]
    if b.x.shape != (b.codes.shape[1], s):
        raise ValueError("numeric block: value matrix does not match the codes")
    if (len(ts) and (ts.min() < 0 or ts.max() >= s)) or not 0 <= f < s:
        raise IndexError("numeric block: a position is outside the bucket")
    everyone = np.arange(s)
    lits, masks = [], []
    rem = ts
    while len(rem):
        lit = _lookahead(b, rem, f, lookahead, rng) or _fallback(b, rem, f, tries, rng)
        if lit is None:
            return None
        mk = b.truth(lit, everyone)
        lits.append(lit)
        masks.append(mk)
        rem = rem[~mk[rem]]
    kept, truth = _minimise(lits, masks, ts, s)
    return [(int(i), kind, float(thr), bool(neg)) for i, kind, thr, neg in kept], truth


def _minimise(lits: list, masks: list, ts: np.ndarray, s: int) -> tuple[list, np.ndarray]:
    """Greedy minimisation in order: drop a literal while every T stays covered; the
    kept literals and their clause's truth over the ``s`` members."""
    cover = np.sum([mk[ts] for mk in masks], axis=0)
    kept = []
    truth = np.zeros(s, dtype=bool)
    for lit, mk in zip(lits, masks, strict=True):
        without = cover - mk[ts]
        if without.min() > 0:
            cover = without
        else:
            kept.append(lit)
            truth |= mk
    return kept, truth


# -- clause construction on any data: the dataset's generators, the columnar evaluator --


def _text_lookahead(store, members, rem, f, opp, k, rng) -> tuple | None:
    """The best of ``k`` guarded candidates: true on its T, false on F, most coverage."""
    best, best_cov = None, -1
    rows = members[np.append(rem, f)]  # candidates are scored on rem and F only
    f_row = int(members[f])
    for _ in range(max(k, 1)):
        ti = rng.randrange(len(rem))
        lit = opp(int(rows[ti]), f_row, rng)
        if lit is None:
            continue
        mk = store.mask_rows(lit, rows)
        if mk[-1] or not mk[ti]:
            continue
        if k <= 1:
            best = lit
            break
        cov = int(np.count_nonzero(mk))
        if cov > best_cov:
            best, best_cov = lit, cov
    return None if best is None else (best, store.mask_rows(best, members))


def _text_fallback(store, members, rem, f, opp, tries, rng) -> tuple | None:
    """The original oppose, guarded: it must be false on F and cover part of ``rem``
    (the reference takes its literal unchecked, which can loop forever, §7.2)."""
    for _ in range(tries):
        t = rem[rng.randrange(len(rem))]
        lit = opp(int(members[t]), int(members[f]), rng)
        if lit is None:
            continue
        mk = store.mask_rows(lit, members)
        if not mk[f] and mk[rem].any():
            return lit, mk
    return None


def text_clause(
    store,
    members: np.ndarray,
    ts: np.ndarray,
    f: int,
    opp,
    fallback,
    lookahead: int,
    tries: int,
    rng,
) -> tuple[list, np.ndarray] | None:
    """``sat.construct_clause`` on any data: ``opp``/``fallback`` draw literals over
    dataset rows, ``store.mask_rows`` evaluates them; ([literal, …], truth) or None."""
    if (len(ts) and (ts.min() < 0 or ts.max() >= len(members))) or not 0 <= f < len(members):
        raise IndexError("text clause: a position is outside the bucket")
    lits, masks = [], []
    rem = ts
    while len(rem):
        pick = _text_lookahead(store, members, rem, f, opp, lookahead, rng) or _text_fallback(
            store, members, rem, f, fallback, tries, rng
        )
        if pick is None:
            return None
        lit, mk = pick
        lits.append(lit)
        masks.append(mk)
        rem = rem[~mk[rem]]
    return _minimise(lits, masks, ts, len(members))


def first_violation(
    truth: np.ndarray, y: np.ndarray, owners: np.ndarray, starts: np.ndarray, clauses: np.ndarray
) -> tuple[int, int]:
    """The first (condition, member) breaking the lookalike contract, or (-1, -1)."""
    hit = truth.view(bool)
    for r, owner in enumerate(owners):
        cond = clauses[starts[r] : starts[r + 1]]
        bad = ~hit[:, cond].any(axis=1) & (y != y[owner])
        if bad.any():
            return r, int(np.flatnonzero(bad)[0])
    return -1, -1
