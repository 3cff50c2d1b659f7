"""envs/local applied with 3 shards against a moto server on 127.0.0.1, checked with boto3.

The apply runs in the background from the first terraform test on (see conftest);
these tests wait for it, then read back every resource over the AWS API and compare
it with what the modules declare, and what a shard would make of its environment; the
last one destroys and checks nothing is left. The file sorts first on purpose: the
root checks and checkov keep running in the background while these wait and destroy.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from snakebatch.settings import (
    Settings,
    bucket_name,
    defaults,
    env_name,
    shard_for,
    shard_function_name,
)
from tests.terraform.conftest import APPLY_SHARDS, SAMPLES, Artefacts, LocalDeploy

#: moto's account: the default bucket name carries it (settings.bucket is a template).
BUCKET = bucket_name(defaults()["bucket"], "123456789012", defaults()["region"])

pytestmark = pytest.mark.terraform


def names() -> list[str]:
    return [shard_function_name(defaults()["function_prefix"], i) for i in range(APPLY_SHARDS)]


# The moto server shares its in-process state with other suites' servers, so every
# lookup below is by this stack's own names, never "everything in the account".
def deployed_functions(aws: Any) -> list[str]:
    shard = re.compile(re.escape(defaults()["function_prefix"]) + r"-[0-9]{2}")
    return [
        f["FunctionName"]
        for f in aws("lambda").list_functions()["Functions"]
        if shard.fullmatch(f["FunctionName"])
    ]


def alarm_names(deployed: LocalDeploy) -> list[str]:
    s = defaults()
    per_shard = [n for ns in deployed.outputs["shard_alarm_names"].values() for n in ns]
    return [*per_shard, f"{s['reports_queue']}-oldest-message-age", f"{s['reports_dlq']}-depth"]


def queue_urls(aws: Any) -> list[str]:
    s = defaults()
    listed = aws("sqs").list_queues(QueueNamePrefix=s["reports_queue"]).get("QueueUrls", [])
    return [u for u in listed if u.rsplit("/", 1)[1] in (s["reports_queue"], s["reports_dlq"])]


def test_functions_run_the_handler_on_the_layer(deployed: LocalDeploy, aws: Any) -> None:
    lam = aws("lambda")
    s = defaults()
    assert sorted(deployed_functions(aws)) == names()
    for name in names():
        cfg = lam.get_function_configuration(FunctionName=name)
        assert cfg["Handler"] == "functions/handler_snake.handler"
        assert cfg["Runtime"] == s["lambda_runtime"]
        assert cfg["Architectures"] == [s["lambda_architecture"]]
        assert cfg["MemorySize"] == s["lambda_memory_mb"]
        assert cfg["Timeout"] == s["lambda_timeout_s"]
        assert [layer["Arn"] for layer in cfg["Layers"]] == [deployed.outputs["layer_arn"]]
        assert cfg["TracingConfig"]["Mode"] == "Active"


def test_layer_is_published_for_the_runtime(deployed: LocalDeploy, aws: Any) -> None:
    s = defaults()
    versions = aws("lambda").list_layer_versions(LayerName=s["layer_name"])["LayerVersions"]
    assert [v["LayerVersionArn"] for v in versions] == [deployed.outputs["layer_arn"]]
    assert versions[0]["CompatibleRuntimes"] == [s["lambda_runtime"]]


def test_every_shard_has_the_alias_on_a_published_version(aws: Any) -> None:
    lam = aws("lambda")
    for name in names():
        alias = lam.get_alias(FunctionName=name, Name=defaults()["alias"])
        assert re.fullmatch(r"[0-9]+", alias["FunctionVersion"]), alias


def test_async_failures_become_error_reports(aws: Any) -> None:
    """On-failure records go to the reports queue, which the drainer reads as errors."""
    lam, sqs = aws("lambda"), aws("sqs")
    url = sqs.get_queue_url(QueueName=defaults()["reports_queue"])["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    for name in names():
        cfg = lam.get_function_event_invoke_config(FunctionName=name)
        assert cfg["MaximumRetryAttempts"] == 1
        assert cfg["MaximumEventAgeInSeconds"] == 900
        assert (
            cfg["DestinationConfig"]["OnFailure"]["Destination"]
            == queue_arn["Attributes"]["QueueArn"]
        )


def test_reports_queue_redrives_to_an_encrypted_dlq(aws: Any) -> None:
    sqs = aws("sqs")
    s = defaults()
    url = sqs.get_queue_url(QueueName=s["reports_queue"])["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=s["reports_dlq"])["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attrs["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 5
    assert attrs["SqsManagedSseEnabled"] == "true" and dlq["SqsManagedSseEnabled"] == "true"
    assert attrs["VisibilityTimeout"] == "60"
    assert int(dlq["MessageRetentionPeriod"]) >= int(attrs["MessageRetentionPeriod"])


def test_job_table_is_on_demand_with_ttl_and_pitr(aws: Any) -> None:
    from snakebatch.backends.aws_table import KEY, TTL_ATTRIBUTE

    ddb = aws("dynamodb")
    table = defaults()["job_table"]
    described = ddb.describe_table(TableName=table)["Table"]
    assert described["KeySchema"] == [{"AttributeName": KEY, "KeyType": "HASH"}]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": TTL_ATTRIBUTE}
    backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_bucket_is_encrypted_private_versioned_tls_only_and_expires_jobs(aws: Any) -> None:
    s3 = aws("s3")
    bucket = BUCKET
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    staging = next(r for r in rules if r["ID"] == "expire-job-staging")
    assert staging["Filter"]["Prefix"] == "jobs/"
    assert staging["Expiration"]["Days"] == defaults()["job_retention_days"]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    (deny,) = policy["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"]["Bool"]["aws:SecureTransport"] == "false"


def test_no_lifecycle_rule_expires_the_gatherer_artefacts(aws: Any) -> None:
    """The gatherer fetches artifacts/ at every boot (scale-out, instance refresh)."""
    rules = aws("s3").get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    expiring = [r for r in rules if r["Status"] == "Enabled" and "Expiration" in r]
    assert expiring, "expected the jobs/ staging expiry"
    for rule in expiring:
        found = rule.get("Filter", {})
        prefix = found.get("Prefix", found.get("And", {}).get("Prefix", rule.get("Prefix", "")))
        assert prefix and not "artifacts/gatherer/".startswith(prefix), rule


def test_every_shard_has_every_alarm_on_the_topic(deployed: LocalDeploy, aws: Any) -> None:
    cw = aws("cloudwatch")
    alarms = cw.describe_alarms(AlarmNames=alarm_names(deployed))["MetricAlarms"]
    assert len(alarms) == 5 * APPLY_SHARDS + 2
    by_function: dict[str, set[str]] = {}
    topic = deployed.outputs["alarm_topic_arn"]
    for alarm in alarms:
        assert alarm["AlarmActions"] == [topic], alarm["AlarmName"]
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        if "FunctionName" in dims:
            by_function.setdefault(dims["FunctionName"], set()).add(alarm["MetricName"])
    expected = {"Errors", "Throttles", "Duration", "AsyncEventAge", "AsyncEventsDropped"}
    assert by_function == {name: expected for name in names()}
    queue_metrics = {
        (a["MetricName"], a["Dimensions"][0]["Value"])
        for a in alarms
        if a["Namespace"] == "AWS/SQS"
    }
    s = defaults()
    assert queue_metrics == {
        ("ApproximateAgeOfOldestMessage", s["reports_queue"]),
        ("ApproximateNumberOfMessagesVisible", s["reports_dlq"]),
    }


def test_shard_role_is_scoped(aws: Any) -> None:
    iam = aws("iam")
    lam = aws("lambda")
    role_arn = lam.get_function_configuration(FunctionName=names()[0])["Role"]
    role = role_arn.rsplit("/", 1)[1]
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    doc = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    statements = {st["Sid"]: st for st in doc["Statement"]}
    prefix = defaults()["function_prefix"]
    assert all(
        r.endswith((f":function:{prefix}-??", f":function:{prefix}-??:live"))
        for r in statements["InvokeSiblingShards"]["Resource"]
    )
    bucket = f"arn:aws:s3:::{BUCKET}"
    assert statements["ReadJobsAndPredictions"]["Resource"] == [f"{bucket}/jobs/*", f"{bucket}/predict/*"]
    assert statements["TellMissingFromDenied"]["Resource"] == [bucket]
    assert statements["SendReports"]["Resource"][0].endswith(f":{defaults()['reports_queue']}")
    assert statements["UpdateJobTable"]["Resource"][0].endswith(f":table/{defaults()['job_table']}")


def test_plan_of_the_full_100_shard_env(deployed: LocalDeploy, artefacts: Artefacts) -> None:
    """The default env (100 shards, gatherer on) plans cleanly against the same server."""
    out = deployed.plan_output
    match = re.search(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy", out)
    assert match, out[-3000:]
    for shard in (0, 42, 99):
        name = shard_function_name(defaults()["function_prefix"], shard)
        assert f"module.snakebatch.module.mesh.aws_lambda_function.shard[{shard}]" in out
        assert f'"{name}-duration-p99"' in out
    assert "module.snakebatch.module.mesh.aws_lambda_function.shard[100]" not in out
    assert "module.snakebatch.module.gatherer[0].aws_autoscaling_group.this" in out
    # The built docs tarball is uploaded under artifacts/, keyed by its MD5.
    digest = hashlib.md5(artefacts.docs.read_bytes()).hexdigest()
    assert "module.snakebatch.aws_s3_object.gatherer_docs[0] will be created" in out
    assert f'"artifacts/gatherer/{digest}/docs.tar.gz"' in out
    # 100 x (function, alias, log group, 2 async configs, 5 alarms) + the rest
    assert int(match.group(1)) >= 100 * 10


def test_a_deployed_shard_reads_back_the_stack_it_lives_in(deployed: LocalDeploy, aws: Any) -> None:
    s = defaults()
    lam, sqs = aws("lambda"), aws("sqs")
    for shard in range(APPLY_SHARDS):
        name = shard_function_name(s["function_prefix"], shard)
        env = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        assert env == deployed.outputs["shard_environment"]
        settings = Settings.from_env(env)
        assert settings.backend == "aws"
        assert settings.function_name(shard) == name
        assert settings.shard_count == APPLY_SHARDS
        assert settings.bucket == BUCKET and settings.job_table == s["job_table"]
        assert (
            settings.reports_queue_url
            == sqs.get_queue_url(QueueName=s["reports_queue"])["QueueUrl"]
        )
        assert settings.reports_dlq_url == sqs.get_queue_url(QueueName=s["reports_dlq"])["QueueUrl"]
    assert set(deployed.outputs["shard_environment"]) == {
        env_name(k)
        for k in (
            "backend",
            "function_prefix",
            "shard_count",
            "bucket",
            "reports_queue_url",
            "reports_dlq_url",
            "job_table",
        )
    }
    assert deployed.outputs["shard_for"] == [shard_for(m, k, APPLY_SHARDS) for m, k in SAMPLES]


def test_destroy_leaves_nothing(deployed: LocalDeploy, aws: Any) -> None:
    deployed.destroy()
    assert deployed_functions(aws) == []
    assert queue_urls(aws) == []
    assert defaults()["job_table"] not in aws("dynamodb").list_tables()["TableNames"]
    assert BUCKET not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]
    assert aws("cloudwatch").describe_alarms(AlarmNames=alarm_names(deployed))["MetricAlarms"] == []
