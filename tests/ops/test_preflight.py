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
from snakebatch.settings import Settings
from tests.support import write_outputs

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


def create_lock_table(ddb, table: str) -> None:
    """A table keyed as Terraform's S3 backend locks by."""
    ddb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
    )


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
    create_lock_table(ddb, table)
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


def invoke(*args: str):
    return CliRunner().invoke(app, ["preflight", *args])


@pytest.fixture
def lambda_answers(aws_client, monkeypatch):
    """The command's own clients, with Lambda's GetAccountSettings stubbed (moto has
    none): each Lambda client boto3 makes answers ``limits[0]`` once; every other
    service goes to moto. Yields the limits to answer and the Lambda clients made."""
    limits: list[dict] = [NEW_ACCOUNT]
    made: list = []
    stubs: list[Stubber] = []
    real = boto3.session.Session.client

    def client(self, service, *args, **kwargs):
        new = real(self, service, *args, **kwargs)
        if service == "lambda":
            stub = Stubber(new)
            stub.add_response("get_account_settings", account_settings(limits[0]), {})
            stub.activate()
            made.append(new)
            stubs.append(stub)
        return new

    monkeypatch.setattr(boto3.session.Session, "client", client)
    yield limits, made
    for stub in stubs:
        stub.assert_no_pending_responses()


def test_the_command_reports_an_aws_refusal_as_a_cloud_error(aws_client) -> None:
    """Against moto, GetAccountSettings is refused: exit 3 with the reason, no traceback,
    after the target (moto's account) is named on stderr."""
    aws_client("sts")
    result = invoke("--json")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("target: account 123456789012, region eu-west-3, functions ")
    assert "error:" in result.stderr and "Traceback" not in result.output


def test_the_command_prints_each_finding_and_exits_1_when_something_is_missing(
    lambda_answers,
) -> None:
    limits, _ = lambda_answers
    result = invoke("--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    settings = Settings.from_env()
    assert doc["target"] == {
        "account": "123456789012",
        "region": "eu-west-3",
        "function_prefix": settings.function_prefix,
        "shards": settings.shard_count,
    }
    assert {f["check"] for f in doc["findings"] if not f["ok"]} == {
        "function memory",
        "concurrent executions",
    }
    text = invoke()
    assert text.exit_code == 1
    assert "target: account 123456789012" in text.stderr
    assert "MISSING concurrent executions" in text.stdout and "2 missing" in text.stdout
    limits[0] = RAISED
    ready = invoke()
    assert ready.exit_code == 0, ready.output
    assert "account ready for terraform apply" in ready.stdout


def test_the_clients_fail_fast_like_pc_s(lambda_answers) -> None:
    """Short connect timeout and at most three tries, as every targeted command."""
    _, made = lambda_answers
    assert invoke().exit_code == 1
    (lam,) = made
    assert lam.meta.config.connect_timeout == 3
    assert lam.meta.config.retries["total_max_attempts"] <= 3


def test_region_profile_and_env_pick_the_deployment_checked(
    lambda_answers, tmp_path, monkeypatch
) -> None:
    _, made = lambda_answers
    other = invoke("--json", "--region", "us-east-2")
    assert other.exit_code == 1, other.output
    doc = json.loads(other.stdout)
    assert doc["target"]["region"] == "us-east-2" and made[-1].meta.region_name == "us-east-2"
    (concurrency,) = [f for f in doc["findings"] if f["check"] == "concurrent executions"]
    assert "request-service-quota-increase --region us-east-2" in concurrency["fix"]
    assert "in us-east-2" in doc["findings"][0]["fix"]

    config = tmp_path / "config"
    config.write_text(
        "[profile ops]\nregion = ap-south-1\n"
        "aws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key)
    named = invoke("--json", "--profile", "ops")
    assert named.exit_code == 1, named.stderr
    assert json.loads(named.stdout)["target"]["region"] == "ap-south-1"

    write_outputs(tmp_path, ["dev-w-00", "dev-w-01"], "dev-w")
    dev = invoke("--json", "--env", str(tmp_path), "--region", "eu-west-3")
    assert dev.exit_code == 1, dev.output
    doc = json.loads(dev.stdout)
    assert doc["target"]["function_prefix"] == "dev-w" and doc["target"]["shards"] == 2
    assert "functions dev-w-00..dev-w-01 (2)" in dev.stderr
    (concurrency,) = [f for f in doc["findings"] if f["check"] == "concurrent executions"]
    assert "max(2 shards" in concurrency["detail"]


def test_the_state_checks_run_through_the_command_against_moto(lambda_answers, aws_client):
    limits, _ = lambda_answers
    limits[0] = RAISED
    s3, ddb = aws_client("s3"), aws_client("dynamodb")
    bucket, table = f"tfstate-{uuid.uuid4().hex[:8]}", f"tflock-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    args = ("--json", "--state-bucket", bucket, "--lock-table", table)
    absent = invoke(*args)
    assert absent.exit_code == 1, absent.output
    found = {f["check"]: f for f in json.loads(absent.stdout)["findings"]}
    assert "versioning off" in found["state bucket"]["detail"]
    assert "does not exist" in found["state lock table"]["detail"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    create_lock_table(ddb, table)
    ready = invoke(*args)
    assert ready.exit_code == 0, ready.output
    assert json.loads(ready.stdout)["ok"] is True


def test_without_credentials_it_names_the_target_and_refuses_with_exit_3(no_credentials):
    result = invoke("--json", "--region", "eu-west-3")
    assert result.exit_code == 3 and result.stdout == ""
    assert "target: account unresolved" in result.stderr
    assert "refusing to act" in result.stderr and "pass --profile NAME" in result.stderr
    unknown = invoke("--profile", "nobody")
    assert unknown.exit_code == 3 and "aws configure list-profiles" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rows", "0"), "rows must be a positive integer"),
        (("--layers", "-1"), "layers must be a positive integer"),
        (("--reserved", "0"), "--reserved"),
        (("--env", "/nonexistent/deployment"), "no such deployment directory"),
    ],
)
def test_bad_input_is_refused_before_any_aws_call(no_credentials, args, message) -> None:
    result = invoke(*args)
    assert result.exit_code in (2, 3) and message in result.stderr, result.output
    assert "Traceback" not in result.output
