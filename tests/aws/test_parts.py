"""The aws backend's parts against moto over HTTP: store, queue, counters, jobs, stats."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.aws_clients import AwsConfigError, client_config, retry_settings
from snakebatch.backends.aws_jobs import DynamoJobStore
from snakebatch.backends.aws_queue import SqsReportQueue
from snakebatch.backends.aws_store import S3Store
from snakebatch.backends.base import JobRecord, LeafEntry


@pytest.fixture
def backend(resources, tmp_path) -> AwsBackend:
    return AwsBackend.from_env(cache_dir=tmp_path / "cache")


def test_endpoint_comes_from_the_environment(backend, moto_url):
    assert backend.clients.s3.meta.endpoint_url == moto_url
    assert backend.clients.dynamodb.meta.endpoint_url == moto_url


def test_retry_settings_from_the_standard_variables():
    assert retry_settings({}) == {"mode": "adaptive", "total_max_attempts": 10}
    assert retry_settings({"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"}) == {
        "mode": "standard",
        "total_max_attempts": 3,
    }
    assert client_config({"AWS_MAX_ATTEMPTS": "4"}).retries["total_max_attempts"] == 4
    for bad in ({"AWS_RETRY_MODE": "eager"}, {"AWS_MAX_ATTEMPTS": "x"}, {"AWS_MAX_ATTEMPTS": "0"}):
        with pytest.raises(AwsConfigError):
            retry_settings(bad)


def test_population_package_is_cached_in_memory_and_tmp(backend, resources, tmp_path):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=resources.bucket, Key="jobs/m2/pop.json.gz", Body=b"package")
    first = S3Store(backend.clients.s3, resources.bucket, cache_dir=tmp_path / "c")
    assert first.get("jobs/m2/pop.json.gz") == b"package"
    assert first.get("jobs/m2/pop.json.gz") == b"package"
    assert first.s3_reads == 1
    # A new process in the same container finds the package in /tmp.
    second = S3Store(backend.clients.s3, resources.bucket, cache_dir=tmp_path / "c")
    assert second.get("jobs/m2/pop.json.gz") == b"package"
    assert second.s3_reads == 0
    # Mutable keys always read through.
    s3.put_object(Bucket=resources.bucket, Key="jobs/m2/model.json", Body=b"v1")
    assert second.get("jobs/m2/model.json") == b"v1"
    s3.put_object(Bucket=resources.bucket, Key="jobs/m2/model.json", Body=b"v2")
    assert second.get("jobs/m2/model.json") == b"v2"


def test_queue_send_receive_ack_and_receive_count(backend, resources):
    queue = backend.reports
    assert queue.max_body_bytes == 262_144  # asked from the queue itself
    queue.send({"model_id": "m", "layer": 0, "n": 1})
    [msg] = queue.receive(wait_s=1)
    assert msg.body == {"model_id": "m", "layer": 0, "n": 1}
    assert msg.receive_count == 1
    boto3.client("sqs").change_message_visibility(
        QueueUrl=resources.queue_url, ReceiptHandle=msg.receipt, VisibilityTimeout=0
    )
    [again] = queue.receive(wait_s=1)
    assert again.receive_count == 2
    queue.ack([again.receipt])
    assert queue.receive(wait_s=0) == []


def test_oversized_report_spills_to_s3(backend, resources):
    queue = backend.reports
    body = {"model_id": "big", "layer": 1, "buckets": ["x" * 1000] * 400}
    assert len(json.dumps(body)) > 262_144
    queue.send(body)
    assert queue.spilled == 1
    raw = boto3.client("sqs").receive_message(QueueUrl=resources.queue_url, VisibilityTimeout=0)
    envelope = json.loads(raw["Messages"][0]["Body"])
    assert envelope["sqs_spilled_key"].startswith("jobs/big/spill/")
    [msg] = queue.receive(wait_s=1)
    assert msg.body == body


def test_undecodable_and_lost_spill_messages_stay_visible_as_malformed(backend, resources):
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=resources.queue_url, MessageBody="not json {")
    sqs.send_message(QueueUrl=resources.queue_url, MessageBody='{"sqs_spilled_key": "gone"}')
    got = []
    for _ in range(5):
        got += backend.reports.receive(wait_s=1)
        if len(got) == 2:
            break
    assert sorted("malformed" in m.body for m in got) == [True, True]
    assert any("not JSON" in m.body["error"] for m in got)
    assert any("spilled body gone" in m.body["error"] for m in got)


def test_dead_letter_parks_message_with_reason(backend, resources):
    backend.reports.send({"model_id": "m", "poison": True})
    [msg] = backend.reports.receive(wait_s=1)
    backend.reports.dead_letter(msg, "ingest failed: boom")
    assert backend.reports.receive(wait_s=0) == []
    parked = boto3.client("sqs").receive_message(QueueUrl=resources.dlq_url, WaitTimeSeconds=1)
    record = json.loads(parked["Messages"][0]["Body"])
    assert record["reason"] == "ingest failed: boom"
    assert record["body"] == {"model_id": "m", "poison": True}


def test_queue_needs_a_url(backend):
    with pytest.raises(RuntimeError, match="SNAKEBATCH_REPORTS_QUEUE_URL"):
        SqsReportQueue(backend.clients.sqs, "", backend.store)


def test_a_counter_expects_at_least_one_child(backend):
    with pytest.raises(ValueError, match="at least one child"):
        backend.counters.create("p2", expected=0)


def test_shard_stats_rows_for_every_shard(backend):
    shards = backend.shards
    shards.record(1, "invoked")
    shards.record(1, "invoked")
    shards.record(1, "done")
    shards.record(3, "invoked")
    shards.record(3, "errors")
    rows = backend.shard_stats()
    assert [r["shard"] for r in rows] == list(range(backend.shard_count))
    assert rows[1] == {"shard": 1, "invoked": 2, "in_flight": 1, "done": 1, "errors": 0}
    assert rows[3]["errors"] == 1 and rows[3]["in_flight"] == 0
    assert rows[0] == {"shard": 0, "invoked": 0, "in_flight": 0, "done": 0, "errors": 0}
    shards.note_event_size(300)
    shards.note_event_size(200)
    stats = backend.stats()
    assert stats["invocations"] == 3
    assert stats["running"] == 1
    assert stats["largest_event_bytes"] == 300
    with pytest.raises(ValueError):
        shards.record(1, "bogus")
    with pytest.raises(ValueError):
        shards.record(backend.shard_count, "done")


def test_lambda_failure_records_are_read_as_error_reports(backend):
    record = {
        "version": "1.0",
        "requestContext": {
            "requestId": "r",
            "functionArn": "arn:aws:lambda:eu-west-3:1:function:v9-worker-pipe-03:live",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"role": "leaf", "model_id": "m9", "layer": 2},
        "responsePayload": {"errorType": "MemoryError", "errorMessage": "out of memory"},
    }
    backend.reports.send(record)
    backend.reports.send({"requestContext": {}, "requestPayload": "not an event"})
    got = []
    for _ in range(5):
        got += backend.reports.receive(wait_s=1)
        if len(got) == 2:
            break
    bodies = sorted((m.body for m in got), key=lambda b: b["model_id"])
    bare, full = bodies
    assert full["kind"] == "error" and full["model_id"] == "m9" and full["layer"] == 2
    assert full["attempts"] == 3
    assert full["error"].startswith("MemoryError: out of memory (leaf on v9-worker-pipe-03 gave up")
    assert bare["kind"] == "error" and bare["model_id"] == ""
    assert "no error message" in bare["error"]


class ConflictingDynamo:
    """Forwards to moto, but the first ``conflicts`` transactions collide, as concurrent
    writers of one item do on AWS (moto never produces TransactionConflict)."""

    def __init__(self, ddb, conflicts: int) -> None:
        self.ddb = ddb
        self.conflicts = conflicts
        self.calls = 0

    def transact_write_items(self, **kwargs):
        self.calls += 1
        if self.calls <= self.conflicts:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                    "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
                },
                "TransactWriteItems",
            )
        return self.ddb.transact_write_items(**kwargs)

    def __getattr__(self, name):
        return getattr(self.ddb, name)


def test_transaction_conflicts_are_retried_but_conditions_are_not(backend, resources):
    flaky = ConflictingDynamo(backend.clients.dynamodb, conflicts=3)
    jobs = DynamoJobStore(flaky, resources.table)
    jobs.create(JobRecord("c1", "queued", {"n_layers": 2}, created_at=1.0))
    assert flaky.calls == 4  # three collisions, then through
    leaf = LeafEntry(0, "l", "", 5, 1, "k")
    assert jobs.add_leaf("c1", leaf)
    assert not jobs.add_leaf("c1", leaf)  # a failed condition is an answer, not retried
    assert flaky.calls == 6
    hopeless = DynamoJobStore(ConflictingDynamo(backend.clients.dynamodb, 99), resources.table)
    with pytest.raises(ClientError, match="conflict"):
        hopeless.add_leaf("c1", LeafEntry(0, "m", "", 5, 1, "k"))
