"""The C-level structure check is never more lenient than the Python one that names
faults, and it accepts every valid fixture (so loads take the fast path)."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.engine.errors import ModelFormatError
from snakebatch.engine.fastcheck import layers_look_valid
from snakebatch.engine.modelio import VALUE_SHAPES, explain_layers, parse_json
from tests.engine.test_inference_vectorised import MODELS

DOCS = [
    {k: doc[k] for k in ("header", "targets", "layers")}
    for doc in (parse_json(p.read_text(encoding="utf-8")) for p in MODELS)
]
BAD = [-1, True, 1.5, None, "1", 10**6, [], {}, [1, 2], "x", "٣", 0]


def fast_and_slow(doc: dict) -> tuple[bool, bool]:
    width, n_rows = len(doc["header"]), len(doc["targets"])
    fast = layers_look_valid(doc["layers"], width, n_rows, VALUE_SHAPES)
    try:
        explain_layers(doc["layers"], width, n_rows, "doc")
    except ModelFormatError:
        return fast, False
    return fast, True


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_valid_fixtures_pass_both_checks(path: Path) -> None:
    assert fast_and_slow(parse_json(path.read_text(encoding="utf-8"))) == (True, True)


def mutate(doc: dict, rng: random.Random) -> None:
    bucket = rng.choice(rng.choice([c for c in doc["layers"] if c]))
    bad = rng.choice(BAD)
    where = rng.choice(["bucket", "members", "origins", "literal", "lookalikes", "clauses"])
    if where == "bucket":
        bucket[rng.choice(["members", "clauses", "lookalikes", "condition", "origins"])] = bad
    elif where == "members":
        edge = len(doc["targets"]) if rng.random() < 0.3 else bad
        bucket["members"][rng.randrange(len(bucket["members"]))] = edge
    elif where == "origins":
        origins = bucket.setdefault("origins", ["c"] * len(bucket["members"]))
        if rng.random() < 0.3:
            origins.pop()
        else:
            origins[rng.randrange(len(origins))] = bad
    elif where == "literal":
        lists = [c for c in bucket.get("clauses", []) if c] + [bucket.get("condition") or []]
        lits = [lit for group in lists for lit in group]
        if not lits:
            return
        lit = rng.choice(lits)
        if rng.random() < 0.2:
            lit.pop()
        elif rng.random() < 0.3:
            lit[0] = len(doc["header"])
        else:
            lit[rng.randrange(4)] = bad
    elif where == "lookalikes":
        looks = bucket.get("lookalikes") or {}
        if not looks:
            return
        key = rng.choice(list(looks))
        if rng.random() < 0.3:
            edge = len(bucket["members"]) if rng.random() < 0.5 else bad
            looks[str(edge)] = looks.pop(key)
        elif looks[key] and looks[key][0] and rng.random() < 0.5:
            edge = len(bucket.get("clauses", [])) if rng.random() < 0.5 else bad
            looks[key][0][0] = edge
        else:
            looks[key] = [bad]
    else:
        clauses = bucket.get("clauses") or []
        if clauses:
            clauses[rng.randrange(len(clauses))] = bad


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fast_check_is_never_more_lenient(seed: int) -> None:
    rng = random.Random(seed)
    doc = dict(rng.choice(DOCS))
    doc["layers"] = copy.deepcopy(doc["layers"])
    mutate(doc, rng)
    fast, slow = fast_and_slow(doc)
    assert slow or not fast
