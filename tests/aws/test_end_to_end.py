"""Training through the aws backend end to end, on loopback.

S3, SQS and DynamoDB are a moto server; Lambda is ``LambdaEndpoint`` running the real
``functions/handler_snake.py`` in worker processes; the gatherer side is the real
``Coordinator`` with the DynamoDB job store, drained by the real ``Drainer``. Every
AWS call crosses HTTP through boto3, and snakebatch is not patched anywhere.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.aws_jobs import DynamoJobStore
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.engine import Snake
from snakebatch.engine.modelio import loads_model
from snakebatch.engine.predictor import Predictor
from snakebatch.mesh import predict
from snakebatch.mesh.assembly import model_key
from snakebatch.mesh.coordinator import Coordinator, TrainParams
from snakebatch.mesh.drainer import Drainer
from tests.aws.conftest import CREDENTIALS, REGION
from tests.aws.lambda_endpoint import LambdaEndpoint
from tests.aws.resources import Resources, provision

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
HANDLER = REPO / "functions" / "handler_snake.py"
TITANIC = REPO / "data" / "titanic.csv"
PARAMS = TrainParams(n_layers=2, tau=250, bucket=80, seed=11)
JOB_TIMEOUT_S = 90


@dataclass
class Cloud:
    resources: Resources
    endpoint: LambdaEndpoint
    backend: AwsBackend
    coordinator: Coordinator

    def drainer(self, **kwargs) -> Drainer:
        return Drainer(self.backend.reports, self.coordinator.ingest, wait_s=1, **kwargs)

    def wait(self, model_id: str, timeout_s: float = JOB_TIMEOUT_S):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self.coordinator.status(model_id)
            if status.finished:
                return status
            time.sleep(0.2)
        raise AssertionError(f"job {model_id} not finished: {self.coordinator.status(model_id)}")

    def train(self, model_id: str, params: TrainParams = PARAMS):
        self.coordinator.submit(TITANIC, target="survived", params=params, model_id=model_id)
        with self.drainer(threads=4):
            status = self.wait(model_id)
        assert self.endpoint.wait_idle(60), "invocations still running"
        return status

    def model_json(self, model_id: str) -> dict:
        return json.loads(self.backend.store.get(model_key(model_id)))


@contextlib.contextmanager
def make_cloud(moto_url: str, home: Path, *, max_message_bytes: int = 262_144) -> Iterator[Cloud]:
    """Resources as Terraform would make them, a Lambda endpoint, the gatherer side."""
    with pytest.MonkeyPatch.context() as mp:
        env = {
            **CREDENTIALS,
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_RETRY_MODE": "standard",
            "AWS_MAX_ATTEMPTS": "12",
        }
        for key, value in env.items():
            mp.setenv(key, value)
        res = provision(
            REGION, shard_count=4, max_message_bytes=max_message_bytes, visibility_timeout_s=3
        )
        endpoint = LambdaEndpoint(
            HANDLER,
            {**env, **res.env(), "SNAKEBATCH_HOME": str(home / "lambda")},
            function_prefix=res.function_prefix,
            shard_count=res.shard_count,
            workers=2,
            blocking_workers=2,
            on_failure_queue_url=res.queue_url,
        ).start()
        mp.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint.url)
        for key, value in res.env().items():
            mp.setenv(key, value)
        backend = AwsBackend.from_env(cache_dir=home / "cache")
        jobs = DynamoJobStore(backend.clients.dynamodb, res.table)
        try:
            yield Cloud(res, endpoint, backend, Coordinator(backend, jobs))
        finally:
            endpoint.close()


@pytest.fixture(scope="module")
def cloud(moto_url, tmp_path_factory) -> Iterator[Cloud]:
    with make_cloud(moto_url, tmp_path_factory.mktemp("cloud")) as c:
        yield c


@pytest.fixture(scope="module")
def reference(cloud) -> dict:
    """A clean run: the model every fault scenario must reproduce exactly."""
    status = cloud.train("reference")
    assert status.state == "done", status.error
    return cloud.model_json("reference")


def _same_model(model: dict, reference: dict) -> None:
    """Layer k depends only on (seed, k, path): a 1-layer job equals layer 0 of 2."""
    assert model["layers"] == reference["layers"][: len(model["layers"])]
    assert model["header"] == reference["header"] and model["datatypes"] == reference["datatypes"]


def _serve(model: dict, tmp_path: Path, name: str) -> tuple[list, list]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(model))
    snake = Snake(str(path))
    rows = [{k: v for k, v in r.items() if k != model["header"][0]} for r in model["population"]]
    return [snake.get_prediction(r) for r in rows], [snake.get_probability(r) for r in rows]


def test_titanic_trains_on_aws_and_serves_like_the_local_backend(cloud, reference, tmp_path):
    status = cloud.coordinator.status("reference")
    assert status.rows_covered_per_layer == [1309, 1309]
    assert all(n > 1 for n in status.leaves_per_layer)  # really divided
    assert cloud.backend.store.exists(model_key("reference", stripped=True))
    assert sum(r["done"] for r in status.shard_stats) >= sum(status.leaves_per_layer)
    with LocalBackend(tmp_path / "local", workers=2, shard_count=4) as local:
        coordinator = Coordinator(local, SqliteJobStore(local.jobs_path))
        model_id = coordinator.submit(TITANIC, target="survived", params=PARAMS)
        assert coordinator.run(model_id, timeout_s=JOB_TIMEOUT_S).state == "done"
        local_model = json.loads(coordinator.model_bytes(model_id))
    _same_model(reference, local_model)
    assert _serve(reference, tmp_path, "aws") == _serve(local_model, tmp_path, "local")


def test_duplicated_messages_and_a_drainer_restarted_mid_job(cloud, reference):
    sqs = boto3.client("sqs")
    url = cloud.resources.queue_url
    cloud.coordinator.submit(TITANIC, target="survived", params=PARAMS, model_id="dupes")
    assert cloud.endpoint.wait_idle(60)
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not got.get("Messages"):
            break
        for m in got["Messages"]:
            bodies.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert len(bodies) >= 4
    for body in bodies * 2:  # every report delivered twice
        sqs.send_message(QueueUrl=url, MessageBody=body)
    # A drainer that died holding messages: their lease runs out and they come back.
    held = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3)["Messages"]
    for m in held:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=2
        )
    first = cloud.drainer(threads=1, batch=1).start()
    deadline = time.monotonic() + 30
    while (
        sum(cloud.coordinator.status("dupes").leaves_per_layer) < 2 and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    first.stop()
    assert cloud.coordinator.status("dupes").state == "running"
    with cloud.drainer(threads=4):
        status = cloud.wait("dupes")
    assert status.state == "done", status.error
    assert status.rows_covered_per_layer == [1309, 1309]
    _same_model(cloud.model_json("dupes"), reference)


KILLABLE_DRAINER = """
import sys, time
from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.aws_jobs import DynamoJobStore
from snakebatch.mesh.coordinator import Coordinator
from snakebatch.mesh.drainer import Drainer
backend = AwsBackend.from_env()
coordinator = Coordinator(backend, DynamoJobStore(backend.clients.dynamodb, sys.argv[1]))
def ingest(body):
    coordinator.ingest(body)
    print("ingested", flush=True)
    time.sleep(0.5)
