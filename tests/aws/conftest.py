"""A moto server on 127.0.0.1 for the whole session; per-test resources and environment.

Every AWS call in these tests goes over HTTP through boto3 to this server (S3, SQS,
DynamoDB) or to the loopback Lambda endpoint; snakebatch itself is never patched.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.aws.resources import Resources, provision

REGION = "eu-west-3"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Standard AWS variables pointing every service at moto (boto3 honours them itself)."""
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": moto_url, "AWS_RETRY_MODE": "standard"}
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL_LAMBDA", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def resources(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Resources:
    res = provision(REGION)
    for key, value in res.env().items():
        monkeypatch.setenv(key, value)
    return res
