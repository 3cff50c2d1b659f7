"""The prefix-tree router and the clause table answer exactly what the chain rule and
the scalar literal evaluator answer: on the reference fixtures, and on random chains
whose conditions share prefixes the way mesh-assembled ones do."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.engine import load_model
from snakebatch.engine.clause_table import ClauseTable
from snakebatch.engine.columns import ColumnStore
from snakebatch.engine.literals import clause_holds, holds
from snakebatch.engine.queries import normalise
from snakebatch.engine.routing import ChainIndex
from tests.engine.test_inference_random_models import (
    DATATYPES,
    HEADER,
    literal,
    random_query,
)
from tests.engine.test_inference_vectorised import MODELS, queries_for


def linear_route(conditions: list, x: dict, header: list) -> int | None:
    """The chain rule (§5.2), one condition after another: what the index must answer."""
    for i, condition in enumerate(conditions):
        if condition is None or all(holds(lit, x, header) for lit in condition):
            return i
    return len(conditions) - 1 if conditions else None


def check_chain(conditions: list, queries: list[dict], header: list, datatypes: list) -> None:
    index = ChainIndex(conditions, header)
    expected = [linear_route(conditions, q, header) for q in queries]
    assert [index.route(q) for q in queries] == expected
    mask = ColumnStore(header, datatypes, queries).mask
    batch = index.route_batch(len(queries), mask).tolist()
    assert batch == [-1 if e is None else e for e in expected]


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_index_routes_fixture_queries_as_the_chain_does(path: Path) -> None:
    model = load_model(path)
    queries = [
        normalise(q, model.header, model.datatypes)
        for q in queries_for(model, 200, seed=len(path.name))
    ]
    for chain in model.layers:
        conditions = [b.get("condition") for b in chain]
        check_chain(conditions, queries, model.header, model.datatypes)


def prefixed_chain(rng: random.Random) -> list:
    """Conditions grown from a few shared literals, as divide paths then local peels;
    repeated, empty and ELSE conditions included, sometimes with buckets after ELSE."""
    pool = [literal(rng) for _ in range(rng.randint(1, 6))]
    paths: list[list] = [[]]
    conditions: list = []
    for _ in range(rng.randint(0, 12)):
        roll = rng.random()
        if roll < 0.08:
            conditions.append(None)
            continue
        base = rng.choice(paths)
        grown = base + [rng.choice(pool) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.5:
            paths.append(grown)
        conditions.append(list(grown) if roll > 0.15 else list(base))
    return conditions


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_index_routes_random_prefix_chains_as_the_chain_does(seed: int) -> None:
    rng = random.Random(seed)
    conditions = prefixed_chain(rng)
    queries = [normalise(random_query(rng), HEADER, DATATYPES) for _ in range(25)]
    check_chain(conditions, queries, HEADER, DATATYPES)


def test_shared_prefix_is_tested_once_and_deep_chains_stay_shallow() -> None:
    """A chain of 64 buckets below a 6-literal divide tree: the tree has one node per
    distinct literal prefix, not one per bucket literal."""
    header = ["y", "a"]
    divide = [[1, float(t), neg, "N"] for t in range(6) for neg in (False, True)]
    conditions = []
    for leaf in range(64):
        path = [divide[2 * d + ((leaf >> d) & 1)] for d in range(6)]
        conditions.append(path)
    index = ChainIndex(conditions, header)
    assert index.size == 1 + sum(2**d for d in range(1, 7))
    for value in (-1.0, 0.5, 2.5, 7.0):
        x = {"a": value}
        assert index.route(x) == linear_route(conditions, x, header)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_clause_table_matches_the_scalar_evaluator(seed: int) -> None:
    rng = random.Random(seed)
    clauses = [[literal(rng) for _ in range(rng.randint(0, 4))] for _ in range(rng.randint(0, 8))]
    table = ClauseTable(clauses, HEADER)
    for _ in range(10):
        x = normalise(random_query(rng), HEADER, DATATYPES)
        expected = {j for j, c in enumerate(clauses) if not clause_holds(c, x, HEADER)}
        assert table.falsified(x) == expected, x


def test_clause_table_answers_huge_ints_exactly() -> None:
    """2**53 + 1 is not a double: the table falls back to the scalar evaluator."""
    big = 2**53 + 1
    clauses = [[[1, float(2**53), False, "N"]], [[1, float(2**53), True, "N"]]]
    table = ClauseTable(clauses, HEADER)
    assert table.falsified({"n1": big}) == {0}
    assert table.falsified({"n1": 10**400}) == {0}
