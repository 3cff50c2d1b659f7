"""Fixtures shared by every test area."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.support import free_port, serialize_moto_dynamodb


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server on 127.0.0.1 for the session: boto3 speaks HTTP to it, snakebatch
    is not patched (moto's DynamoDB is made to isolate requests, as DynamoDB does: see
    ``serialize_moto_dynamodb``). Tests keep apart by naming their own resources."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    serialize_moto_dynamodb()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
