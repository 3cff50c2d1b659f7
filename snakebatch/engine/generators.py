"""Literal generators (spec §4.6): given a row T and a row F, a literal meant to be
true on T and false on F.

Every generator first picks one feature where the two rows differ (weighted by mutual
information), then one of the building blocks of its profile. Randomness comes only
from the ``random.Random`` passed in, and every pool is an ordered list (never a set),
so the same seed draws the same literal. Guards live with the callers (chain, SAT):
a generator may return a literal that fails on its pair, and None means "nothing".
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from functools import lru_cache, partial

from snakebatch.engine import measures as m
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.literals import magnitude

Literal = list
Oppose = Callable[[int, int, random.Random], Literal | None]
SEPARATORS = (" ", "/", ":", "-")


def mid(a: float, b: float) -> float:
    """The midpoint in doubles (measures are small ints, so their sum is exact)."""
    return (a + b) / 2


@lru_cache(maxsize=65536)
def _tokens(s: str) -> tuple[str, ...]:
    """Pieces of ``s`` split on each separator, cut at the first quote; ordered, unique."""
    out: dict[str, None] = {}
    for sep in SEPARATORS:
        for piece in s.split(sep):
            out[piece.split("'", 1)[0].split('"', 1)[0]] = None
    return tuple(out)


def _chars_missing(a: str, b: str) -> list[str]:
    """Distinct characters of ``a`` (first-occurrence order) that ``b`` lacks."""
    return [c for c in dict.fromkeys(a) if c not in b]


class Pair:
    """One feature of the (T, F) pair: its position, values and (lazily) renderings."""

    __slots__ = ("_fv", "_tv", "ds", "f", "f_row", "i", "rng", "t", "t_row")

    def __init__(self, ds: Dataset, i: int, t_row: int, f_row: int, rng: random.Random) -> None:
        h = ds.header[i]
        self.ds = ds
        self.i = i
        self.t_row, self.f_row = t_row, f_row
        self.t = ds.rows[t_row][h]
        self.f = ds.rows[f_row][h]
        self.rng = rng
        self._tv: str | None = None
        self._fv: str | None = None

    @property
    def tv(self) -> str:
        if self._tv is None:
            self._tv = self.t if type(self.t) is str else str(self.t)
        return self._tv

    @property
    def fv(self) -> str:
        if self._fv is None:
            self._fv = self.f if type(self.f) is str else str(self.f)
        return self._fv

    def measures(self, name: str) -> tuple[float, float]:
        """A text measure (``columns.MEASURES``) of both renderings, from the column cache."""
        arr = self.ds.columns.row_measure(self.i, name)
        return arr.item(self.t_row), arr.item(self.f_row)

    @property
    def stats(self) -> tuple[float, float, float] | None:
        return self.ds.column_stats.get(self.i)

    @property
    def kernels(self):
        return self.ds.columns.kernels


def _threshold_literal(p: Pair, measure: str, kind: str) -> Literal | None:
    a, b = p.measures(measure)
    if a == b:
        return None
    return [p.i, mid(a, b), a > b, kind]


def _pick_applicable(p: Pair, options: tuple[tuple[str, str], ...]) -> Literal | None:
    live = []
    for kind, name in options:
        a, b = p.measures(name)
        if a != b:
            live.append((kind, a, b))
    if not live:
        return None
    kind, a, b = p.rng.choice(live)
    return [p.i, mid(a, b), a > b, kind]


# (literal type, measure name in ``columns.MEASURES``)
STRUCTURAL = (("TN", "len"), ("TLN", "uniq"))
SPLITS = (("TWS", "words"), ("TPS", "parts"), ("TSS", "sentences"))
CHARCLASS = (("TUC", "upper"), ("TDC", "digits"), ("TSC", "special"))


def _token_pool(p: Pair, min_len: int) -> list[Literal]:
    i, tv, fv = p.i, p.tv, p.fv
    limit_t, limit_f = max(2, len(tv)), max(2, len(fv))
    pool = [
        [i, tok, False, "T"]
        for tok in _tokens(tv)
        if min_len <= len(tok) < limit_t and tok not in fv
    ]
    pool += [
        [i, tok, True, "T"]
        for tok in _tokens(fv)
        if min_len <= len(tok) < limit_f and tok not in tv
    ]
    return pool


# -- building blocks (§4.6.2) ------------------------------------------------------------


def substring(p: Pair) -> Literal | None:
    i, tv, fv = p.i, p.tv, p.fv
    pool = [[i, c, False, "T"] for c in _chars_missing(tv, fv)]
    pool += [[i, c, True, "T"] for c in _chars_missing(fv, tv)]
    pool += _token_pool(p, 2)
    if pool:
        return p.rng.choice(pool)
    if tv != fv and tv not in fv:
        return [i, tv, False, "T"]
    if fv not in tv:
        return [i, fv, True, "T"]
    return None


def structural(p: Pair) -> Literal | None:
    return _pick_applicable(p, STRUCTURAL)


def splits(p: Pair) -> Literal | None:
    return _pick_applicable(p, SPLITS)


def charclass(p: Pair) -> Literal | None:
    return _pick_applicable(p, CHARCLASS)


def distance(p: Pair) -> Literal | None:
    if p.tv == p.fv:
        return None
    if p.rng.random() < 0.5:
        d = int(p.kernels.lev([p.tv], p.fv)[0])
        return None if d == 0 else [p.i, [p.tv, d / 2], True, "LEV"]
    j = m.jac(p.tv, p.fv)
    return [p.i, [p.tv, (j + 1) / 2], True, "JAC"]


def similarity(p: Pair) -> Literal | None:
    if p.tv == p.fv:
        return None
    ref = p.tv if p.rng.random() < 0.5 else p.fv
    a, c = m.sim(p.tv, ref), m.sim(p.fv, ref)
    if a == c:
        return None
    return [p.i, [ref, mid(a, c)], a > c, "SIM"]


def positional(p: Pair) -> Literal | None:
    if p.tv == p.fv:
        return None
    if p.rng.random() < 0.5:
        return [p.i, [p.tv, (m.cpl(p.fv, p.tv) + len(p.tv)) / 2], True, "PFX"]
    return [p.i, [p.tv, (m.csl(p.fv, p.tv) + len(p.tv)) / 2], True, "SFX"]


def exact(p: Pair) -> Literal | None:
    if p.tv == p.fv:
        return None
    if p.rng.random() < 0.5:
        return [p.i, p.tv, False, "TEQ"]
    return [p.i, p.fv, True, "TEQ"]


def entropy(p: Pair) -> Literal | None:
    return _threshold_literal(p, "ent", "ENT")


def hexness(p: Pair) -> Literal | None:
    return _threshold_literal(p, "hex", "HEX")


def repeat(p: Pair) -> Literal | None:
    return _threshold_literal(p, "rep", "REP")


def midpoint(p: Pair) -> Literal | None:
    return [p.i, mid(p.f, p.t), bool(p.t > p.f), "N"]


def digits(p: Pair) -> Literal | None:
    return _threshold_literal(p, "digits", "ND")


def zscore(p: Pair) -> Literal | None:
    if p.stats is None:
        return midpoint(p)
    mean, std, _ = p.stats
    zt, zf = (p.t - mean) / std, (p.f - mean) / std
    if zt == zf:
        return None
    return [p.i, [mean, std, mid(zt, zf)], bool(zt > zf), "NZ"]


def _numeric_threshold(p: Pair, fn: Callable[[float], float], kind: str) -> Literal | None:
    a, b = fn(p.t), fn(p.f)
    if a == b:
        return None
    return [p.i, mid(a, b), bool(a > b), kind]


def log(p: Pair) -> Literal | None:
    return _numeric_threshold(p, m.slog, "NL")


def mag(p: Pair) -> Literal | None:
    return _numeric_threshold(p, magnitude, "NMG")


# -- the original oppose (§4.6.1) ---------------------------------------------------------


def _measure_option(p: Pair, kind: str, name: str) -> Callable[[], Literal | None] | None:
    a, b = p.measures(name)
    if a == b:
        return None
    return lambda: [p.i, mid(a, b), a > b, kind]


def original_text(p: Pair) -> Literal:
    """Structural-first half the time (TN, TLN, FA, TA, TWS, TPS, TSS), else tokens."""
    if p.rng.random() < 0.5:
        options = [_measure_option(p, kind, name) for kind, name in STRUCTURAL]
        fa, ta = _chars_missing(p.fv, p.tv), _chars_missing(p.tv, p.fv)
        options.append((lambda: [p.i, p.rng.choice(fa), True, "T"]) if fa else None)
        options.append((lambda: [p.i, p.rng.choice(ta), False, "T"]) if ta else None)
        options += [_measure_option(p, kind, name) for kind, name in SPLITS]
        live = [o for o in options if o is not None]
        if live:
            return p.rng.choice(live)()
    pool = _token_pool(p, 1)
    if pool:
        return p.rng.choice(pool)
    if p.tv not in p.fv:
        return [p.i, p.tv, False, "T"]
    return [p.i, p.fv, True, "T"]


# -- profiles (§4.6.3) --------------------------------------------------------------------

Block = Callable[[Pair], Literal | None]
PROFILE_TABLE: dict[str, tuple[str, tuple[tuple[Block, float], ...], tuple[Block, ...]]] = {
    "balanced": (
        "exclusive",
        ((substring, 0.167), (structural, 0.333), (splits, 0.5), (distance, 0.667),
         (positional, 0.833), (charclass, 1.0)),
        (substring,),
    ),
    "linguistic": (
        "exclusive",
        ((distance, 0.35), (positional, 0.55), (charclass, 0.70), (structural, 0.85),
         (splits, 0.95), (substring, 1.0)),
        (substring,),
    ),
    "industrial": (
        "cascade",
        ((substring, 0.40), (structural, 0.60), (splits, 0.75), (positional, 0.85),
         (charclass, 0.95)),
        (substring,),
    ),
    "cryptographic": (
        "exclusive",
        ((charclass, 0.15), (entropy, 0.25), (hexness, 0.30), (repeat, 0.35),
         (structural, 0.60), (distance, 0.75), (splits, 0.85), (positional, 0.95),
         (substring, 1.0)),
        (substring,),
    ),
    "categorical": (
        "cascade",
        ((splits, 0.30), (substring, 0.60), (structural, 0.75), (distance, 0.85),
         (positional, 0.95)),
        (substring,),
    ),
    "hef": (
        "cascade",
        ((similarity, 0.35), (exact, 0.50), (positional, 0.65), (distance, 0.78),
         (substring, 0.88), (charclass, 0.95)),
        (similarity, substring),
    ),
}  # fmt: skip
SCIENTIFIC_NUMERIC = ((midpoint, 0.40), (zscore, 0.60), (log, 0.75), (mag, 0.90))
_TABLES = [SCIENTIFIC_NUMERIC, *(table for _, table, _ in PROFILE_TABLE.values())]
_CUTS = {id(t): [cut for _, cut in t] for t in _TABLES}
_BLOCKS = {id(t): tuple(block for block, _ in t) for t in _TABLES}


def _first(blocks: tuple[Block, ...], p: Pair) -> Literal | None:
    for block in blocks:
        lit = block(p)
        if lit is not None:
            return lit
    return None


def _dispatch(style: str, table: tuple[tuple[Block, float], ...], fallback, p: Pair):
    """Exclusive: only the block ``r`` selects; cascade: it and every later block."""
    r = p.rng.random()
    start = bisect.bisect_right(_CUTS[id(table)], r)  # first block with r < cut-off
    if style == "exclusive":
        lit = table[start][0](p) if start < len(table) else None
    else:
        lit = _first(_BLOCKS[id(table)][start:], p)
    return lit if lit is not None else _first(fallback, p)


def _scientific_text(p: Pair) -> Literal | None:
    return _first((substring, structural), p)


def text_generator(profile: str) -> Block:
    """The profile's text literal generator, resolved once (KeyError if unknown)."""
    if profile == "scientific":
        return _scientific_text
    style, table, fallback = PROFILE_TABLE[profile]
    return partial(_dispatch, style, table, fallback)


