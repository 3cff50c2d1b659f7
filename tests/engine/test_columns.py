"""The columnar evaluator equals the scalar evaluator on every literal type and row shape."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snakebatch.engine import _kernels_py, columns
from snakebatch.engine.columns import ColumnStore
from snakebatch.engine.literals import LITERAL_TYPES, holds

HEADER = ["y", "a", "b", "c"]
PATHS = [False, True] if columns._compiled is not None else [False]

ALPHABET = "ab AB0123.,-/:'\"é²𝔘\t_xyzE"
texts = st.text(alphabet=ALPHABET, max_size=12)
long_texts = st.text(alphabet="ab", min_size=250, max_size=300)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1.0, 25.0, 1e-05, 1e16, 1000.0, math.nan, math.inf, -math.inf]
)
ints = st.integers(-20, 20) | st.integers(-(2**70), 2**70)
values = st.one_of(
    texts,
    floats,
    ints,
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from("kq"), st.integers(0, 2), max_size=1),
    long_texts,
)


@st.composite
def rows(draw):
    n = draw(st.integers(1, 12))
    out = []
    for _ in range(n):
        row = {"y": 0}
        for name in HEADER[1:]:
            if draw(st.integers(0, 5)):
                row[name] = draw(values)
        out.append(row)
    return out


def _threshold(draw):
    return draw(
        st.one_of(
            st.integers(-3, 30),
            st.floats(-5, 30, allow_nan=False),
            st.sampled_from([math.nan, math.inf, -math.inf, 0.5, 2**60 + 1, True, "x", None]),
        )
    )


@st.composite
def literal_values(draw, kind, pool):
    """A literal value in the type's layout (usually), drawn near the data."""
    ref = draw(st.sampled_from(pool)) if pool and draw(st.booleans()) else draw(texts)
    thr = _threshold(draw)
    if draw(st.integers(0, 15)) == 0:  # a malformed layout now and then
        return draw(st.one_of(st.none(), st.integers(), texts, st.lists(st.integers(), max_size=1)))
    if kind in ("T", "TEQ", "TSW", "TEW"):
        return ref if draw(st.integers(0, 5)) else draw(st.one_of(st.integers(0, 3), st.none()))
    if kind in ("LEV", "JAC", "SIM", "PFX", "SFX"):
        return [ref, thr]
    if kind == "CFC":
        freqs = {c: draw(st.floats(0, 1)) for c in ref[:4]}
        return [freqs, draw(st.floats(0, 50))]
    if kind == "NZ":
        return [
            draw(st.one_of(st.floats(-10, 10), st.integers(-3, 3))),
            draw(st.sampled_from([0, 0.0, -0.0, 1, 2.5, 1e-10, 7])),
            thr,
        ]
    if kind == "NRG":
        return [draw(st.floats(-10, 10)), draw(st.floats(-10, 10))]
    if kind == "NZR":
        return 0
    return thr


@st.composite
def cases(draw, kind):
    data = draw(rows())
    pool = [str(r[k]) for r in data for k in HEADER[1:] if k in r]
    index = draw(st.integers(1, len(HEADER) - 1))
    literal = [index, draw(literal_values(kind, pool)), draw(st.booleans()), kind]
    idx = draw(st.lists(st.integers(0, len(data) - 1), max_size=20))
    return data, literal, idx


