"""AWS clients for the ops tests, speaking HTTP to the session's moto server (nothing is patched)."""

from __future__ import annotations

import boto3
import pytest

REGION = "eu-west-3"


@pytest.fixture
def aws_client(moto_url: str, monkeypatch: pytest.MonkeyPatch):
    """``aws_client("scheduler")``: a real boto3 client speaking HTTP to the moto server;
    the environment points the code's own clients there too."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_RETRY_MODE": "standard",
        "AWS_MAX_ATTEMPTS": "2",
    }.items():
        monkeypatch.setenv(key, value)

    def make(service: str):
        return boto3.session.Session().client(service, region_name=REGION, endpoint_url=moto_url)

    return make
