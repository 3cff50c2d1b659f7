"""The fused numeric clause kernel builds exactly the generic path's clauses, on both
kernel implementations, and the one-call layer verification finds the same violation."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snakebatch.engine import _kernels_py, columns
from snakebatch.engine.chain import build_chain
from snakebatch.engine.columns import ColumnStore
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.errors import LayerVerificationError
from snakebatch.engine.generators import make_oppose, original_oppose
from snakebatch.engine.sat import Bucket, construct_clause, local_sat
from snakebatch.engine.train import fit
from snakebatch.engine.verify import check_bucket, clause_truth

PATHS = [False, True] if columns._compiled is not None else [False]
NEXT = math.nextafter(1.0, 2.0)  # midpoint of 1.0 and NEXT rounds onto one of them
SPECIAL = [0.0, -0.0, 1.0, NEXT, 12.5, -3.25, 1e-5, 1e16, 1e308, math.nan, math.inf, -math.inf]


def _numeric_rows(n: int, seed: int) -> tuple[list[dict], list[int]]:
    """Three noisy classes over four numeric features, with NaNs, repeats (equal slog,
    magnitude and digit counts), conflicting duplicates and near-equal values."""
    rng = random.Random(seed)
    rows, targets = [], []
    for j in range(n):
        y = rng.randrange(3)
        row = {
            "y": y,
            "a": round(rng.gauss(y, 1.0), 2),
            "b": rng.choice([1.0, NEXT, 2.0, 40.0, 41.0]),
            "c": math.nan if rng.random() < 0.1 else float(rng.randrange(-5, 500)),
            "d": rng.gauss(0, 1) * 10 ** rng.randrange(-3, 4),
        }
        if j % 17 == 0 and rows:  # same features as an earlier row, maybe another class
            row = {**rows[-1], "y": y}
        rows.append(row)
        targets.append(y)
    return rows, targets


def _dataset(profile: str, compiled: bool, stats: bool = True, n: int = 160) -> Dataset:
    rows, targets = _numeric_rows(n, seed=len(profile))
    return Dataset(
        ["y", "a", "b", "c", "d"],
        ["I", "N", "N", "N", "N"],
        targets,
        rows,
        profile=profile,
        column_stats=None if stats else {},
        compiled=compiled,
    )


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize(
    ("profile", "stats"),
    [("scientific", True), ("scientific", False), ("balanced", True), ("industrial", True)],
)
@pytest.mark.parametrize("lookahead", [1, 5])
def test_fused_chain_equals_generic_chain(compiled, profile, stats, lookahead):
    ds = _dataset(profile, compiled, stats)
    assert Bucket(ds, np.arange(ds.n), fused=True).block is not None, "the fused path must run"
    kwargs = {"bucket": 40, "noise": 0.25, "lookahead": lookahead}
    fused = build_chain(ds, range(ds.n), rng=random.Random(5), **kwargs)
    generic = build_chain(ds, range(ds.n), rng=random.Random(5), fused=False, **kwargs)
    assert fused == generic
    assert len(fused) > 1 and sum(len(b["clauses"]) for b in fused) > 10
    kinds = {lit[3] for b in fused for c in b["clauses"] for lit in c}
    if profile == "scientific":
        assert {"N", "NL", "NMG", "ND"} <= kinds and ("NZ" in kinds) == stats


def test_compiled_and_pure_python_fused_chains_are_equal():
    if len(PATHS) < 2:
        pytest.skip("compiled kernels not built")
    chains = [
        build_chain(
            _dataset("scientific", compiled),
            range(160),
            bucket=40,
            noise=0.25,
            lookahead=5,
            rng=random.Random(11),
        )
        for compiled in PATHS
    ]
    assert chains[0] == chains[1]


@st.composite
def numeric_buckets(draw):
    n = draw(st.integers(2, 14))
    width = draw(st.integers(1, 3))
    value = st.sampled_from(SPECIAL) | st.floats(-50, 50)
    rows, targets = [], []
    for _ in range(n):
        y = draw(st.integers(0, 2))
        rows.append({"y": y, **{f"x{i}": draw(value) for i in range(width)}})
        targets.append(y)
    return rows, targets, width


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bucket=numeric_buckets(),
    profile=st.sampled_from(["scientific", "balanced", "categorical"]),
    lookahead=st.integers(1, 4),
    seed=st.integers(0, 2**32),
)
def test_fused_clause_equals_generic_on_odd_values(bucket, profile, lookahead, seed):
    """Infinities, NaN, ±0 and adjacent floats: every kernel gives the generic clause and
    leaves the random stream in the same state."""
    rows, targets, width = bucket
    header = ["y", *(f"x{i}" for i in range(width))]
    results = []
    for compiled, fused in [(False, False), *((c, True) for c in PATHS)]:
        ds = Dataset(
            header, ["I"] + ["N"] * width, targets, rows, profile=profile, compiled=compiled
        )
        members = np.arange(len(rows))
        b = Bucket(ds, members, fused=fused)
        assert (b.block is not None) == fused
        classes = np.unique(b.y)
        if len(classes) < 2:
            return
        ts = np.flatnonzero(b.y != classes[0])
        f = int(np.flatnonzero(b.y == classes[0])[0])
        rng = random.Random(seed)
        built = construct_clause(b, f, ts, make_oppose(ds), original_oppose(ds), lookahead, rng)
        clause = None if built is None else (built[0], built[1].tolist())
        sat = local_sat(b, make_oppose(ds), original_oppose(ds), lookahead, rng)
        results.append((clause, sat[0], sat[1], sat[2].tolist(), rng.getstate()))
    assert all(r == results[0] for r in results[1:])


def test_fused_path_needs_floats_in_every_numeric_cell():
    ok = [{"y": i % 2, "a": float(i)} for i in range(6)]
    assert Bucket(_plain(ok), np.arange(6), fused=True).block is not None
    assert Bucket(_plain(ok), np.arange(6)).block is None  # only when the caller asks
    ints = [{"y": i % 2, "a": i} for i in range(6)]
    assert Bucket(_plain(ints), np.arange(6), fused=True).block is None
    missing = [{"y": i % 2, "a": float(i)} if i else {"y": 0} for i in range(6)]
    assert ColumnStore(["y", "a"], ["I", "N"], missing).numeric_table() is None
    assert ColumnStore(["y", "a"], ["I", "N"], ok).numeric_table() is not None
    text = [{"y": i % 2, "a": float(i), "t": "x"} for i in range(6)]
    ds = Dataset(["y", "a", "t"], ["I", "N", "T"], [r["y"] for r in text], text, profile="balanced")
    assert Bucket(ds, np.arange(6), fused=True).block is None
    int_stats = _plain(ok, column_stats={1: (2, 1, 2)})
    assert Bucket(int_stats, np.arange(6), fused=True).block is None


def _plain(rows: list[dict], **kwargs) -> Dataset:
    return Dataset(
        ["y", "a"], ["I", "N"], [r["y"] for r in rows], rows, profile="scientific", **kwargs
    )


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 2**70), seed=st.integers(0, 2**32))
def test_randbelow_draws_as_randrange(n, seed):
    a, b = random.Random(seed), random.Random(seed)
    assert [_kernels_py.randbelow(a, n) for _ in range(5)] == [b.randrange(n) for _ in range(5)]
    assert a.getstate() == b.getstate()


@pytest.mark.parametrize("compiled", PATHS)
def test_numeric_clause_rejects_positions_outside_the_bucket(compiled):
    ds = _dataset("scientific", compiled, n=20)
    b = Bucket(ds, np.arange(ds.n), fused=True)
    k = ds.columns.kernels
    with pytest.raises(IndexError):
        k.numeric_clause(b.block, np.array([0, 99], dtype=np.intp), 1, 5, 8, random.Random(0))
    with pytest.raises(IndexError):
        k.numeric_clause(b.block, np.array([0], dtype=np.intp), -1, 5, 8, random.Random(0))


# -- verification -----------------------------------------------------------------------


@st.composite
def contracts(draw):
    s = draw(st.integers(1, 9))
    width = draw(st.integers(0, 5))
    truth = np.array(
        draw(
            st.lists(
                st.lists(st.booleans(), min_size=width, max_size=width), min_size=s, max_size=s
            )
        ),
        dtype=np.uint8,
    ).reshape(s, width)
    y = np.array(draw(st.lists(st.integers(0, 2), min_size=s, max_size=s)), dtype=np.intp)
    clause = st.lists(st.integers(0, width - 1), max_size=3) if width else st.just([])
    conds = [(p, draw(clause)) for p in draw(st.lists(st.integers(0, s - 1)))]
    return truth, y, conds


@pytest.mark.skipif(columns._compiled is None, reason="compiled kernels not built")
@settings(max_examples=300, deadline=None)
@given(contract=contracts())
def test_first_violation_compiled_equals_fallback(contract):
    truth, y, conds = contract
    owners = np.array([p for p, _ in conds], dtype=np.intp)
    starts = np.cumsum([0, *(len(c) for _, c in conds)]).astype(np.intp)
    flat = np.array([j for _, c in conds for j in c], dtype=np.intp)
    got = columns._compiled.first_violation(truth, y, owners, starts, flat)
    assert got == _kernels_py.first_violation(truth, y, owners, starts, flat)
    # and the definition: the first condition some other-class member falsifies entirely
    expected = (-1, -1)
    for r, (p, cond) in enumerate(conds):
        bad = [x for x in range(len(y)) if y[x] != y[p] and not any(truth[x, cond])]
        if bad:
            expected = (r, bad[0])
            break
    assert got == expected


@pytest.fixture(scope="module")
def trained():
    ds = _dataset("scientific", None)
    return ds, build_chain(
        ds, range(ds.n), bucket=40, noise=0.25, lookahead=5, rng=random.Random(2)
    )


@pytest.mark.parametrize("compiled", PATHS)
def test_check_bucket_names_the_first_wrong_class_lookalike(trained, compiled):
    ds, chain = trained
    ds = _dataset("scientific", compiled)
    b = next(b for b in chain if len(b["clauses"]) > 1)
    members = np.array(b["members"], dtype=np.intp)
    truth = clause_truth(ds, b["clauses"], members)
    check_bucket(ds, b, truth)  # the trained bucket keeps the contract
    broken = {**b, "lookalikes": {**b["lookalikes"], "3": [[]]}}
    other = int(np.flatnonzero(ds.y[members] != ds.y[members[3]])[0])
    with pytest.raises(LayerVerificationError, match=rf"row {members[other]} .* condition \[\]"):
        check_bucket(ds, broken, truth, "here")


@pytest.mark.parametrize(
    ("key", "cond", "message"),
    [
        ("0", [99], "outside"),
        ("0", [-1], "outside"),
        ("1", [0, "x"], "outside"),
        ("1", [0.5], "outside"),
        ("9999", [0], "not a member"),
    ],
)
def test_check_bucket_malformed_conditions_are_typed_errors(trained, key, cond, message):
    ds, chain = trained
    b = chain[0]
    truth = clause_truth(ds, b["clauses"], np.array(b["members"], dtype=np.intp))
    broken = {**b, "lookalikes": {**b["lookalikes"], key: [cond]}}
    with pytest.raises(LayerVerificationError, match=message):
        check_bucket(ds, broken, truth)


def test_fused_models_do_not_depend_on_workers():
    rows, _ = _numeric_rows(120, seed=4)
    one = fit(rows, n_layers=2, bucket=30, seed=9)
    two = fit(rows, n_layers=2, bucket=30, seed=9, workers=2)
    assert one.config["oppose_profile"] == "scientific"
    assert one.layers == two.layers
