"""The ``Snake`` facade over training (engine II's ``fit``): a trained model serves,
saves and reloads like a reference model."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from snakebatch.engine import Predictor, Snake, SnakeError
from snakebatch.engine.modelio import dumps_model

IRIS = Path(__file__).resolve().parents[2] / "data" / "iris.csv"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with IRIS.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def trained(rows: list[dict]) -> Snake:
    return Snake(rows, n_layers=2, bucket=30, seed=11)


def test_training_is_reproducible_with_a_seed(rows: list[dict], trained: Snake) -> None:
    again = Snake(rows, n_layers=2, bucket=30, seed=11)
    assert again.layers == trained.layers
    assert again.config["n_layers"] == 2 and again.config["bucket"] == 30


def test_trained_model_predicts_its_training_rows(rows: list[dict], trained: Snake) -> None:
    predictions = trained.get_prediction(rows)
    accuracy = sum(str(p) == r["species"] for p, r in zip(predictions, rows, strict=True))
    assert accuracy / len(rows) > 0.9


def test_trained_model_round_trips(tmp_path: Path, rows: list[dict], trained: Snake) -> None:
    full, stripped = tmp_path / "m.json", tmp_path / "m_stripped.json"
    trained.to_json(str(full))
    trained.to_json(str(stripped), stripped=True)
    sample = [*rows[::7], {}, {"petal width (cm)": "x"}]
    for path in (full, stripped):
        loaded = Snake(str(path))
        assert loaded.get_lookalikes(sample) == trained.get_lookalikes(sample)
        assert loaded.get_probability(sample) == trained.get_probability(sample)
    assert dumps_model(Snake(str(full)).model) == full.read_text()
    assert json.loads(stripped.read_text())["population"] == []


def test_vectorised_equals_plain_on_a_trained_model(rows: list[dict], trained: Snake) -> None:
    predictor = Predictor(trained.model)
    queries = rows + [{k: v for k, v in r.items() if k != "sepal width (cm)"} for r in rows]
    batch = predictor.batch_entries(queries)
    assert batch == [predictor.entries(q) for q in queries]


def test_audit_of_a_trained_model(rows: list[dict], trained: Snake) -> None:
    text = trained.get_audit(rows[0])
    assert text.startswith("=== Snake audit ===") and "Layer 2:" in text


def test_csv_path_trains(tmp_path: Path) -> None:
    snake = Snake(str(IRIS), n_layers=1, bucket=40, seed=1)
    assert snake.target == "species" and len(snake.layers) == 1


def test_bad_training_input_is_a_typed_error() -> None:
    with pytest.raises(SnakeError):
        Snake([], seed=1)