Drainer(backend.reports, ingest, threads=2, batch=5, wait_s=1).start()
time.sleep(600)
"""


def test_a_drainer_killed_mid_batch_loses_nothing(cloud, reference):
    cloud.coordinator.submit(TITANIC, target="survived", params=PARAMS, model_id="killed")
    assert cloud.endpoint.wait_idle(60)
    drainer = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_DRAINER, cloud.resources.table],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        for _ in range(3):
            assert drainer.stdout.readline().strip() == "ingested"
    finally:
        drainer.kill()  # SIGKILL: batches in hand are neither finished nor acked
        drainer.wait(10)
        drainer.stdout.close()
    assert cloud.coordinator.status("killed").state == "running"
    with cloud.drainer(threads=4):
        status = cloud.wait("killed")
    assert status.state == "done", status.error
    _same_model(cloud.model_json("killed"), reference)


def test_a_leaf_that_raises_once_is_retried(cloud, reference):
    before = cloud.endpoint.counts.retried
    cloud.endpoint.fail({"role": "leaf", "model_id": "flaky"}, times=1)
    status = cloud.train("flaky")
    assert status.state == "done", status.error
    assert cloud.endpoint.counts.retried == before + 1
    _same_model(cloud.model_json("flaky"), reference)


def test_a_leaf_that_always_raises_fails_the_job_with_the_reason(cloud):
    cloud.endpoint.fail(
        {"role": "leaf", "model_id": "doomed", "layer": 1}, times=10**6, message="leaf OOM: killed"
    )
    status = cloud.train("doomed")
    assert status.state == "failed"
    assert "leaf OOM: killed" in status.error
    assert "3 attempts" in status.error
    assert (
        cloud.coordinator.jobs.unfinished() == []
        or "doomed" not in cloud.coordinator.jobs.unfinished()
    )


def test_throttled_invokes_back_off_and_complete(cloud, reference):
    before = cloud.endpoint.counts.throttled
    cloud.endpoint.throttle_for(1.0)
    status = cloud.train("throttled")
    assert status.state == "done", status.error
    assert cloud.endpoint.counts.throttled > before
    _same_model(cloud.model_json("throttled"), reference)


def test_conquer_completion_polls_dynamodb_counters_and_gives_the_same_model(cloud, reference):
    params = TrainParams(**{**PARAMS.__dict__, "completion": "conquer", "n_layers": 1})
    status = cloud.train("conquered", params)
    assert status.state == "done", status.error
    assert cloud.endpoint.counts.roles.get("conquer", 0) >= sum(status.leaves_per_layer)
    counters = boto3.client("dynamodb").scan(
        TableName=cloud.resources.table,
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeValues={":p": {"S": "counter#conquered/"}},
    )["Items"]
    assert len(counters) == sum(status.leaves_per_layer)
    assert all(c["completed"]["N"] == c["expected"]["N"] == "1" for c in counters)
    _same_model(cloud.model_json("conquered"), reference)


def test_predict_roles_score_a_batch_on_the_shards(cloud, reference):
    model = reference
    rows = [{k: v for k, v in r.items() if k != model["header"][0]} for r in model["population"]]
    queries = rows[:300]
    request_id = predict.submit(cloud.backend, "reference", queries, chunk_size=100)
    deadline = time.monotonic() + 60
    while (answers := predict.collect(cloud.backend.store, request_id, 300, 100)) is None:
        assert time.monotonic() < deadline, "prediction chunks missing"
        time.sleep(0.1)
    stripped = cloud.backend.store.get(model_key("reference", stripped=True)).decode()
    local = Predictor(loads_model(stripped)).predict(queries)
    assert answers == json.loads(json.dumps([p.to_dict() for p in local]))
    assert cloud.endpoint.counts.roles.get("predict_compute", 0) >= 3


def test_unknown_role_and_malformed_events_get_typed_errors(cloud):
    lam = boto3.client("lambda")
    name = f"{cloud.resources.function_prefix}-00"
    for event, expected in (
        ({"role": "explode"}, "unknown role"),
        ({"role": "leaf", "model_id": "x"}, "no 'layer' field"),
        (["not", "an", "object"], "JSON object"),
    ):
        response = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        assert "FunctionError" not in response  # answered, not crashed: never retried
        result = json.loads(response["Payload"].read())
        assert result["ok"] is False
        assert result["error"]["type"] == "MeshEventError"
        assert expected in result["error"]["message"]


def test_an_oversized_report_is_spilled_and_the_model_is_unchanged(moto_url, tmp_path, reference):
    with make_cloud(moto_url, tmp_path, max_message_bytes=4096) as small:
        assert small.backend.reports.max_body_bytes == 4096
        params = TrainParams(**{**PARAMS.__dict__, "n_layers": 1})
        small.coordinator.submit(TITANIC, target="survived", params=params, model_id="spilled")
        assert small.endpoint.wait_idle(60)
        peek = boto3.client("sqs").receive_message(
            QueueUrl=small.resources.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )["Messages"]
        leaves = [json.loads(m["Body"]) for m in peek]
        spilled = [b for b in leaves if "body_key" in b]
        assert spilled and all("buckets" not in b for b in spilled)
        assert all(len(m["Body"]) <= 4096 for m in peek)
        assert all(len(small.backend.store.get(b["body_key"])) > 4096 for b in spilled)
        with small.drainer(threads=4):
            status = small.wait("spilled")
        assert status.state == "done", status.error
        _same_model(small.model_json("spilled"), reference)
