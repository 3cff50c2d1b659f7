"""Compiled and pure-Python kernels agree with the scalar evaluator on the reference fixtures.

Every literal of every reference model (conditions and clauses) is evaluated over the
model's population and its expected queries, through both kernel paths.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from snakebatch.engine import columns
from snakebatch.engine.columns import ColumnStore
from snakebatch.engine.literals import holds
from snakebatch.engine.queries import normalise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
MODELS = sorted(FIXTURES.glob("*.model.json"))
PATHS = [False, True] if columns._compiled is not None else [False]


def _literals(model: dict) -> list:
    seen, out = set(), []
    for chain in model["layers"]:
        for b in chain:
            for lit in [*(b["condition"] or []), *(lit for c in b["clauses"] for lit in c)]:
                key = json.dumps(lit)
                if key not in seen:
                    seen.add(key)
                    out.append(lit)
    return out


def _rows(path: Path, model: dict) -> list[dict]:
    expected = path.with_name(path.name.replace(".model.json", ".expected.jsonl"))
    queries = [json.loads(line)["query"] for line in expected.read_text().splitlines()[:200]]
    header, kinds = model["header"], model["datatypes"]
    return model["population"] + [normalise(q, header, kinds) for q in queries]


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name.split(".")[0])
def test_fixture_literals_mask_equals_holds(path, compiled):
    model = json.loads(path.read_text())
    rows = _rows(path, model)
    store = ColumnStore(model["header"], model["datatypes"], rows, compiled=compiled)
    literals = _literals(model)
    rng = np.random.default_rng(0)
    idx = rng.choice(len(rows), size=min(len(rows), 150), replace=False)
    for lit in literals[:600]:
        expected = [holds(lit, rows[i], model["header"]) for i in idx]
        assert store.mask(lit, idx).tolist() == expected, lit
    assert literals, "a reference model has literals"
