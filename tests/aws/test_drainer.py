"""The drainer over both queues: SQLite (local) and SQS on moto.

``ingest`` here is a small idempotent recorder standing in for the coordinator's
``ingest`` contract (durable, idempotent, raises on a report it cannot take); the
end-to-end tests drive the real coordinator.
"""

from __future__ import annotations

import threading
import time

import boto3
import pytest

from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.local_queue import SqliteQueue
from snakebatch.mesh.drainer import Drainer, DrainerError
from snakebatch.mesh.reports import ReportError


class Recorder:
    """Idempotent ingestion keyed like leaf reports; can be told to fail."""

    def __init__(self, fail_ids: dict[str, int] | None = None, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.seen: dict[str, dict] = {}
        self.calls = 0
        self.errors: list[dict] = []
        self.fail_ids = dict(fail_ids or {})
        self.lock = threading.Lock()

    def __call__(self, body: dict) -> None:
        time.sleep(self.delay_s)
        with self.lock:
            self.calls += 1
            if body.get("kind") == "error":
                self.errors.append(body)
                return
            if "malformed" in body:
                raise ReportError(body["error"])
            leaf = body["leaf_id"]
            left = self.fail_ids.get(leaf, 0)
            if left:
                self.fail_ids[leaf] = left - 1
                raise RuntimeError(f"store unavailable for {leaf}")
            self.seen.setdefault(leaf, body)


def _until(predicate, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _leaf(i: int) -> dict:
    return {"kind": "leaf", "model_id": "m", "leaf_id": f"l{i:03d}", "n_rows": 1}


def test_local_queue_drained_by_four_threads_duplicates_change_nothing(tmp_path):
    queue = SqliteQueue(tmp_path / "q.sqlite", "reports", visibility_timeout_s=5)
    for i in range(40):
        queue.send(_leaf(i))
    for i in range(0, 40, 4):
        queue.send(_leaf(i))  # redelivered reports
    ingest = Recorder()
    with Drainer(queue, ingest, threads=4, wait_s=0.2) as drainer:
        assert _until(lambda: queue.depth() == 0)
    assert sorted(ingest.seen) == [f"l{i:03d}" for i in range(40)]
    assert drainer.stats.ingested == 50
    assert drainer.stats.poisoned == 0


def test_local_poison_goes_to_dead_letters_and_fails_the_job(tmp_path):
    # A long visibility timeout: redelivery must come from the drainer's own backoff.
    queue = SqliteQueue(tmp_path / "q.sqlite", "reports", visibility_timeout_s=300)
    dlq = SqliteQueue(tmp_path / "q.sqlite", "dead", visibility_timeout_s=5)
    queue.send(_leaf(1))
    queue.send(_leaf(2))
    ingest = Recorder(fail_ids={"l001": 99, "l002": 1})
    with Drainer(
        queue, ingest, threads=2, wait_s=0.1, max_receives=3, dead_letters=dlq, retry_delay_s=0.05
    ):
        assert _until(lambda: queue.depth() == 0)
    assert "l002" in ingest.seen  # failed once, redelivered, ingested
    assert "l001" not in ingest.seen
    [parked] = dlq.receive(wait_s=0)
    assert parked.body["body"]["leaf_id"] == "l001"
    assert "store unavailable for l001" in parked.body["reason"]
    [failure] = ingest.errors
    assert failure["model_id"] == "m"
    assert "store unavailable" in failure["error"]


def test_stop_is_clean_and_a_new_drainer_finishes_the_job(tmp_path):
    queue = SqliteQueue(tmp_path / "q.sqlite", "reports", visibility_timeout_s=0.5)
    for i in range(30):
        queue.send(_leaf(i))
    ingest = Recorder(delay_s=0.05)
    first = Drainer(queue, ingest, threads=2, wait_s=0.1, batch=2).start()
    assert _until(lambda: len(ingest.seen) >= 4)
    first.stop(timeout_s=10)
    assert not any(t.is_alive() for t in threading.enumerate() if t.name.startswith("drainer"))
    partial = len(ingest.seen)
    assert partial < 30
    with Drainer(queue, ingest, threads=2, wait_s=0.1):
        # a bound for a stuck drainer, not a timing claim: seconds when idle, more under load
        assert _until(lambda: queue.depth() == 0, 90)
    assert len(ingest.seen) == 30


def test_bad_settings_are_typed_errors(tmp_path):
    queue = SqliteQueue(tmp_path / "q.sqlite", "reports")
    for kwargs in ({"threads": 0}, {"max_receives": 0}, {"batch": 11}):
        with pytest.raises(DrainerError):
            Drainer(queue, Recorder(), **kwargs)
    drainer = Drainer(queue, Recorder(), wait_s=0).start()
    with pytest.raises(DrainerError):
        drainer.start()
    drainer.stop()


@pytest.mark.aws
def test_sqs_transient_retry_poison_and_malformed(resources):
    backend = AwsBackend.from_env()
    for i in range(12):
        backend.reports.send(_leaf(i))
    boto3.client("sqs").send_message(QueueUrl=resources.queue_url, MessageBody="{oops")
    ingest = Recorder(fail_ids={"l003": 1, "l007": 99})
    with Drainer(
        backend.reports, ingest, threads=4, wait_s=1, max_receives=3, retry_delay_s=0
    ) as drainer:
        assert _until(lambda: drainer.stats.poisoned == 2 and len(ingest.seen) == 11, 30)
    assert "l003" in ingest.seen and "l007" not in ingest.seen
    dlq = boto3.client("sqs").receive_message(
        QueueUrl=resources.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
    )
    reasons = sorted(m["Body"] for m in dlq["Messages"])
    assert len(reasons) == 2
    assert any("not JSON" in r for r in reasons)
    assert any("store unavailable for l007" in r for r in reasons)
    assert [e["model_id"] for e in ingest.errors] == ["m"]
    left = boto3.client("sqs").get_queue_attributes(
        QueueUrl=resources.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert left == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }


@pytest.mark.aws
def test_a_poison_report_fails_its_job_with_the_reason_in_status(resources):
    from snakebatch.backends.aws_jobs import DynamoJobStore
    from snakebatch.backends.base import JobRecord
    from snakebatch.mesh.coordinator import Coordinator

    backend = AwsBackend.from_env()
    jobs = DynamoJobStore(backend.clients.dynamodb, resources.table)
    jobs.create(JobRecord("poisoned", "running", {"n_layers": 1}, n_rows=10, created_at=1.0))
    coordinator = Coordinator(backend, jobs)
    lost = "jobs/poisoned/leaves/0/gone.json"  # a spilled body that never reached S3
    report = {"kind": "leaf", "model_id": "poisoned", "layer": 0, "leaf_id": "gone"}
    backend.reports.send({**report, "order": "", "n_rows": 10, "body_key": lost})
    with Drainer(backend.reports, coordinator.ingest, threads=2, wait_s=1, retry_delay_s=0) as d:
        assert _until(lambda: coordinator.status("poisoned").finished, 30)
    status = coordinator.status("poisoned")
    assert status.state == "failed"
    assert "report could not be ingested" in status.error and lost in status.error
    assert d.stats.poisoned == 1 and d.stats.retried == 3
    parked = boto3.client("sqs").receive_message(QueueUrl=resources.dlq_url, WaitTimeSeconds=1)
    assert lost in parked["Messages"][0]["Body"]
