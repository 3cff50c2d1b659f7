"""The local backend's parts: durable queue, store, counters, worker pool, shard stats."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from snakebatch.backends.base import BackendError, ObjectMissing
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_queue import SqliteQueue
from snakebatch.backends.local_store import DirectoryStore


def test_queue_send_receive_ack_and_redelivery(tmp_path):
    q = SqliteQueue(tmp_path / "q.sqlite", "reports", visibility_timeout_s=0.3)
    q.send({"a": 1})
    q.send({"a": 2})
    got = q.receive(10, wait_s=0)
    assert [m.body for m in got] == [{"a": 1}, {"a": 2}]
    assert q.receive(10, wait_s=0) == []  # invisible while claimed
    q.ack([got[0].receipt])
    time.sleep(0.35)
    again = q.receive(10, wait_s=0)
    assert [m.body for m in again] == [{"a": 2}]
    assert again[0].receive_count == 2
    q.ack([got[1].receipt])  # a stale receipt deletes nothing
    assert q.depth() == 1
    q.ack([again[0].receipt])
    assert q.depth() == 0


def test_queue_is_durable_across_connections(tmp_path):
    SqliteQueue(tmp_path / "q.sqlite", "r").send({"kept": True})
    other = SqliteQueue(tmp_path / "q.sqlite", "r")
    assert [m.body for m in other.receive(1, wait_s=0)] == [{"kept": True}]
    assert SqliteQueue(tmp_path / "q.sqlite", "other").receive(1, wait_s=0) == []


def test_queue_long_poll_waits_then_returns_empty(tmp_path):
    q = SqliteQueue(tmp_path / "q.sqlite", "r")
    t0 = time.monotonic()
    assert q.receive(1, wait_s=0.2) == []
    assert time.monotonic() - t0 >= 0.2


def test_queue_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="visibility_timeout_s"):
        SqliteQueue(tmp_path / "q.sqlite", "r", visibility_timeout_s=0)
    with pytest.raises(ValueError, match="max_messages"):
        SqliteQueue(tmp_path / "q.sqlite", "r").receive(0)


def test_queue_releases_claims_of_a_killed_receiver(tmp_path):
    path = tmp_path / "q.sqlite"
    q = SqliteQueue(path, "r", visibility_timeout_s=600)
    q.send({"n": 1})
    code = (
        "import sys, time\n"
        "from snakebatch.backends.local_queue import SqliteQueue\n"
        f"q = SqliteQueue({str(path)!r}, 'r', visibility_timeout_s=600)\n"
        "assert q.receive(1, wait_s=5)\n"
        "print('claimed', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout.readline().strip() == "claimed"
        assert q.receive(1, wait_s=0) == []
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert q.release_orphans() == 1
    assert [m.body for m in q.receive(1, wait_s=0)] == [{"n": 1}]


def test_concurrent_receivers_never_share_a_message(tmp_path):
    path = tmp_path / "q.sqlite"
    q = SqliteQueue(path, "r")
    for i in range(200):
        q.send({"i": i})
    code = (
        "import json, sys\n"
        "from snakebatch.backends.local_queue import SqliteQueue\n"
        f"q = SqliteQueue({str(path)!r}, 'r')\n"
        "seen = []\n"
        "while True:\n"
        "    got = q.receive(3, wait_s=0)\n"
        "    if not got: break\n"
        "    seen += [m.body['i'] for m in got]\n"
        "    q.ack([m.receipt for m in got])\n"
        "print(json.dumps(seen))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    seen = []
    for p in procs:
        with p:
            seen += json.loads(p.communicate()[0])
    assert sorted(seen) == list(range(200))


def test_store_round_trip_and_bad_keys(tmp_path):
    store = DirectoryStore(tmp_path)
    store.put("jobs/x/pop.json.gz", b"abc")
    assert store.get("jobs/x/pop.json.gz") == b"abc"
    assert store.exists("jobs/x/pop.json.gz")
    assert not store.exists("jobs/y")
    with pytest.raises(ObjectMissing):
        store.get("jobs/nothing")
    for bad in ("", "/etc/passwd", "../up", "a/../../b", "a//b"):
        with pytest.raises(BackendError, match="invalid store key"):
            store.put(bad, b"x")
    assert not [p for p in tmp_path.rglob(".tmp-*")]


def test_backend_rejects_bad_settings(tmp_path):
    with pytest.raises(BackendError, match="workers"):
        LocalBackend(tmp_path, workers=-1)
    with pytest.raises(BackendError, match="max_report_bytes"):
        LocalBackend(tmp_path, max_report_bytes=10)
    with pytest.raises(BackendError, match="shard"):
        LocalBackend(tmp_path, workers=0, shard_count=4).invoker.invoke(4, {})


def test_home_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SNAKEBATCH_HOME", str(tmp_path / "h"))
    assert LocalBackend(workers=0).home == tmp_path / "h"


def _wait_for(predicate, timeout_s=20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_pool_runs_invocations_concurrently_and_counts_per_shard(tmp_path):
    backend = LocalBackend(tmp_path, workers=2, shard_count=4, handler="tests.mesh.handlers:record")
    with backend:
        t0 = time.monotonic()
        for n in range(4):
            backend.invoker.invoke(n % 4, {"role": "test", "n": n, "sleep": 2.0})
        assert time.monotonic() - t0 < 1.5  # invoke returns at once, long before any ran
        assert _wait_for(lambda: all(backend.store.exists(f"ran/{n}.json") for n in range(4)))
        marks = [json.loads(backend.store.get(f"ran/{n}.json")) for n in range(4)]
        assert len({m["pid"] for m in marks}) == 2
        assert _wait_for(lambda: sum(s["done"] for s in backend.shard_stats()) == 4)
    stats = backend.shard_stats()
    assert [s["shard"] for s in stats] == [0, 1, 2, 3]
    assert all(s["invoked"] == 1 and s["done"] == 1 and s["in_flight"] == 0 for s in stats)
    gauges = backend.stats()
    assert gauges["peak_concurrency"] == 2
    assert gauges["invocations"] == 4
    assert gauges["largest_event_bytes"] > 0


def test_pool_redelivers_a_failed_invocation(tmp_path):
    backend = LocalBackend(tmp_path, workers=1, shard_count=2, handler="tests.mesh.handlers:flaky")
    with backend:
        backend.invoker.invoke(1, {"role": "test", "n": 7})
        assert _wait_for(lambda: backend.store.exists("ran/7.json"))
        assert _wait_for(lambda: backend.shard_stats()[1]["done"] == 1)
    assert backend.shard_stats()[1]["errors"] == 1


class _Tokens:
    """A governor that counts the tokens handed out (picklable, like the ops one)."""

    def __init__(self):
        self.given = 0

    def acquire(self):
        self.given += 1


def test_governor_is_asked_before_every_invoke(tmp_path):
    governor = _Tokens()
    backend = LocalBackend(tmp_path, workers=0, shard_count=2, governor=governor)
    for n in range(3):
        backend.invoker.invoke(0, {"role": "x", "n": n})
    assert governor.given == 3
    assert backend.worker_config()["governor"] is governor


def test_a_worker_that_dies_is_replaced_and_its_invocation_rerun(tmp_path):
    backend = LocalBackend(
        tmp_path, workers=1, shard_count=2, handler="tests.mesh.handlers:slow_once"
    )
    with backend:
        backend._pool.check_s = 0.1
        backend.invoker.invoke(0, {"role": "test", "n": 1})
        assert _wait_for(lambda: backend.store.exists("attempts/1"))
        victim = backend._pool.pids()[0]
        os.kill(victim, signal.SIGKILL)
        assert _wait_for(lambda: backend.store.exists("ran/1.json"))
        assert backend._pool.replaced == 1
        assert json.loads(backend.store.get("ran/1.json"))["pid"] != victim
        assert _wait_for(lambda: backend.stats()["running"] == 0)  # the dead run is forgotten
        assert backend.shard_stats()[0]["in_flight"] == 0
        assert backend.shard_stats()[0]["done"] == 1


def test_a_rate_governor_is_one_budget_for_every_process(tmp_path):
    import pickle

    from snakebatch.ops.governor import Governor

    backend = LocalBackend(tmp_path, workers=0, governor=Governor(rate=50, burst=1))
    in_worker = pickle.loads(pickle.dumps(backend.worker_config()["governor"]))
    t0 = time.monotonic()
    for _ in range(10):
        backend.invoker.invoke(0, {"role": "x"})
        in_worker.acquire()
    assert time.monotonic() - t0 >= 19 / 50 - 0.02  # 20 tokens at 50/s, one banked


def test_a_governor_that_cannot_reach_the_workers_is_refused(tmp_path):
    import threading

    class Local:
        lock = threading.Lock()

        def __init__(self):
            self.lock = threading.Lock()

        def acquire(self):
            pass

    with pytest.raises(BackendError, match="pickle"):
        LocalBackend(tmp_path, workers=0, governor=Local())


def test_workers_that_cannot_start_make_the_pool_fail_loudly(tmp_path):
    backend = LocalBackend(
        tmp_path, workers=1, shard_count=2, handler="tests.mesh.no_such_module:handler"
    )
    with backend:
        backend._pool.check_s = 0.1
        assert _wait_for(lambda: backend._pool.failed is not None, timeout_s=60)
        with pytest.raises(BackendError, match="exit at start-up"):
            backend.check()
    assert backend._pool is None
