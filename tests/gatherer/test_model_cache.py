"""The gatherer's model cache: bounded by count and bytes, one parse per model while it
stays cached (also under concurrent requests), and its size in ``/v9/health``."""

from __future__ import annotations

import threading
from pathlib import Path

from snakebatch.gatherer.models import ModelCache
from tests.gatherer.conftest import FAST, wait_state

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
IRIS = (FIXTURES / "iris-balanced.stripped.json").read_bytes()
TITANIC = (FIXTURES / "titanic-balanced.stripped.json").read_bytes()


class Fetches:
    def __init__(self, data: bytes, delay: threading.Event | None = None):
        self.data, self.count, self.delay = data, 0, delay

    def __call__(self) -> bytes:
        self.count += 1
        if self.delay is not None:
            self.delay.wait(5)
        return self.data


def test_consecutive_gets_parse_once(tmp_path):
    cache = ModelCache(tmp_path)
    fetch = Fetches(IRIS)
    first = cache.get("a" * 32, fetch, stripped=True)
    assert cache.get("a" * 32, fetch, stripped=True) is first
    assert fetch.count == 1
    assert cache.stats() == {
        "models": 1,
        "bytes": len(IRIS),
        "max_models": cache.capacity,
        "max_bytes": cache.max_bytes,
        "loads": 1,
        "hits": 1,
    }
    assert first.get_prediction({"sepal length (cm)": 5.0}) is not None


def test_concurrent_gets_of_a_loading_model_wait_for_one_parse(tmp_path):
    cache = ModelCache(tmp_path)
    release = threading.Event()
    fetch = Fetches(TITANIC, release)
    got: list = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get("b" * 32, fetch))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    assert fetch.count == 1 and cache.loads == 1
    assert len(got) == 4 and all(g is got[0] for g in got)


def test_bounds_evict_the_least_recently_used(tmp_path):
    cache = ModelCache(tmp_path, capacity=2, max_bytes=len(IRIS) + len(TITANIC) - 1)
    cache.get("1" * 32, Fetches(IRIS))
    cache.get("2" * 32, Fetches(IRIS))
    cache.get("1" * 32, Fetches(IRIS))  # now the most recent
    cache.get("3" * 32, Fetches(IRIS))  # over the count: evicts 2
    assert list(cache._items) == ["1" * 32, "3" * 32]
    cache.get("4" * 32, Fetches(TITANIC))  # over count, then bytes: 4 stays alone
    assert list(cache._items) == ["4" * 32]
    refetch = Fetches(IRIS)
    cache.get("2" * 32, refetch)  # evicted: parsed again, but read from disk, not fetched
    assert refetch.count == 0 and cache.loads == 5


def test_a_lone_model_above_the_byte_bound_is_still_served(tmp_path):
    cache = ModelCache(tmp_path, max_bytes=10)
    assert cache.get("5" * 32, Fetches(IRIS)) is cache.get("5" * 32, Fetches(IRIS))
    assert cache.stats()["models"] == 1 and cache.loads == 1


def test_consecutive_predict_sync_calls_parse_the_model_once(client, titanic_csv):
    query = "&".join(f"{k}={v}" for k, v in FAST.items())
    model_id = client.post(f"/v9/train?target=survived&{query}", content=titanic_csv).json()[
        "model_id"
    ]
    assert wait_state(client, model_id)["state"] == "done"
    rows = [{"pclass": 1, "sex": "female", "age": 30}]
    before = client.get("/v9/health").json()["model_cache"]
    answers = [
        client.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows}).json()
        for _ in range(3)
    ]
    assert answers[0]["results"] == answers[1]["results"] == answers[2]["results"]
    after = client.get("/v9/health").json()["model_cache"]
    assert after["loads"] - before["loads"] == 1
    assert after["hits"] - before["hits"] == 2
    assert after["models"] == 1 and after["bytes"] > 0
    audit = {"model_id": model_id, "rows": rows, "mode": "audit"}
    assert client.post("/v9/predict-sync", json=audit).status_code == 200
    assert client.get("/v9/health").json()["model_cache"]["models"] == 2  # stripped and full
