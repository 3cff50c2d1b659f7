"""The job bucket's default name is unique per account and region, the same rule in
Python and Terraform's naming module (tests/terraform/test_consistency.py)."""

from __future__ import annotations

import pytest

from snakebatch.settings import Settings, bucket_name, defaults, env_name


def test_the_default_template_carries_account_and_region() -> None:
    template = defaults()["bucket"]
    assert bucket_name(template, "123456789012", "eu-west-3") == (
        "snakebatch-jobs-123456789012-eu-west-3"
    )
    assert bucket_name(template, "210987654321", "us-east-1") != bucket_name(
        template, "123456789012", "us-east-1"
    )


def test_an_override_is_kept_as_is() -> None:
    assert bucket_name("acme-jobs", "", "eu-west-3") == "acme-jobs"


@pytest.mark.parametrize("account", ["", "1234", "12345678901a"])
def test_a_template_without_a_real_account_is_refused(account: str) -> None:
    with pytest.raises(ValueError, match="12-digit account id"):
        bucket_name(defaults()["bucket"], account, "eu-west-3")


def test_the_aws_backend_fills_the_template_from_sts(aws_client) -> None:
    """No SNAKEBATCH_BUCKET (a laptop, not a shard): the caller's account names it."""
    from snakebatch.backends.aws import AwsBackend

    queue = {env_name("reports_queue_url"): "http://127.0.0.1/123456789012/q"}
    backend = AwsBackend.from_env(queue)
    assert backend.settings.bucket == "snakebatch-jobs-123456789012-eu-west-3"
    given = AwsBackend.from_env({**queue, env_name("bucket"): "acme-jobs"})
    assert given.settings.bucket == "acme-jobs"
    assert Settings.from_env({}).for_account("123456789012").bucket == backend.settings.bucket
