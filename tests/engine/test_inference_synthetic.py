"""The synthetic summary (§5.12): batch diagnostics and the noise test."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from snakebatch.engine import Snake, UnsupportedError
from snakebatch.engine.modelio import model_from_dict
from snakebatch.engine.synthetic import auroc, feature_signal

TITANIC = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "titanic-balanced"


def titanic() -> tuple[Snake, list[dict]]:
    snake = Snake(f"{TITANIC}.model.json")
    lines = Path(f"{TITANIC}.expected.jsonl").read_text().splitlines()
    return snake, [json.loads(line)["query"] for line in lines]


def test_summary_fields_on_a_reference_model() -> None:
    snake, queries = titanic()
    s = snake.get_synthetic(queries)["summary"]
    answers = snake.get_batch_prediction(queries)
    assert s["n"] == len(queries)
    share = sum(a["prediction"] == 0 for a in answers) / len(answers)
    assert s["predicted"] == {0: round(100 * share, 1), 1: round(100 * (1 - share), 1)}
    survived = sum(snake.targets) / len(snake.targets)
    assert s["base_rate"] == {0: round(100 * (1 - survived), 1), 1: round(100 * survived, 1)}
    assert s["calibration_gap"] == round(100 * (share - (1 - survived)), 1)
    assert s["mean_confidence"] == pytest.approx(
        sum(a["confidence"] for a in answers) / len(answers)
    )
    assert 0 <= s["low_confidence_share"] <= 1 and 0 <= s["coverage"] <= 1
    assert s["signal"]["strength"] == "strong" and s["signal"]["features"]["sex"]["z"] > 3
    assert "accuracy" not in s


def test_labelled_rows_add_accuracy_and_auroc() -> None:
    snake, _ = titanic()
    rows = [
        dict(r, survived=t) for r, t in zip(snake.population[:150], snake.targets, strict=False)
    ]
    s = snake.get_synthetic(rows)["summary"]
    predictions = snake.get_prediction(rows)
    expected = sum(p == r["survived"] for p, r in zip(predictions, rows, strict=True)) / len(rows)
    assert s["accuracy"] == expected
    assert 0.5 < s["auroc"] <= 1.0


def noise_model(signal: bool) -> Snake:
    rng = random.Random(5)
    targets = [rng.choice(["a", "b"]) for _ in range(400)]
    population = [
        {"y": t, "x": rng.random(), "w": (t if signal else rng.choice("pqrs"))} for t in targets
    ]
    d = {
        "header": ["y", "x", "w"],
        "datatypes": ["T", "N", "T"],
        "targets": targets,
        "population": population,
        "layers": [],
    }
    return Snake(model_from_dict(d))


def test_noise_is_detected_and_signal_is_strong() -> None:
    noise = feature_signal(noise_model(signal=False).model)
    assert noise["is_noise"] is True and noise["strength"] == "none"
    strong = feature_signal(noise_model(signal=True).model)
    assert strong["strength"] == "strong" and strong["features"]["w"]["z"] > 3


def test_stripped_models_have_no_signal_section() -> None:
    d = {"header": ["y", "x"], "datatypes": ["T", "N"], "targets": ["a", "b"], "layers": []}
    s = Snake(model_from_dict(d)).get_synthetic({"x": 1.0})["summary"]
    assert s["signal"] is None and s["n"] == 1


def test_auroc_ranks_and_ties() -> None:
    assert auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.2, 0.9], [False, True]) == 1.0
    assert auroc([0.2, 0.9], [True, True]) is None


def test_interpretation_is_not_offered() -> None:
    snake, queries = titanic()
    with pytest.raises(UnsupportedError, match="interpret=False"):
        snake.get_synthetic(queries, interpret=True)
    with pytest.raises(NotImplementedError):
        snake.get_synthetic(queries, interpret=True)
