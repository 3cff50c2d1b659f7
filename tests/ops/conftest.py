"""AWS clients for the ops tests, speaking HTTP to the session's moto server (nothing is patched)."""

from __future__ import annotations

import boto3
import pytest

from tests.support import free_port

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


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No AWS credentials anywhere botocore looks (env, files, instance metadata)."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def dead_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials, and an AWS endpoint on loopback where nothing listens."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
    }.items():
        monkeypatch.setenv(key, value)
