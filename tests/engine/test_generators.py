"""Literal generators (spec §4.6): orientation on their pair, and each profile's blocks."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.engine import generators as g
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.literals import holds

WORDS = st.text(alphabet="abAB01 ,.-/:'x", min_size=0, max_size=10)
# blocks whose literal is true on T and false on F by construction
EXACT_BLOCKS = [
    g.substring, g.structural, g.splits, g.charclass, g.exact, g.similarity,
    g.digits, g.original_text,
]  # fmt: skip


def _pair_dataset(t, f, kind):
    rows = [{"y": "T", "x": t}, {"y": "F", "x": f}]
    return Dataset(["y", "x"], ["T", kind], ["T", "F"], rows, profile="balanced", seed=0)


@settings(max_examples=150, deadline=None)
@given(tv=WORDS, fv=WORDS, seed=st.integers(0, 2**16))
def test_text_blocks_are_true_on_t_and_false_on_f(tv, fv, seed):
    if tv == fv:
        return  # generators only ever see features where the rows differ
    ds = _pair_dataset(tv, fv, "T")
    for block in [*EXACT_BLOCKS, g.distance, g.positional]:
        lit = block(g.Pair(ds, 1, 0, 1, random.Random(seed)))
        if lit is None:
            continue
        on_t, on_f = holds(lit, ds.rows[0], ds.header), holds(lit, ds.rows[1], ds.header)
        if block in (g.distance, g.positional) and lit[3] in ("JAC", "PFX", "SFX"):
            continue  # may hold on F (same bigram set, F extends T); the callers' guard drops it
        assert on_t and not on_f, (block.__name__, lit)


@settings(max_examples=150, deadline=None)
@given(
    t=st.floats(-1e6, 1e6, allow_nan=False),
    f=st.floats(-1e6, 1e6, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_numeric_blocks_are_true_on_t_and_false_on_f(t, f, seed):
    if abs(t - f) < 1e-6 * max(1.0, abs(t), abs(f)):
        return  # adjacent doubles: the midpoint may equal one side (guarded by callers)
    ds = _pair_dataset(t, f, "N")
    ds.column_stats = {1: (0.5, 2.0, 0.0)}
    for block in (g.midpoint, g.zscore, g.log, g.mag, g.digits):
        lit = block(g.Pair(ds, 1, 0, 1, random.Random(seed)))
        if lit is None:
            continue
        assert holds(lit, ds.rows[0], ds.header), (block.__name__, lit)
        assert not holds(lit, ds.rows[1], ds.header), (block.__name__, lit)


PROFILE_KINDS = {
    "balanced": {"T", "TN", "TLN", "TWS", "TPS", "TSS", "LEV", "JAC", "PFX", "SFX", "TUC", "TDC", "TSC"},
    "linguistic": {"T", "TN", "TLN", "TWS", "TPS", "TSS", "LEV", "JAC", "PFX", "SFX", "TUC", "TDC", "TSC"},
    "industrial": {"T", "TN", "TLN", "TWS", "TPS", "TSS", "PFX", "SFX", "TUC", "TDC", "TSC"},
    "cryptographic": {"T", "TN", "TLN", "TWS", "TPS", "TSS", "LEV", "JAC", "PFX", "SFX", "TUC", "TDC", "TSC", "ENT", "HEX", "REP"},
    "categorical": {"T", "TN", "TLN", "TWS", "TPS", "TSS", "LEV", "JAC", "PFX", "SFX"},
    "hef": {"SIM", "TEQ", "PFX", "SFX", "LEV", "JAC", "T", "TUC", "TDC", "TSC"},
    "scientific": {"T", "TN", "TLN"},
}  # fmt: skip


@pytest.mark.parametrize("profile", sorted(PROFILE_KINDS))
def test_each_profile_draws_its_own_blocks(profile):
    rng = random.Random(1)
    words = ["Alpha-1, b.c", "beta/22 X", "GAMMA:3.", "d e f", "0xDEADbeef", "zz", "q.q.q,q"]
    rows = [{"y": str(i % 2), "x": w} for i, w in enumerate(words)]
    ds = Dataset(["y", "x"], ["B", "T"], [i % 2 for i in range(len(words))], rows, profile=profile)
    opp = g.make_oppose(ds)
    kinds = set()
    for _ in range(3000):
        t, f = rng.sample(range(len(words)), 2)
        lit = opp(t, f, rng)
        if lit is not None:
            kinds.add(lit[3])
    assert kinds <= PROFILE_KINDS[profile]
    assert len(kinds) >= len(PROFILE_KINDS[profile]) - 2  # nearly every block shows up


def test_scientific_numeric_cascade_uses_all_numeric_blocks():
    rng = random.Random(2)
    rows = [
        {"y": i % 2, "x": float(v)} for i, v in enumerate([0.5, 3.0, 12.0, 150.0, 2500.0, -7.0])
    ]
    ds = Dataset(["y", "x"], ["B", "N"], [r["y"] for r in rows], rows, profile="scientific")
    opp = g.make_oppose(ds)
    kinds = {opp(*rng.sample(range(6), 2), rng)[3] for _ in range(2000)}
    assert kinds == {"N", "NZ", "NL", "NMG", "ND"}


def test_no_feature_differs_gives_nothing():
    rows = [{"y": "a", "x": "same"}, {"y": "b", "x": "same"}]
    ds = Dataset(["y", "x"], ["T", "T"], ["a", "b"], rows, profile="balanced")
    assert g.make_oppose(ds)(0, 1, random.Random(0)) is None
    assert g.original_oppose(ds)(0, 1, random.Random(0)) is None
