"""envs/local applied on moto (the shared background apply and ``aws`` clients of conftest.py): the alarm
topic's key and composite alarms, the provisioned-concurrency guard and the API keys
parameter, read back with boto3. Named to run before test_apply_local.py, whose last
test destroys the stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from snakebatch.ops.toggle import DLQ_SUFFIX, ROLE_SUFFIX, SWEEPER_SUFFIX, default_dlq_arn
from snakebatch.settings import defaults, shard_function_name
from tests.terraform.conftest import APPLY_SHARDS, LocalDeploy

pytestmark = pytest.mark.terraform

PREFIX = defaults()["function_prefix"]
ACCOUNT = "123456789012"


def policy(iam: Any, role: str) -> dict[str, Any]:
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    doc = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    return json.loads(doc) if isinstance(doc, str) else doc


def test_the_alarm_topic_uses_a_key_cloudwatch_may_use(deployed: LocalDeploy, aws: Any) -> None:
    topic = deployed.outputs["alarm_topic_arn"]
    key_id = aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
    assert not key_id.startswith("alias/aws/")
    key_policy = json.loads(aws("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    (grant,) = [s for s in key_policy["Statement"] if s["Sid"] == "CloudWatchPublishesAlarms"]
    assert grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert grant["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]


def test_the_queue_concurrency_and_guard_alarms_notify(deployed: LocalDeploy, aws: Any) -> None:
    """(Composite alarms are the tftest's: moto has no PutCompositeAlarm, so envs/local
    turns them off and lets each shard alarm notify.)"""
    names = deployed.outputs["notifying_alarm_names"]
    found = aws("cloudwatch").describe_alarms(AlarmNames=names)
    assert found["CompositeAlarms"] == []
    metric = {a["AlarmName"]: a for a in found["MetricAlarms"]}
    assert set(metric) == set(names)
    assert f"{PREFIX}{DLQ_SUFFIX}-depth" in metric
    assert metric[f"{PREFIX}-alarms-account-concurrency"]["Threshold"] == 800
    assert metric[f"{PREFIX}-alarms-pc-left-on"]["TreatMissingData"] == "breaching"
    topic = deployed.outputs["alarm_topic_arn"]
    assert all(a["AlarmActions"] == [topic] for a in metric.values())


def test_the_pc_guard_exists_under_the_names_pc_on_derives(aws: Any) -> None:
    iam, sqs = aws("iam"), aws("sqs")
    role = iam.get_role(RoleName=f"{PREFIX}{ROLE_SUFFIX}")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    statements = {s["Sid"]: s for s in policy(iam, role["RoleName"])["Statement"]}
    assert statements["TurnOffTheLiveAliases"]["Resource"] == [
        f"arn:aws:lambda:{defaults()['region']}:{ACCOUNT}:function:{shard_function_name(PREFIX, i)}:live"
        for i in range(APPLY_SHARDS)
    ]
    dlq_url = sqs.get_queue_url(QueueName=f"{PREFIX}{DLQ_SUFFIX}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    assert dlq_arn["Attributes"]["QueueArn"] == default_dlq_arn(
        role["Arn"], defaults()["region"], PREFIX
    )
    assert statements["DeadLetterFailedSchedules"]["Resource"] == [
        dlq_arn["Attributes"]["QueueArn"]
    ]


def test_the_sweeper_runs_on_a_rate_schedule_that_dead_letters(aws: Any) -> None:
    sweeper = f"{PREFIX}{SWEEPER_SUFFIX}"
    config = aws("lambda").get_function_configuration(FunctionName=sweeper)
    assert config["Handler"] == "functions/handler_sweep.handler"
    env = config["Environment"]["Variables"]
    assert env["SNAKEBATCH_PC_OFF_ROLE_ARN"].endswith(f":role/{PREFIX}{ROLE_SUFFIX}")
    assert env["SNAKEBATCH_SHARD_COUNT"] == str(APPLY_SHARDS)
    schedule = aws("scheduler").get_schedule(Name=f"{sweeper}-rate")
    assert schedule["ScheduleExpression"] == "rate(15 minutes)"
    assert schedule["Target"]["Arn"] == config["FunctionArn"]
    assert schedule["Target"]["DeadLetterConfig"]["Arn"].endswith(f":{PREFIX}{DLQ_SUFFIX}")


def test_the_full_plan_creates_the_api_keys_securestring(deployed: LocalDeploy) -> None:
    out = deployed.plan_output
    assert "module.snakebatch.aws_ssm_parameter.api_keys[0] will be created" in out
    assert '"/snakebatch/api-keys"' in out and '"SecureString"' in out
