"""The SDK: local training for real, cloud training against a live gatherer."""

from __future__ import annotations

import csv
import json

import httpx
import pytest

from snakebatch import SnakeClient
from snakebatch.engine import Snake as EngineSnake
from snakebatch.sdk import SnakeClientError
from tests.gatherer.conftest import DATA

QUERIES = [
    {"pclass": "1", "sex": "female", "age": "29", "fare": "211"},
    {"pclass": "3", "sex": "male", "age": "40", "fare": "7.9"},
    {"sex": "male"},
]


def test_local_path_without_endpoint(monkeypatch, tmp_path):
    monkeypatch.delenv("SNAKEBATCH_ENDPOINT", raising=False)
    snake = SnakeClient(
        str(DATA / "titanic.csv"), "survived", n_layers=2, bucket=100, seed=3, noise=0.1
    )
    assert snake.where == "local" and snake.model_id is None
    direct = EngineSnake(
        str(DATA / "titanic.csv"),
        target_index="survived",
        n_layers=2,
        bucket=100,
        seed=3,
        noise=0.1,
    )
    assert snake.engine.noise == 0.1
    assert snake.get_prediction(QUERIES) == direct.get_prediction(QUERIES)
    assert snake.get_probability(QUERIES[0]) == direct.get_probability(QUERIES[0])
    assert snake.get_audit(QUERIES[0]) == direct.get_audit(QUERIES[0])
    out = tmp_path / "m.json"
    snake.to_json(str(out))
    assert SnakeClient(str(out)).get_prediction(QUERIES) == direct.get_prediction(QUERIES)


def test_small_data_stays_local_even_with_endpoint():
    with open(DATA / "iris.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    snake = SnakeClient(rows, header[-1], n_layers=1, endpoint="http://127.0.0.1:9", seed=1)
    assert snake.where == "local"
    assert len(snake.get_prediction(rows[:5])) == 5


def test_cloud_path_against_live_gatherer(live_server, tmp_path):
    snake = SnakeClient(
        str(DATA / "titanic.csv"),
        "survived",
        n_layers=2,
        tau=400,
        bucket=100,
        seed=5,
        noise=0.1,
        endpoint=live_server,
        cloud_threshold=1000,
        progress=False,
    )
    assert snake.where == "cloud" and snake.model_id
    assert snake.status["state"] == "done"
    full = httpx.get(f"{live_server}/v9/model/{snake.model_id}").content
    assert json.loads(full)["config"]["noise"] == 0.1
    stripped_local = snake.engine
    assert stripped_local.population == []
    (tmp_path / "full.json").write_bytes(full)
    full_model = EngineSnake(str(tmp_path / "full.json"))
    assert snake.get_prediction(QUERIES) == full_model.get_prediction(QUERIES)
    assert snake.get_audit(QUERIES[0]) == full_model.get_audit(QUERIES[0])
    remote = snake.get_lookalikes_labeled(QUERIES[:2])
    assert json.loads(json.dumps(full_model.get_lookalikes_labeled(QUERIES[:2]))) == remote


def test_cloud_errors_are_typed(live_server):
    rows = [{"y": 1, "x": i} for i in range(20)]
    with pytest.raises(SnakeClientError, match="one class") as info:
        SnakeClient(rows, "y", endpoint=live_server, cloud_threshold=10, progress=False)
    assert info.value.status == 422
    with pytest.raises(SnakeClientError, match="outside"):
        SnakeClient(rows, 7, endpoint=live_server, cloud_threshold=10, progress=False)
