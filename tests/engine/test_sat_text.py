"""The text/mixed clause kernel (``text_clause``): the compiled and the pure-Python
implementations build the same clauses from the same random stream, on every profile,
and every literal the compiled evaluator plans answers as ``ColumnStore.mask_rows``."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snakebatch.engine import columns
from snakebatch.engine.chain import build_chain
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.generators import PROFILE_TABLE, make_oppose, original_oppose
from snakebatch.engine.sat import FALLBACK_TRIES

COMPILED = columns._compiled is not None
needs_compiled = pytest.mark.skipif(not COMPILED, reason="compiled kernels not built")
PROFILES = [*PROFILE_TABLE, "scientific"]
WORDS = ["alpha", "Beta", "gam-ma", "x/y", "o'neil", 'say "hi"', "42", "ÆØÅ", "", "a b:c"]


def _mixed_rows(n: int, seed: int) -> tuple[list[dict], list[int]]:
    """Free text (some empty), categories, numbers (floats, ints, NaN), three classes; a
    text column also holds numbers, so renderings of both kinds meet."""
    rng = random.Random(seed)
    rows, targets = [], []
    for _ in range(n):
        y = rng.randrange(3)
        row = {
            "y": y,
            "name": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 4))) + str(y),
            "cat": rng.choice("ABCD") if rng.random() > 0.2 * y else 7,
            "num": math.nan if rng.random() < 0.05 else round(rng.gauss(y, 2), 2),
            "count": rng.randrange(0, 40),
        }
        if rng.random() < 0.1:
            row["name"] = ""
        rows.append(row)
        targets.append(y)
    return rows, targets


def _dataset(profile: str, compiled: bool, n: int = 150, seed: int = 3) -> Dataset:
    rows, targets = _mixed_rows(n, seed)
    return Dataset(
        ["y", "name", "cat", "num", "count"],
        ["I", "T", "T", "N", "N"],
        targets,
        rows,
        profile=profile,
        compiled=compiled,
    )


@needs_compiled
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("lookahead", [1, 5])
def test_compiled_text_chain_equals_pure_python_chain(profile, lookahead):
    chains = []
    for compiled in (False, True):
        ds = _dataset(profile, compiled)
        rng = random.Random(9)
        chain = build_chain(ds, range(ds.n), bucket=40, noise=0.25, lookahead=lookahead, rng=rng)
        chains.append((chain, rng.getstate()))
    assert chains[0] == chains[1]
    chain = chains[0][0]
    assert len(chain) > 1 and sum(len(b["clauses"]) for b in chain) > 10


# -- literal by literal: the evaluator's plans against ``mask_rows`` -----------------------


def _literal(draw, width: int) -> list:
    """Any literal: generated shapes, and odd ones the compiled kernel must hand back."""
    kind = draw(st.sampled_from(sorted(columns.TEXT_KINDS | columns.NUMERIC_KINDS | {"NZR"})))
    index = draw(st.integers(1, width - 1))
    word = st.sampled_from(WORDS) | st.text(max_size=4)
    number = st.floats(-5, 60) | st.sampled_from([math.nan, 0.5, 2]) | st.integers(-3, 30)
    value = draw(
        st.one_of(
            number,
            word,
            st.lists(word | number, min_size=2, max_size=3),
            st.tuples(word, number).map(list),
            st.tuples(number, number, number).map(list),
        )
    )
    return [index, value, draw(st.booleans()), kind]


class _Drawn:
    """An ``opp`` that returns literals drawn in advance (None included), in order."""

    def __init__(self, lits: list) -> None:
        self.lits = lits
        self.at = 0

    def __call__(self, t: int, f: int, rng: random.Random) -> list | None:
        rng.random()  # a generator consumes the stream: both kernels must follow it
        lit = self.lits[self.at % len(self.lits)]
        self.at += 1
        return lit


@needs_compiled
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**32), lookahead=st.integers(1, 4))
def test_text_clause_with_any_literals_equals_pure_python(data, seed, lookahead):
    """Odd literal values (int or NaN thresholds, lists of the wrong length, numbers as
    references) and kinds the evaluator leaves to ``mask_rows`` (CFC, NRG, NZR)."""
    lits = data.draw(st.lists(st.none() | st.builds(list), min_size=1, max_size=1))
    lits = [None if x is None else _literal(data.draw, 5) for x in lits]
    lits += [_literal(data.draw, 5) for _ in range(data.draw(st.integers(1, 12)))]
    results = []
    for compiled in (False, True):
        ds = _dataset("balanced", compiled, n=40, seed=seed % 7)
        members = np.array(sorted(random.Random(seed).sample(range(40), 25)), dtype=np.intp)
        y = ds.y[members]
        ts = np.flatnonzero(y != y[0])
        rng = random.Random(seed)
        opp, fallback = _Drawn(lits), _Drawn(lits[::-1])
        try:
            built = ds.columns.kernels.text_clause(
                ds.columns, members, ts, 0, opp, fallback, lookahead, FALLBACK_TRIES, rng
            )
        except Exception as exc:  # nonsense values: whatever the scalar evaluator raises
            built = type(exc)
        clause = (
            built if built is None or isinstance(built, type) else (built[0], built[1].tolist())
        )
        results.append((clause, rng.getstate(), opp.at, fallback.at))
    assert results[0] == results[1]


@pytest.mark.parametrize("compiled", [False, True] if COMPILED else [False])
def test_text_clause_rejects_positions_outside_the_bucket(compiled):
    ds = _dataset("balanced", compiled, n=20)
    k, members = ds.columns.kernels, np.arange(20, dtype=np.intp)
    opp, fallback = make_oppose(ds), original_oppose(ds)
    for ts, f in [(np.array([0, 99], dtype=np.intp), 1), (np.array([0], dtype=np.intp), -1)]:
        with pytest.raises(IndexError):
            k.text_clause(ds.columns, members, ts, f, opp, fallback, 5, 8, random.Random(0))


@needs_compiled
def test_text_clause_needs_position_arrays():
    ds = _dataset("balanced", True, n=20)
    members = np.arange(20, dtype=np.int32)
    with pytest.raises(ValueError, match="members"):
        ds.columns.kernels.text_clause(
            ds.columns,
            members,
            np.array([1], dtype=np.intp),
            0,
            make_oppose(ds),
            original_oppose(ds),
            5,
            8,
            random.Random(0),
        )
