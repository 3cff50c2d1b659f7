"""Account checks before a first ``terraform apply``: what a fresh account lacks.

A new AWS account runs Lambda with 10 concurrent executions and 3008 MB of memory, far
below what the stack needs (4096 MB shards, a 100-way fan-out, 100 slots AWS keeps
unreserved); Terraform would only find out halfway through an apply, or the first
training would wedge. Each check here reads one fact, compares it with what the
deployment needs, and says how to get what is missing. The boto3 clients are passed
in, so the same code runs against AWS and against moto.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from snakebatch.ops.planner import UNRESERVED_MINIMUM
from snakebatch.ops.quotas import CONCURRENT_EXECUTIONS_CODE

#: New accounts may not give a function more than this until AWS raises it (support case).
NEW_ACCOUNT_MEMORY_MB = 3008
#: Lambda's memory ceiling for any account.
MAX_MEMORY_MB = 10240
#: Accounts below this concurrency quota are still on the new-account limits.
NEW_ACCOUNT_CONCURRENCY = 1000


@dataclass(frozen=True)
class Needs:
    """What the deployment asks of the account."""

    region: str
    memory_mb: int
    shard_count: int
    slots: int = 0
    reserved_per_shard: int | None = None
    certificate_arn: str | None = None
    state_bucket: str | None = None
    lock_table: str | None = None

    @property
    def concurrency(self) -> int:
        """Every shard at once (the root fan-out) or the plan's slots, whichever is more,
        on top of the 100 AWS keeps unreserved, plus any reservations."""
        reserved = (self.reserved_per_shard or 0) * self.shard_count
        return max(self.shard_count, self.slots) + UNRESERVED_MINIMUM + reserved


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        mark = "ok  " if self.ok else "MISSING"
        return f"{mark} {self.check}: {self.detail}" + (
            "" if self.ok else f"\n        fix: {self.fix}"
        )


def _code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


def quota_increase(region: str, value: int) -> str:
    return (
        f"aws service-quotas request-service-quota-increase --region {region} "
        f"--service-code lambda --quota-code {CONCURRENT_EXECUTIONS_CODE} --desired-value {value}"
    )


def check_concurrency(needs: Needs, limits: dict[str, Any]) -> list[Finding]:
    """Account concurrency vs the need, and reservations vs the 100 unreserved."""
    limit = int(limits["ConcurrentExecutions"])
    unreserved = int(limits.get("UnreservedConcurrentExecutions", limit))
    findings = [
        Finding(
            "concurrent executions",
            limit >= needs.concurrency,
            f"account quota {limit}, the deployment needs {needs.concurrency} "
            f"(max({needs.shard_count} shards, {needs.slots} slots) + {UNRESERVED_MINIMUM} unreserved"
            + (
                f" + {needs.reserved_per_shard} reserved x {needs.shard_count}"
                if needs.reserved_per_shard
                else ""
            )
            + ")",
            quota_increase(needs.region, needs.concurrency),
        )
    ]
    if needs.reserved_per_shard:
        reserving = needs.reserved_per_shard * needs.shard_count
        left = unreserved - reserving
        findings.append(
            Finding(
                "unreserved concurrency",
                left >= UNRESERVED_MINIMUM,
                f"{unreserved} unreserved now, {reserving} to reserve leaves {left} "
                f"(AWS requires at least {UNRESERVED_MINIMUM})",
                f"lower reserved_concurrency to at most "
                f"{max(0, (unreserved - UNRESERVED_MINIMUM) // needs.shard_count)} per shard, "
                f"or {quota_increase(needs.region, reserving + UNRESERVED_MINIMUM + (limit - unreserved))}",
            )
        )
    return findings


def check_memory(needs: Needs, limits: dict[str, Any]) -> Finding:
    """No API tells a function's memory ceiling; a new-account concurrency quota means
    the new-account memory ceiling too."""
    limit = int(limits["ConcurrentExecutions"])
    if needs.memory_mb > MAX_MEMORY_MB:
        return Finding(
            "function memory",
            False,
            f"{needs.memory_mb} MB exceeds Lambda's {MAX_MEMORY_MB} MB",
            "lower lambda_memory_mb in snakebatch/settings.json",
        )
    new_account = limit < NEW_ACCOUNT_CONCURRENCY
    ok = needs.memory_mb <= NEW_ACCOUNT_MEMORY_MB or not new_account
    return Finding(
        "function memory",
        ok,
        f"shards ask {needs.memory_mb} MB; "
        + (
            f"a concurrency quota of {limit} (< {NEW_ACCOUNT_CONCURRENCY}) means new-account limits, "
            f"which cap memory at {NEW_ACCOUNT_MEMORY_MB} MB"
            if new_account
            else f"an established account (concurrency quota {limit}) allows up to {MAX_MEMORY_MB} MB"
        ),
        f"open an AWS Support case (Service limit increase > Lambda) for {needs.memory_mb} MB "
        f"functions in {needs.region}; raising the concurrency quota usually lifts both",
    )


def check_certificate(acm: Any, arn: str) -> Finding:
    fix = (
        "request one: aws acm request-certificate --domain-name <gatherer host> "
        "--validation-method DNS, add the CNAME it prints, wait for ISSUED"
    )
    try:
        cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    except Exception as error:
        if _code(error) in {
            "ResourceNotFoundException",
            "ValidationException",
            "InvalidArnException",
        }:
            return Finding("ACM certificate", False, f"{arn} does not exist ({_code(error)})", fix)
        raise
    status = cert.get("Status", "")
    return Finding(
        "ACM certificate",
        status == "ISSUED",
        f"{cert.get('DomainName')} is {status}",
        fix
        if status != "PENDING_VALIDATION"
        else "add the DNS validation record ACM shows, then wait for ISSUED",
    )


def check_state_bucket(s3: Any, bucket: str) -> Finding:
    fix = (
        f"aws s3api create-bucket --bucket {bucket} --create-bucket-configuration "
        f"LocationConstraint=<region> && aws s3api put-bucket-versioning --bucket {bucket} "
        "--versioning-configuration Status=Enabled"
    )
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception as error:
        if _code(error) in {"404", "NoSuchBucket", "NotFound"}:
            return Finding("state bucket", False, f"{bucket} does not exist", fix)
        if _code(error) in {"403", "AccessDenied"}:
            return Finding("state bucket", False, f"{bucket} exists but is not yours to read", fix)
        raise
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    return Finding(
        "state bucket",
        versioning == "Enabled",
        f"{bucket} exists, versioning {versioning or 'off'}",
        f"aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled",
    )


def check_lock_table(dynamodb: Any, table: str) -> Finding:
    fix = (
        f"aws dynamodb create-table --table-name {table} --billing-mode PAY_PER_REQUEST "
        "--attribute-definitions AttributeName=LockID,AttributeType=S "
        "--key-schema AttributeName=LockID,KeyType=HASH"
    )
    try:
        keys = dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]
    except Exception as error:
        if _code(error) == "ResourceNotFoundException":
            return Finding("state lock table", False, f"{table} does not exist", fix)
        raise
    ok = keys == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    return Finding(
        "state lock table", ok, f"{table} keyed by {[k['AttributeName'] for k in keys]}", fix
    )


def preflight(needs: Needs, client: Callable[[str], Any]) -> list[Finding]:
    """Every check the needs call for; ``client(service)`` makes the boto3 clients."""
    limits = client("lambda").get_account_settings()["AccountLimit"]
    findings = [check_memory(needs, limits), *check_concurrency(needs, limits)]
    if needs.certificate_arn:
        findings.append(check_certificate(client("acm"), needs.certificate_arn))
    if needs.state_bucket:
        findings.append(check_state_bucket(client("s3"), needs.state_bucket))
    if needs.lock_table:
        findings.append(check_lock_table(client("dynamodb"), needs.lock_table))
    return findings
