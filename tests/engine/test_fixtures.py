"""Every reference fixture reproduces exactly, on the plain and the vectorised path.

The test reads the fixture folder, so a new ``NAME.model.json`` / ``NAME.stripped.json``
with its ``NAME.expected.jsonl`` is picked up without code changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakebatch.engine import Predictor, Snake, load_model
from snakebatch.engine.inference import lookalike_list

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
MODELS = sorted(FIXTURES.glob("*.model.json")) + sorted(FIXTURES.glob("*.stripped.json"))


def expected_for(model_path: Path) -> list[dict]:
    stem = model_path.name.rsplit(".", 2)[0]
    lines = (FIXTURES / f"{stem}.expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def assert_same(got_probability: dict, got_prediction, got_lookalikes, record: dict) -> None:
    expected = record["probability"]
    assert [k for k in got_probability] == [k for k, _ in expected]
    for (k, p), (_, q) in zip(got_probability.items(), expected, strict=True):
        assert abs(p - q) <= 1e-12, (k, p, q)
    assert got_prediction == record["prediction"]
    assert type(got_prediction) is type(record["prediction"])
    assert got_lookalikes == record["lookalikes"]


def test_fixture_folder_is_populated() -> None:
    assert len(MODELS) >= 14
    for path in MODELS:
        assert expected_for(path), path.name


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_plain_path_reproduces_reference(path: Path) -> None:
    snake = Snake(str(path))
    for record in expected_for(path):
        q = record["query"]
        assert_same(
            snake.get_probability(q), snake.get_prediction(q), snake.get_lookalikes(q), record
        )


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_vectorised_path_reproduces_reference(path: Path) -> None:
    model = load_model(path)
    predictor = Predictor(model)
    records = expected_for(path)
    queries = [r["query"] for r in records]
    predictions = predictor.predict(queries)
    entries = predictor.batch_entries(queries)
    for record, answer, found in zip(records, predictions, entries, strict=True):
        lookalikes = lookalike_list(found, model.targets)
        assert_same(answer.probability, answer.prediction, lookalikes, record)
