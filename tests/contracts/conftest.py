"""One implementation per parameter: every port's contract runs over each of them.

The aws implementations need the moto server and per-test resources of
``tests/aws/conftest.py``; their parameters carry the ``aws`` marker.
"""

from __future__ import annotations

import pytest

from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.aws_jobs import DynamoJobStore
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.backends.local_store import DirectoryStore
from tests.aws.conftest import aws_env, resources  # noqa: F401  (fixtures, by name)
from tests.inline_backend import MemoryCounters, MemoryQueue, MemoryStore

AWS = pytest.mark.aws


def _aws(request) -> AwsBackend:
    request.getfixturevalue("resources")
    tmp = request.getfixturevalue("tmp_path")
    return AwsBackend.from_env(cache_dir=tmp / "cache")


def _local(request) -> LocalBackend:
    backend = LocalBackend(request.getfixturevalue("tmp_path") / "home", workers=0)
    request.addfinalizer(backend.close)
    return backend


@pytest.fixture(params=["directory", "memory", pytest.param("s3", marks=AWS)])
def store(request):
    if request.param == "directory":
        return DirectoryStore(request.getfixturevalue("tmp_path") / "store")
    if request.param == "memory":
        return MemoryStore()
    return _aws(request).store


@pytest.fixture(params=["sqlite", "memory", pytest.param("sqs", marks=AWS)])
def queue(request):
    if request.param == "sqlite":
        return _local(request).reports
    if request.param == "memory":
        return MemoryQueue(256 * 1024)
    return _aws(request).reports


@pytest.fixture(params=["sqlite", "memory", pytest.param("dynamodb", marks=AWS)])
def counters(request):
    if request.param == "sqlite":
        return _local(request).counters
    if request.param == "memory":
        return MemoryCounters()
    return _aws(request).counters


@pytest.fixture(params=["sqlite", pytest.param("dynamodb", marks=AWS)])
def jobs(request):
    if request.param == "sqlite":
        return SqliteJobStore(request.getfixturevalue("tmp_path") / "jobs.sqlite")
    res = request.getfixturevalue("resources")
    return DynamoJobStore(_aws(request).clients.dynamodb, res.table)
