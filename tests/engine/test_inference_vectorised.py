"""The vectorised batch path gives exactly the plain path's answers, on garbage too.

Queries are training rows of every fixture model, mutated at random: features
dropped, NaN, ±infinity, huge ints, unparsable or empty strings, None, bools,
containers, numbers under text features, unicode text, and unknown keys.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from snakebatch.engine import Predictor, load_model
from snakebatch.engine.vectorised import FEW_ROWS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
MODELS = sorted(FIXTURES.glob("*.model.json"))

GARBAGE = [
    math.nan, math.inf, -math.inf, 10**400, -(10**400), "", "  ", "abc", "nan", "-inf",
    " 7 ", "1_000", None, True, False, 0, -0.0, [1, 2], {"k": 1}, "😀 ünïcödé", "Mr.",
    "PC 17611", 25, 25.0, 1e-05, 1e16, "0x1F", "\x00",
]  # fmt: skip


def mutate(row: dict, rng: random.Random) -> dict:
    q = dict(row)
    for key in list(q):
        r = rng.random()
        if r < 0.15:
            del q[key]
        elif r < 0.35:
            q[key] = rng.choice(GARBAGE)
    if rng.random() < 0.1:
        q["not-a-feature"] = "x"
    return q


def queries_for(model, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = model.population
    out = [{}]
    out += [mutate(rng.choice(rows), rng) for _ in range(n)]
    out += [dict(r) for r in rng.sample(rows, min(40, len(rows)))]
    return out


@pytest.mark.parametrize("few_rows", [0, FEW_ROWS], ids=["masks", "row-by-row"])
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_vectorised_equals_plain_on_mutated_queries(path: Path, few_rows: int) -> None:
    model = load_model(path)
    predictor = Predictor(model)
    predictor.batch_model.few_rows = few_rows
    queries = queries_for(model, 150, seed=len(path.name))
    batch_answers = predictor.predict(queries)
    batch_entries = predictor.batch_entries(queries)
    for q, answer, entries in zip(queries, batch_answers, batch_entries, strict=True):
        plain = predictor.entries(q)
        assert entries == plain, q
        assert answer == predictor.answer(plain), q


def test_counts_equal_sum_of_entries() -> None:
    model = load_model(MODELS[0])
    predictor = Predictor(model)
    queries = queries_for(model, 30, seed=1)
    counts = predictor.batch_counts(queries)
    for row, q in zip(counts.tolist(), queries, strict=True):
        assert row == predictor.compiled.counts(predictor.entries(q))
