"""A moto server on 127.0.0.1 for the ops tests: boto3 talks HTTP to it, nothing is patched."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_client(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch):
    """``aws_client("scheduler")``: a real boto3 client speaking HTTP to the moto server;
    the environment points the code's own clients there too."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_RETRY_MODE": "standard",
        "AWS_MAX_ATTEMPTS": "2",
    }.items():
        monkeypatch.setenv(key, value)

    def make(service: str):
        return boto3.session.Session().client(
            service, region_name=REGION, endpoint_url=moto_endpoint
        )

    return make
