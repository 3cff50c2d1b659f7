"""The contracts of the ports in ``snakebatch.backends.base``, one suite per Protocol,
run over every implementation (``conftest.py``)."""

from __future__ import annotations

import pytest

from snakebatch.backends.base import (
    CounterError,
    JobExists,
    JobNotFound,
    JobRecord,
    LeafEntry,
    ObjectMissing,
)

# -- ObjectStore ------------------------------------------------------------------


def test_store_round_trips_bytes_and_files(store, tmp_path):
    store.put("jobs/m1/model.json", b"{}")
    assert store.get("jobs/m1/model.json") == b"{}"
    assert store.exists("jobs/m1/model.json")
    store.put("jobs/m1/model.json", b'{"v": 2}')  # a put replaces the object whole
    assert store.get("jobs/m1/model.json") == b'{"v": 2}'
    src = tmp_path / "src.csv"
    src.write_bytes(b"y,x\n1,2\n" * 1000)
    store.put_file("uploads/up_1/data.csv", src)
    assert store.get("uploads/up_1/data.csv") == src.read_bytes()
    dest = tmp_path / "dest.json"
    store.get_file("jobs/m1/model.json", dest)
    assert dest.read_bytes() == b'{"v": 2}'


def test_store_tells_missing_from_failed(store, tmp_path):
    assert not store.exists("jobs/m1/nothing")
    with pytest.raises(ObjectMissing):
        store.get("jobs/m1/nothing")
    dest = tmp_path / "never"
    with pytest.raises(ObjectMissing):
        store.get_file("jobs/m1/nothing", dest)
    assert not dest.exists()


# -- ReportQueue ------------------------------------------------------------------


def test_queue_delivers_until_acknowledged(queue):
    assert queue.max_body_bytes >= 64 * 1024
    assert queue.receive(wait_s=0) == []
    sent = [{"kind": "leaf", "model_id": "m", "leaf_id": f"l{i}", "n": i} for i in range(3)]
    for body in sent:
        queue.send(body)
    got = []
    while len(got) < 3:
        batch = queue.receive(max_messages=2, wait_s=1)
        assert 1 <= len(batch) <= 2
        got.extend(batch)
    assert sorted((m.body for m in got), key=lambda b: b["n"]) == sent
    assert all(m.receive_count == 1 for m in got)
    queue.ack([m.receipt for m in got])
    assert queue.receive(wait_s=0) == []
    queue.ack([m.receipt for m in got])  # acknowledging twice is harmless


# -- Counters ---------------------------------------------------------------------


def test_counters_grow_to_expected_and_no_further(counters):
    counters.create("p1", expected=2)
    assert counters.completed("p1") == 0
    assert counters.increment("p1") == 1
    counters.create("p1", expected=2)  # a retried conquer keeps progress
    assert counters.completed("p1") == 1
    assert counters.increment("p1") == 2
    assert counters.increment("p1") == 2  # a redelivered ack cannot overshoot
    with pytest.raises(CounterError):
        counters.increment("nope")
    with pytest.raises(CounterError):
        counters.completed("nope")


# -- JobStore ---------------------------------------------------------------------


def _record(model_id: str, created: float) -> JobRecord:
    return JobRecord(model_id, "queued", {"n_layers": 2}, created_at=created)


def test_job_store_lifecycle(jobs):
    jobs.create(_record("j1", 10.0))
    jobs.create(_record("j0", 5.0))
    with pytest.raises(JobExists):
        jobs.create(_record("j1", 11.0))
    with pytest.raises(JobNotFound, match="'zz'"):
        jobs.get("zz")
    assert jobs.unfinished() == ["j0", "j1"]
    jobs.set_running("j1", 891)
    jobs.set_running("j1", 5)  # already running: unchanged
    jobs.set_timing("j1", "staging_s", 0.25)
    record = jobs.get("j1")
    assert (record.state, record.n_rows, record.timings) == ("running", 891, {"staging_s": 0.25})
    assert record.params == {"n_layers": 2}
    jobs.finish("j0", "failed", error="leaf raised: boom", at=22.0)
    assert jobs.get("j0").error == "leaf raised: boom"
    assert jobs.unfinished() == ["j1"]


def test_job_store_leaves_are_idempotent_and_ordered(jobs):
    jobs.create(_record("j1", 1.0))
    jobs.set_running("j1", 891)
    a = LeafEntry(0, "leafa", "01", 300, 4, "jobs/j1/leaves/0/a.json")
    b = LeafEntry(0, "leafb", "00", 591, 6, "jobs/j1/leaves/0/b.json")
    c = LeafEntry(1, "leafc", "", 891, 9, "jobs/j1/leaves/1/c.json")
    assert jobs.add_leaf("j1", a) and jobs.add_leaf("j1", b) and jobs.add_leaf("j1", c)
    assert not jobs.add_leaf("j1", a)  # redelivered: changes nothing
    assert not jobs.add_leaf("j1", LeafEntry(0, "leafa", "01", 99, 9, "other"))  # first wins
    assert jobs.coverage("j1") == {0: (2, 891), 1: (1, 891)}
    assert jobs.leaves("j1") == [b, a, c]


def test_job_store_finish_is_once_and_only_from_open_states(jobs):
    jobs.create(_record("j1", 1.0))
    assert jobs.finish("j1", "done", error=None, at=20.0)
    assert not jobs.finish("j1", "failed", error="late", at=21.0)  # a late error cannot fail it
    record = jobs.get("j1")
    assert (record.state, record.error) == ("done", None)
    assert jobs.unfinished() == []
    with pytest.raises(ValueError):
        jobs.finish("j1", "running", error=None, at=1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda jobs: jobs.finish("zz", "done", error=None, at=1.0),
        lambda jobs: jobs.add_leaf("zz", LeafEntry(0, "l", "", 1, 1, "k")),
        lambda jobs: jobs.set_running("zz", 1),
        lambda jobs: jobs.set_timing("zz", "x", 1.0),
    ],
)
def test_job_store_refuses_unknown_jobs(jobs, call):
    with pytest.raises(JobNotFound):
        call(jobs)
