"""Fixtures shared by every test area."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.support import free_port, serialize_moto_dynamodb

#: Test folders are tiers: every test carries its folder's name as a marker, so
#: ``-m engine`` or ``-m "not terraform"`` selects by folder (pyproject registers them).
TIERS = frozenset({"aws", "cli", "contracts", "engine", "gatherer", "mesh", "ops", "terraform"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in TIERS:
            item.add_marker(folder)


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