def _scalar(literal, data, idx):
    try:
        return [bool(holds(literal, data[i], HEADER)) for i in idx], None
    except Exception as exc:
        return None, exc


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize("kind", [*LITERAL_TYPES, "XYZ"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mask_equals_scalar_holds(kind, compiled, data):
    rows_, literal, idx = data.draw(cases(kind))
    store = ColumnStore(HEADER, ["T", "N", "T", "T"], rows_, compiled=compiled)
    expected, error = _scalar(literal, rows_, idx)
    if error is not None:
        with pytest.raises(type(error)):
            store.mask(literal, np.array(idx, dtype=np.intp))
        return
    got = store.mask(literal, np.array(idx, dtype=np.intp))
    assert got.dtype == bool
    assert got.tolist() == expected
    # second call hits the cache and must agree too; None means every row
    full, full_error = _scalar(literal, rows_, range(len(rows_)))
    if full_error is None:
        assert store.mask(literal).tolist() == full


def test_missing_key_is_false_in_both_polarities():
    store = ColumnStore(HEADER, ["T", "N", "T", "T"], [{"y": 1}, {"y": 0, "a": 3.0}])
    for negated in (False, True):
        for kind in LITERAL_TYPES:
            got = store.mask([1, 1.5, negated, kind], np.array([0]))
            assert got.tolist() == [False], kind


def test_nan_numeric_literals_false_both_ways_but_nzr_and_nrg():
    store = ColumnStore(HEADER, ["T", "N", "T", "T"], [{"a": math.nan}])
    assert not store.mask([1, 1.0, False, "N"])[0]
    assert not store.mask([1, 1.0, True, "N"])[0]
    assert store.mask([1, 0, True, "NZR"])[0]
    assert store.mask([1, [0.0, 1.0], False, "NRG"])[0]


def test_unicode_measures_count_code_points():
    store = ColumnStore(HEADER, ["T", "T", "T", "T"], [{"a": "𝔘é²"}])
    assert store.mask([1, 3, True, "TN"])[0]  # three code points
    assert store.mask([1, 1, True, "TDC"])[0]  # superscript two is a digit


def test_row_positions_are_checked():
    store = ColumnStore(HEADER, ["T"] * 4, [{"a": "x"}, {"a": "y"}])
    assert store.mask([1, "y", False, "T"], [-1, 0]).tolist() == [True, False]
    assert store.mask([1, "y", False, "T"], []).tolist() == []
    with pytest.raises(IndexError):
        store.mask([1, "y", False, "T"], [2])
    with pytest.raises(IndexError):
        store.mask([1, "y", False, "T"], [-3])
    with pytest.raises(TypeError):
        store.mask([1, "y", False, "T"], [0.5])


def test_bad_index_raises_like_scalar():
    store = ColumnStore(HEADER, ["T"] * 4, [{"a": "x"}])
    with pytest.raises(IndexError):
        store.mask([9, "x", False, "T"])


@pytest.mark.skipif(columns._compiled is None, reason="compiled kernels not built")
@settings(max_examples=200, deadline=None)
@given(strs=st.lists(texts | long_texts, max_size=6), ref=texts | long_texts)
def test_compiled_kernels_equal_fallback(strs, ref):
    compiled = columns._compiled
    for name in ("contains", "equals", "startswith", "endswith", "lev", "jac", "sim", "cpl", "csl"):
        a = getattr(compiled, name)(strs, ref)
        b = getattr(_kernels_py, name)(strs, ref)
        assert a.tolist() == b.tolist(), name
    for limit in (0.0, 1.5, 3.0, 10.0, float("nan")):
        a = compiled.lev_at_most(strs, ref, limit)
        assert a.tolist() == _kernels_py.lev_at_most(strs, ref, limit).tolist()
    freqs = {c: 0.25 for c in ref[:3]}
    assert compiled.chi(strs, freqs).tolist() == _kernels_py.chi(strs, freqs).tolist()


def test_forcing_compiled_when_unbuilt_is_an_import_error(monkeypatch):
    monkeypatch.setattr(columns, "_compiled", None)
    with pytest.raises(ImportError):
        columns.kernels(True)
    assert columns.kernels(None) is _kernels_py


@pytest.mark.skipif(columns._compiled is None, reason="compiled kernels not built")
@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 8),
    m=st.integers(1, 6),
    data=st.data(),
)
def test_compiled_row_kernels_equal_fallback(n, m, data):
    compiled = columns._compiled
    codes = np.array(
        data.draw(
            st.lists(st.lists(st.integers(-1, 2), min_size=m, max_size=m), min_size=n, max_size=n)
        ),
        dtype=np.int32,
    )
    weights = np.array(data.draw(st.lists(st.floats(1e-4, 3), min_size=m, max_size=m)))
    t, f = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
    r = data.draw(st.floats(0, 1, exclude_max=True))
    assert compiled.pick_feature(codes, weights, t, f, r) == _kernels_py.pick_feature(
        codes, weights, t, f, r
    )
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=10)), dtype=np.intp)
    values = np.array(data.draw(st.lists(floats, min_size=n, max_size=n)))
    ok = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))).view(np.uint8)
    thr = data.draw(floats)
    for neg in (False, True):
        mu, sd = data.draw(floats), data.draw(st.sampled_from([0.0, -0.0, 1.0, 2.5, math.inf]))
        a0 = compiled.zscore_mask(values, ok, rows, mu, sd, thr, neg)
        assert a0.tolist() == _kernels_py.zscore_mask(values, ok, rows, mu, sd, thr, neg).tolist()
        a = compiled.threshold_mask(values, ok, rows, thr, neg)
        b = _kernels_py.threshold_mask(values, ok, rows, thr, neg)
        assert a.dtype == b.dtype == bool and a.tolist() == b.tolist()
        state = np.array(
            data.draw(st.lists(st.integers(0, 2), min_size=3, max_size=3)), dtype=np.uint8
        )
        row_codes = np.array(
            data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), dtype=np.intp
        )
        a2, b2 = (
            compiled.gather_state(state, row_codes, ok, rows),
            _kernels_py.gather_state(state, row_codes, ok, rows),
        )
        assert a2[0].tolist() == b2[0].tolist() and a2[1] == b2[1]
        measure = np.array(
            data.draw(st.lists(st.sampled_from([-1.0, 0.0, 0.5, 2.0, 7.0]), min_size=3, max_size=3))
        )
        a3 = compiled.gather_measure(measure, row_codes, ok, rows, thr, neg)
        b3 = _kernels_py.gather_measure(measure, row_codes, ok, rows, thr, neg)
        assert a3[0].tolist() == b3[0].tolist() and a3[1] == b3[1]


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize(
    ("strs", "ref", "limit", "expected"),
    [
        (["0", "ab"], "0", -math.inf, [False, False]),  # no distance is ≤ -inf
        (["abc", ""], "xyz", 1e300, [True, True]),  # every distance is ≤ a huge limit
        (["abc"], "xyz", math.inf, [True]),
        (["kitten"], "sitting", 2.9, [False]),
        (["kitten"], "sitting", 3.0, [True]),
    ],
)
def test_lev_at_most_with_extreme_limits(compiled, strs, ref, limit, expected):
    """The bounded DP's early exit must exceed any limit (``limit + 1`` does not)."""
    assert columns.kernels(compiled).lev_at_most(strs, ref, limit).tolist() == expected


@pytest.mark.skipif(columns._compiled is None, reason="compiled kernels not built")
@settings(max_examples=300, deadline=None)
@given(
    strs=st.lists(st.text(alphabet="abcé€ \U0001f600", min_size=0, max_size=90), max_size=5),
    ref=st.text(alphabet="abcé€ \U0001f600", min_size=0, max_size=90),
)
def test_bit_parallel_levenshtein_equals_the_table(strs, ref):
    """Patterns of 1–64 characters take the one-word bit-parallel path: across that
    boundary, with repeated and non-ASCII characters, it gives the table's distance."""
    compiled = columns._compiled
    assert compiled.lev(strs, ref).tolist() == _kernels_py.lev(strs, ref).tolist()
    for limit in (0.0, 2.5, 7.0):
        got = compiled.lev_at_most(strs, ref, limit).tolist()
        assert got == _kernels_py.lev_at_most(strs, ref, limit).tolist()
