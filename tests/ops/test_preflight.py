"""``snakebatch preflight``: ACM, S3 and DynamoDB against moto; Lambda's account settings
through ``botocore.stub.Stubber`` (moto has no GetAccountSettings), which checks each
request and response against the real service model."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from snakebatch.cli import app
from snakebatch.ops.preflight import (
    Needs,
    check_certificate,
    check_concurrency,
    check_memory,
    preflight,
)

NEW_ACCOUNT = {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}
RAISED = {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": 1000}
NEEDS = Needs(region="eu-west-3", memory_mb=4096, shard_count=100, slots=81)


def account_settings(limits: dict) -> dict:
    return {
        "AccountLimit": {
            "TotalCodeSize": 80530636800,
            "CodeSizeUnzipped": 262144000,
            "CodeSizeZipped": 52428800,
            **limits,
        },
        "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": 0},
    }


@pytest.fixture
def clients(aws_client):
    """``client(service)``: moto for everything but Lambda's account settings (stubbed)."""
    lam = boto3.session.Session().client(
        "lambda", region_name="eu-west-3", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(lam) as stub:
        yield stub, (lambda service: lam if service == "lambda" else aws_client(service))
        stub.assert_no_pending_responses()


def test_a_new_account_lacks_memory_and_concurrency_and_says_how_to_ask() -> None:
    memory = check_memory(NEEDS, NEW_ACCOUNT)
    assert not memory.ok and "3008 MB" in memory.detail and "Support case" in memory.fix
    (concurrency,) = check_concurrency(NEEDS, NEW_ACCOUNT)
    assert not concurrency.ok
    assert "account quota 10, the deployment needs 200" in concurrency.detail
    assert "--quota-code L-B99A9384 --desired-value 200" in concurrency.fix


def test_a_raised_account_passes_and_the_need_follows_the_plan() -> None:
    assert check_memory(NEEDS, RAISED).ok
    assert check_concurrency(NEEDS, RAISED)[0].ok
    big = Needs(region="eu-west-3", memory_mb=4096, shard_count=100, slots=950)
    (short,) = check_concurrency(big, RAISED)
    assert not short.ok and "needs 1050" in short.detail
    assert not check_memory(Needs("eu-west-3", 12000, 100), RAISED).ok


def test_reservations_must_leave_100_unreserved() -> None:
    fits = Needs(region="eu-west-3", memory_mb=3008, shard_count=100, reserved_per_shard=9)
    _, unreserved = check_concurrency(fits, {"ConcurrentExecutions": 1000})
    assert unreserved.ok and "leaves 100" in unreserved.detail
    over = Needs(region="eu-west-3", memory_mb=3008, shard_count=100, reserved_per_shard=10)
    total, unreserved = check_concurrency(over, {"ConcurrentExecutions": 1000})
    assert not unreserved.ok and "leaves 0" in unreserved.detail
    assert "at most 9 per shard" in unreserved.fix
    assert not total.ok and "needs 1200" in total.detail


def test_certificate_state_bucket_and_lock_table_against_moto(clients, aws_client) -> None:
    stub, client = clients
    stub.add_response("get_account_settings", account_settings(RAISED), {})
    acm, s3, ddb = aws_client("acm"), aws_client("s3"), aws_client("dynamodb")
    arn = acm.request_certificate(DomainName="gatherer.example.com")["CertificateArn"]
    bucket, table = f"tfstate-{uuid.uuid4().hex[:8]}", f"tflock-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    ddb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
    )
    needs = Needs(
        region="eu-west-3",
        memory_mb=4096,
        shard_count=100,
        certificate_arn=arn,
        state_bucket=bucket,
        lock_table=table,
    )
    found = {f.check: f for f in preflight(needs, client)}
    status = acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
    assert found["ACM certificate"].ok == (status == "ISSUED")
    assert status in found["ACM certificate"].detail
    assert not found["state bucket"].ok and "versioning off" in found["state bucket"].detail
    assert found["state lock table"].ok
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert check_certificate(acm, arn.replace(arn[-6:], "000000")).ok is False
    stub.add_response("get_account_settings", account_settings(RAISED), {})
    again = {f.check: f for f in preflight(needs, client)}
    assert again["state bucket"].ok and again["concurrent executions"].ok


def test_missing_bucket_table_and_certificate_are_findings_not_crashes(clients) -> None:
    stub, client = clients
    stub.add_response("get_account_settings", account_settings(NEW_ACCOUNT), {})
    needs = Needs(
        region="eu-west-3",
        memory_mb=4096,
        shard_count=3,
        certificate_arn="arn:aws:acm:eu-west-3:123456789012:certificate/00000000-0000-0000-0000-000000000000",
        state_bucket=f"absent-{uuid.uuid4().hex[:8]}",
        lock_table=f"absent-{uuid.uuid4().hex[:8]}",
    )
    found = preflight(needs, client)
    assert [f.check for f in found if not f.ok] == [
        "function memory",
        "concurrent executions",
        "ACM certificate",
        "state bucket",
        "state lock table",
    ]
    assert all(f.fix for f in found if not f.ok)
    assert "create-bucket" in found[3].fix and "create-table" in found[4].fix


def test_the_command_reports_an_aws_refusal_as_a_cloud_error(aws_client) -> None:
    """Against moto, GetAccountSettings is refused: exit 3 with the reason, no traceback."""
    aws_client("sts")
    result = CliRunner().invoke(app, ["preflight", "--json"])
    assert result.exit_code == 3, result.output
    assert "error:" in result.output and "Traceback" not in result.output


def test_the_command_prints_each_finding_and_exits_1_when_something_is_missing(
    aws_client, monkeypatch
) -> None:
    """The command's own wiring, with Lambda's answer stubbed on the client it makes."""
    import snakebatch.backends.aws_clients as aws_clients

    real = aws_clients.make_client

    def make_client(service, region, config=None):
        client = real(service, region, config)
        if service == "lambda":
            stub = Stubber(client)
            stub.add_response("get_account_settings", account_settings(NEW_ACCOUNT), {})
            stub.activate()
        return client

    monkeypatch.setattr(aws_clients, "make_client", make_client)
    result = CliRunner().invoke(app, ["preflight", "--json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["ok"] is False
    assert {f["check"] for f in doc["findings"] if not f["ok"]} == {
        "function memory",
        "concurrent executions",
    }
    text = CliRunner().invoke(app, ["preflight"])
    assert "MISSING concurrent executions" in text.output and "2 missing" in text.output
