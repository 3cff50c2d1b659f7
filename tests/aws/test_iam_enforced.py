"""The gatherer and the shards under the IAM roles Terraform writes, enforced.

``iam_stack`` is envs/prod, applied in full with 3 shards on a moto server that checks
every call (``tests.aws.iam_stack``). The gatherer runs in process on the gatherer role's STS
session; the Lambda endpoint runs the real handler on the shard role's session and
refuses invokes the caller's role does not grant. A grant Terraform forgets is then a
failing request here, where the shared moto server would have let it pass.
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from starlette.testclient import TestClient

from snakebatch.backends.aws_store import S3Store
from snakebatch.backends.base import ObjectMissing, StoreDenied
from snakebatch.gatherer import GathererConfig, create_app
from snakebatch.gatherer.config import Limits
from snakebatch.ops.prices import PREDECESSOR_PRICES
from snakebatch.ops.toggle import PcToggle, plan_toggle, schedule_name
from snakebatch.settings import Settings
from tests.aws.iam_stack import ACCOUNT, SHARDS, IamStack, client, enforce
from tests.aws.lambda_endpoint import LambdaEndpoint
from tests.gatherer.conftest import DATA, wait_state

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
HANDLER = REPO / "functions" / "handler_snake.py"
FANOUT_ROWS = 600  # > 2 chunks of 256 over 3 shards
TRAIN = {"target": "survived", "n_layers": 2, "tau": 250, "bucket": 80, "seed": 5}


@contextlib.contextmanager
def gatherer(stack: IamStack, home: Path) -> Iterator[tuple[TestClient, LambdaEndpoint]]:
    """The gatherer on its role, the shards on theirs, both against the enforcing server."""
    endpoint = LambdaEndpoint(
        HANDLER,
        {**stack.env(stack.shard), "SNAKEBATCH_HOME": str(home / "lambda")},
        function_prefix=stack.env(stack.shard)["SNAKEBATCH_FUNCTION_PREFIX"],
        shard_count=SHARDS,
        workers=2,
        blocking_workers=2,
        on_failure_queue_url=stack.names["queue_url"],
        authorize=stack.authorizer,
    ).start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for key in ("AWS_PROFILE", "AWS_CONFIG_FILE"):
                mp.delenv(key, raising=False)
            for key, value in {
                **stack.env(stack.gatherer),
                "AWS_ENDPOINT_URL_LAMBDA": endpoint.url,
                "AWS_MAX_ATTEMPTS": "12",
            }.items():
                mp.setenv(key, value)
            base = GathererConfig.from_env()
            config = replace(
                base,
                settings=replace(base.settings, home=home / "gatherer"),
                limits=Limits(fanout_rows=FANOUT_ROWS - 1),
            )
            with TestClient(create_app(config)) as c:
                yield c, endpoint
    finally:
        endpoint.close()


def train_from_upload(c: TestClient) -> str:
    up = c.post("/v9/upload", content=(DATA / "titanic.csv").read_bytes())
    assert up.status_code in (200, 201), up.text
    r = c.post("/v9/train", params={**TRAIN, "upload_id": up.json()["upload_id"]})
    assert r.status_code == 202, r.text
    return r.json()["model_id"]


def fan_out(c: TestClient, model_id: str):
    rows = [{"sex": "female", "pclass": 1 + i % 3} for i in range(FANOUT_ROWS)]
    return c.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows})


@pytest.fixture(scope="module")
def trained(iam_stack: IamStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """One gatherer for the module and a model trained through it, from an upload."""
    with gatherer(iam_stack, tmp_path_factory.mktemp("iam-gatherer")) as (c, endpoint):
        model_id = train_from_upload(c)
        status = wait_state(c, model_id, timeout_s=180)
        assert status["state"] == "done", status["error"]
        yield c, endpoint, model_id


def test_upload_train_status_model_and_fan_out_pass_under_the_terraform_roles(trained):
    c, endpoint, model_id = trained
    full = c.get(f"/v9/model/{model_id}")
    stripped = c.get(f"/v9/model/{model_id}/stripped")
    assert full.status_code == 200 and full.json()["population"]
    assert stripped.status_code == 200 and stripped.json()["population"] == []
    p = fan_out(c, model_id)
    assert p.status_code == 200, p.text
    assert p.json()["n"] == FANOUT_ROWS and p.json()["fanout"]["chunks"] == 3
    inline = c.post("/v9/predict-sync", json={"model_id": model_id, "rows": [{"sex": "male"}]})
    assert inline.status_code == 200 and inline.json()["n"] == 1
    assert endpoint.wait_idle(60)
    assert endpoint.counts.roles.get("predict_compute") == 3
    assert endpoint.counts.failed == 0


def test_the_enforced_stack_is_envs_prod_with_its_alb_and_alarm_subscriber(iam_stack):
    """What prod adds to the shared modules is in the applied state, not only planned."""
    out = iam_stack.tf.outputs()
    settings = Settings.from_env(iam_stack.env(iam_stack.operator))
    assert out["function_names"] == [settings.function_name(i) for i in range(SHARDS)]
    assert out["gatherer_url"].startswith("https://")
    sns = client("sns", iam_stack.url, iam_stack.operator)
    subs = sns.list_subscriptions_by_topic(TopicArn=out["alarm_topic_arn"])["Subscriptions"]
    assert [s["Protocol"] for s in subs] == ["email"]
    elb = client("elbv2", iam_stack.url, iam_stack.operator)
    (lb,) = elb.describe_load_balancers()["LoadBalancers"]
    listeners = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert {(lst["Protocol"], lst["Port"]) for lst in listeners} >= {("HTTPS", 443)}


@contextlib.contextmanager
def without(stack: IamStack, role: str, sid: str) -> Iterator[None]:
    """The role's policy as Terraform wrote it, minus one statement, for the block."""
    written = stack.policy(role)
    cut = copy.deepcopy(written)
    cut["Statement"] = [st for st in cut["Statement"] if st.get("Sid") != sid]
    assert len(cut["Statement"]) == len(written["Statement"]) - 1, f"no statement {sid}"
    stack.put_policy(role, cut)
    try:
        yield
    finally:
        stack.put_policy(role, written)


