"""Quotas from Service Quotas when readable, the predecessor's otherwise."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from snakebatch.ops.quotas import (
    CONCURRENT_EXECUTIONS_CODE,
    PREDECESSOR_QUOTAS,
    SCALING_RATE_CODE,
    read_quotas,
)


def test_moto_has_no_lambda_quotas_so_the_bundled_values_stand(aws_client) -> None:
    assert read_quotas(aws_client("service-quotas")) == PREDECESSOR_QUOTAS


def test_live_values_replace_the_bundled_values() -> None:
    client = boto3.session.Session().client(
        "service-quotas", region_name="eu-west-3", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.add_response(
            "get_service_quota",
            {"Quota": {"QuotaCode": CONCURRENT_EXECUTIONS_CODE, "Value": 3000.0}},
            {"ServiceCode": "lambda", "QuotaCode": CONCURRENT_EXECUTIONS_CODE},
        )
        stub.add_client_error(
            "get_service_quota",
            "AccessDeniedException",
            expected_params={"ServiceCode": "lambda", "QuotaCode": SCALING_RATE_CODE},
        )
        quotas = read_quotas(client)
    assert quotas.concurrent_executions == 3000
    assert quotas.scaling_rate_per_s == pytest.approx(PREDECESSOR_QUOTAS.scaling_rate_per_s)
    assert (
        CONCURRENT_EXECUTIONS_CODE in quotas.source
        and SCALING_RATE_CODE not in quotas.source.split(";")[0]
    )