def text_literal(profile: str, p: Pair) -> Literal | None:
    return text_generator(profile)(p)


# How ``numeric_literal`` treats each profile, as the fused clause kernel codes it
# (``_kernels.numeric_clause``): 1 balanced, 2 scientific, any other 0 (midpoint only).
NUMERIC_PROFILE = {"balanced": 1, "scientific": 2}


def numeric_literal(profile: str, p: Pair) -> Literal | None:
    if profile == "balanced":
        if p.rng.random() < 0.5:
            return midpoint(p)
        return digits(p) or midpoint(p)
    if profile == "scientific":
        return _dispatch("cascade", SCIENTIFIC_NUMERIC, (digits, midpoint), p)
    return midpoint(p)


# -- feature choice and the oppose functions ---------------------------------------------


def pick_feature(ds: Dataset, t_row: int, f_row: int, rng: random.Random) -> int | None:
    """A feature where the rows differ (NaN numbers never count), MI-weighted (§4.6).

    One uniform draw is always taken, so compiled and pure-Python kernels consume the
    same random stream.
    """
    i = ds.columns.kernels.pick_feature(ds.codes, ds.weights, t_row, f_row, rng.random())
    return None if i < 0 else i


def make_oppose(ds: Dataset, profile: str | None = None) -> Oppose:
    """The profile's ``opp(T, F)`` over row indices of ``ds``."""
    name = profile or ds.profile
    kinds = ds.datatypes
    pick, weights = ds.columns.kernels.pick_feature, ds.weights  # ``pick_feature``, unrolled
    known = name == "scientific" or name in PROFILE_TABLE
    text = text_generator(name) if known else partial(text_literal, name)  # fails on use

    def opp(t_row: int, f_row: int, rng: random.Random) -> Literal | None:
        i = pick(ds.codes, weights, t_row, f_row, rng.random())
        if i < 0:
            return None
        kind = kinds[i]
        if kind == "N":
            return numeric_literal(name, Pair(ds, i, t_row, f_row, rng))
        if kind == "T":
            return text(Pair(ds, i, t_row, f_row, rng))
        return None

    return opp


def original_oppose(ds: Dataset) -> Oppose:
    """The legacy generator, used as the clause builder's fallback."""

    def opp(t_row: int, f_row: int, rng: random.Random) -> Literal | None:
        i = pick_feature(ds, t_row, f_row, rng)
        if i is None:
            return None
        p = Pair(ds, i, t_row, f_row, rng)
        if ds.datatypes[i] == "N":
            return midpoint(p)
        return original_text(p)

    return opp