def test_fan_out_without_the_gatherers_predict_grant_is_denied(iam_stack, trained, caplog):
    c, endpoint, model_id = trained
    with without(iam_stack, iam_stack.gatherer_role, "FanOutPredictions"):
        denied = fan_out(c, model_id)
    assert denied.status_code == 500, denied.text
    assert "StoreDenied" in caplog.text and "queries.json (store)" in caplog.text
    assert "s3:PutObject" in caplog.text
    assert endpoint.wait_idle(60)
    assert fan_out(c, model_id).status_code == 200


def test_a_missing_key_is_404_with_list_bucket_and_denied_without(iam_stack):
    store = S3Store(client("s3", iam_stack.url, iam_stack.shard), iam_stack.names["bucket"])
    with pytest.raises(ObjectMissing):
        store.get("predict/none/out-000000000.json")
    assert store.exists("jobs/none/model.json") is False
    with without(iam_stack, iam_stack.shard_role, "TellMissingFromDenied"):
        with pytest.raises(StoreDenied, match="s3:ListBucket"):
            store.get("predict/none/out-000000000.json")
        with pytest.raises(StoreDenied, match="access denied"):
            store.exists("jobs/none/model.json")


def test_runtime_roles_cannot_touch_what_they_do_not_own(iam_stack):
    """The shard role writes no staging and reads no uploads; it sends reports but may
    not receive them (the gatherer drains)."""
    bucket = iam_stack.names["bucket"]
    shard_s3 = client("s3", iam_stack.url, iam_stack.shard)
    with pytest.raises(ClientError, match="AccessDenied"):
        shard_s3.put_object(Bucket=bucket, Key="jobs/x/pop.json.gz", Body=b"0")
    with pytest.raises(ClientError, match="AccessDenied"):
        shard_s3.get_object(Bucket=bucket, Key="uploads/up_x/data.csv")
    shard_sqs = client("sqs", iam_stack.url, iam_stack.shard)
    with pytest.raises(ClientError, match="AccessDenied"):
        shard_sqs.receive_message(QueueUrl=iam_stack.names["queue_url"])


def test_pc_on_fires_off_under_the_scheduler_role_and_no_runtime_role_may_turn_it_on(iam_stack):
    """``pc on`` as the operator (schedules on moto, slots on the Lambda endpoint); each
    schedule's target then runs under the scheduler role Terraform writes and turns its
    shard off. Neither the runtime roles nor the scheduler role may put slots on."""
    settings = Settings.from_env(iam_stack.env(iam_stack.operator))
    endpoint = LambdaEndpoint(
        HANDLER,
        iam_stack.env(iam_stack.shard),
        function_prefix=settings.function_prefix,
        shard_count=SHARDS,
        workers=1,
        blocking_workers=1,
        authorize=iam_stack.authorizer,
    ).start()
    try:
        functions = [settings.function_name(i) for i in range(SHARDS)]
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/{iam_stack.scheduler_role}"
        scheduler = client("scheduler", iam_stack.url, iam_stack.operator)
        toggle = PcToggle(_lambda(endpoint.url, iam_stack.operator), scheduler, settings, role_arn)
        now = datetime.now(UTC)
        plan = plan_toggle(SHARDS, 3600, settings, PREDECESSOR_PRICES, 4.0, now)
        assert toggle.on(plan) == functions
        assert set(endpoint.provisioned) == {(f, "live") for f in functions}

        first = functions[0]
        for who in (iam_stack.shard, iam_stack.gatherer):
            with pytest.raises(ClientError, match="AccessDenied"):
                _lambda(endpoint.url, who).put_provisioned_concurrency_config(
                    FunctionName=first, Qualifier="live", ProvisionedConcurrentExecutions=1
                )
        fired = _lambda(endpoint.url, iam_stack.scheduler)
        with pytest.raises(ClientError, match="AccessDenied"):
            fired.put_provisioned_concurrency_config(
                FunctionName=first, Qualifier="live", ProvisionedConcurrentExecutions=1
            )
        # Each schedule fires: its target, under the role it names. The test reads the
        # schedules with enforcement paused: moto rejects the signature of every
        # Scheduler GET (SignatureDoesNotMatch), whoever signs it.
        enforce(iam_stack.url, False)
        try:
            targets = [scheduler.get_schedule(Name=schedule_name(f))["Target"] for f in functions]
        finally:
            enforce(iam_stack.url, True)
        for target in targets:
            assert target["RoleArn"] == role_arn
            fired.delete_provisioned_concurrency_config(**json.loads(target["Input"]))
        assert endpoint.provisioned == {}
    finally:
        endpoint.close()


def _lambda(url: str, who):
    return client("lambda", url, who)
