"""Streaming file methods of the object stores: ``put_file`` / ``get_file``.

S3 runs on the session's moto server over HTTP (boto3's managed transfer, multipart
above 8 MB); the directory store on a temporary directory. Both must move a file
whole or not at all and tell a missing key (``ObjectMissing``) from a failing store
(``StoreFailed``).
"""

from __future__ import annotations

import hashlib
import os
import re
import tracemalloc
import uuid
from pathlib import Path

import boto3
import pytest

from snakebatch.backends.aws_clients import make_client
from snakebatch.backends.aws_store import S3Store
from snakebatch.backends.base import BackendError, ObjectMissing, StoreFailed
from snakebatch.backends.local_store import DirectoryStore
from tests.aws.conftest import REGION

MB = 1 << 20


def _random_file(path: Path, size: int) -> str:
    """A file of ``size`` random bytes written 1 MB at a time; returns its sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(size // MB):
            block = os.urandom(MB)
            digest.update(block)
            f.write(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture
def bucket(aws_env) -> str:
    name = f"store-files-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return name


@pytest.fixture
def s3_store(bucket, tmp_path) -> S3Store:
    return S3Store(make_client("s3", REGION), bucket, cache_dir=tmp_path / "cache")


@pytest.mark.aws
def test_s3_round_trip_is_multipart_and_byte_exact(s3_store, tmp_path):
    source = tmp_path / "big.csv"
    digest = _random_file(source, 20 * MB)
    s3_store.put_file("uploads/up_1/data.csv", source)
    head = s3_store.s3.head_object(Bucket=s3_store.bucket, Key="uploads/up_1/data.csv")
    assert head["ContentLength"] == 20 * MB
    assert "-" in head["ETag"], "20 MB should go up as a multipart upload"
    dest = tmp_path / "copy" / "data.csv"
    dest.parent.mkdir()
    s3_store.get_file("uploads/up_1/data.csv", dest)
    assert _sha256(dest) == digest
    assert sorted(p.name for p in dest.parent.iterdir()) == ["data.csv"]


@pytest.mark.aws
def test_s3_missing_key_is_object_missing_and_writes_nothing(s3_store, tmp_path):
    dest = tmp_path / "data.csv"
    with pytest.raises(ObjectMissing):
        s3_store.get_file("uploads/up_none/data.csv", dest)
    assert not list(tmp_path.glob("data.csv*")), "a failed fetch left a file behind"


@pytest.mark.aws
def test_s3_put_into_a_deleted_bucket_is_store_failed(s3_store, tmp_path):
    source = tmp_path / "small.csv"
    source.write_bytes(b"y,x\n1,a\n")
    s3_store.s3.delete_bucket(Bucket=s3_store.bucket)
    with pytest.raises(StoreFailed, match="NoSuchBucket") as err:
        s3_store.put_file("uploads/up_2/data.csv", source)
    assert str(source) not in str(err.value), "the local path is no business of the client"


def test_directory_round_trip_copies_without_python_memory(tmp_path):
    store = DirectoryStore(tmp_path / "store")
    source = tmp_path / "big.csv"
    digest = _random_file(source, 32 * MB)
    dest = tmp_path / "data.csv"
    tracemalloc.start()
    try:
        store.put_file("uploads/up_1/data.csv", source)
        store.get_file("uploads/up_1/data.csv", dest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * MB, f"peak Python allocation {peak / MB:.1f} MB for a 32 MB file"
    assert _sha256(tmp_path / "store" / "uploads" / "up_1" / "data.csv") == digest
    assert _sha256(dest) == digest
    assert not list((tmp_path / "store" / "uploads" / "up_1").glob(".tmp-*"))


def test_directory_missing_key_and_failing_store(tmp_path):
    store = DirectoryStore(tmp_path / "store")
    with pytest.raises(ObjectMissing):
        store.get_file("uploads/up_none/data.csv", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    source = tmp_path / "small.csv"
    source.write_bytes(b"y,x\n1,a\n")
    (tmp_path / "store" / "uploads").write_bytes(b"a file where a folder belongs")
    with pytest.raises(StoreFailed, match=re.escape("cannot store 'uploads/up_1/data.csv'")):
        store.put_file("uploads/up_1/data.csv", source)
    with pytest.raises(BackendError, match="invalid store key"):
        store.put_file("uploads/../escape", source)
