"""Vectorised equals plain on random hand-made models that use all 29 literal types,
unknown types, empty and multi-clause conditions, several conditions per member,
ELSE-less chains (fallback routing) and empty chains."""

from __future__ import annotations

import math
import random

import pytest

from snakebatch.engine import Predictor
from snakebatch.engine.literals import LITERAL_TYPES
from snakebatch.engine.modelio import dumps_model, loads_model, model_from_dict
from snakebatch.engine.vectorised import FEW_ROWS

HEADER = ["y", "n1", "n2", "t1", "t2"]
DATATYPES = ["T", "N", "N", "T", "T"]
WORDS = [
    "",
    "a",
    "ab",
    "abc",
    "Mr. X",
    "PC 17",
    "deadbeef",
    "ababab",
    "Ünï",
    "😀x",
    "1,2.3",
    "a b c",
]
NUMBERS = [0.0, -0.0, 1.0, -1.5, 2.5, 1000.0, 1e-05, 1e16, math.inf, -math.inf, math.nan, 7]


def literal(rng: random.Random) -> list:
    kind = rng.choice([*LITERAL_TYPES, "ZZZ"])
    index = rng.randint(1, 4)
    num = rng.choice([0, 0.5, 1, 2.5, 3, -1.0, 0.25])
    word = rng.choice(WORDS)
    value = {
        "LEV": [word, num], "JAC": [word, num], "SIM": [word, num], "PFX": [word, num],
        "SFX": [word, num], "CFC": [{"a": 0.5, "b": 0.0005}, num], "NZ": [1.0, 2.0, num],
        "NRG": [-1.0, 2.5], "T": word, "TEQ": word, "TSW": word, "TEW": word, "ZZZ": word,
    }.get(kind, num)  # fmt: skip
    return [index, value, rng.random() < 0.5, kind]


def chain(rng: random.Random, n_rows: int) -> list:
    buckets = []
    for _ in range(rng.randint(0, 4)):
        condition = [literal(rng) for _ in range(rng.randint(0, 2))]
        buckets.append(condition)
    if rng.random() < 0.5:
        buckets.append(None)
    out = []
    for condition in buckets:
        members = rng.sample(range(n_rows), rng.randint(1, n_rows))
        clauses = [
            [literal(rng) for _ in range(rng.randint(0, 3))] for _ in range(rng.randint(0, 6))
        ]
        looks = {}
        for local in range(len(members)):
            conds = []
            for _ in range(rng.randint(0, 2)):
                k = rng.randint(0, min(2, len(clauses)))
                conds.append(sorted(rng.sample(range(len(clauses)), k)))
            looks[str(local)] = conds
        out.append(
            {"condition": condition, "members": members, "clauses": clauses, "lookalikes": looks}
        )
    return out


def random_model(seed: int):
    rng = random.Random(seed)
    n_rows = rng.randint(2, 12)
    targets = [rng.choice(["x", "y", "z"]) for _ in range(n_rows)]
    return model_from_dict(
        {
            "header": HEADER,
            "datatypes": DATATYPES,
            "targets": targets,
            "layers": [chain(rng, n_rows) for _ in range(rng.randint(1, 3))],
        }
    )


def random_query(rng: random.Random) -> dict:
    q = {}
    for h, kind in zip(HEADER[1:], DATATYPES[1:], strict=True):
        r = rng.random()
        if r < 0.15:
            continue
        pool = NUMBERS if kind == "N" else WORDS
        if r < 0.3:
            pool = [None, "", "abc", " 3 ", [1], 10**400, True, *NUMBERS, *WORDS]
        q[h] = rng.choice(pool)
    return q


@pytest.mark.parametrize("few_rows", [0, FEW_ROWS], ids=["masks", "row-by-row"])
@pytest.mark.parametrize("seed", range(200))
def test_vectorised_equals_plain_on_random_models(seed: int, few_rows: int) -> None:
    model = random_model(seed)
    predictor = Predictor(model)
    predictor.batch_model.few_rows = few_rows
    rng = random.Random(1000 + seed)
    queries = [random_query(rng) for _ in range(60)]
    answers = predictor.predict(queries)
    entries = predictor.batch_entries(queries)
    for q, answer, found in zip(queries, answers, entries, strict=True):
        plain = predictor.entries(q)
        assert found == plain, q
        assert answer == predictor.answer(plain), q


@pytest.mark.parametrize("seed", range(0, 200, 10))
def test_random_models_round_trip_through_the_writer(seed: int) -> None:
    model = random_model(seed)
    text = dumps_model(model)
    again = loads_model(text)
    assert dumps_model(again) == text
    rng = random.Random(seed)
    queries = [random_query(rng) for _ in range(30)]
    a, b = Predictor(model), Predictor(again)
    assert [a.entries(q) for q in queries] == [b.entries(q) for q in queries]
