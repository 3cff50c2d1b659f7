"""The object store on S3, with a two-level cache for objects that never change.

A job's population package (``jobs/{id}/pop.json.gz``) is written once and then read
by every leaf and divide of that job. A warm Lambda container keeps it in process
memory; a cold start in the same container (a new process after a crash) finds it in
``/tmp``. Every other key is read through to S3 so that mutable objects (models, job
artefacts) are never stale.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError
from s3transfer.exceptions import RetriesExceededError

from snakebatch.atomic_files import write_atomically
from snakebatch.backends.base import ObjectMissing, StoreDenied, StoreFailed

IMMUTABLE_SUFFIXES = ("/pop.json.gz",)
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
# S3 answers a missing key with 403 when the caller lacks s3:ListBucket, so 403 is
# ambiguous: it stays an error (StoreDenied) and is never taken for "missing", which
# would turn a lost grant into an endless wait. The roles Terraform creates hold
# ListBucket, so for them a missing key is always 404 (docs/terraform.md).
DENIED_CODES = {"AccessDenied", "403", "Forbidden"}


class S3Store:
    """``ObjectStore`` over one S3 bucket."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        *,
        cache_dir: Path | None = None,
        memory_items: int = 2,
        immutable_suffixes: tuple[str, ...] = IMMUTABLE_SUFFIXES,
    ) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.cache_dir = cache_dir or Path(tempfile.gettempdir()) / "snakebatch-cache"
        self.memory_items = memory_items
        self.immutable_suffixes = immutable_suffixes
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.s3_reads = 0

    def put(self, key: str, data: bytes) -> None:
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
        except ClientError as exc:
            raise self._failure("store", key, exc) from exc
        if self._cacheable(key):
            self._remember(key, data)

    def get(self, key: str) -> bytes:
        if not self._cacheable(key):
            return self._fetch(key)
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        path = self._cache_path(key)
        if path.exists():
            data = path.read_bytes()
        else:
            data = self._fetch(key)
            self._write_file(path, data)
        self._remember(key, data)
        return data

    def exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                return False
            raise self._failure("look up", key, exc) from exc
        return True

    def put_file(self, key: str, path: Path) -> None:
        """boto3's managed transfer: multipart above 8 MB, parts read a chunk at a time,
        and the object appears only when the upload completes. Bypasses the caches."""
        try:
            self.s3.upload_file(str(path), self.bucket, key)
        except (S3UploadFailedError, ClientError, BotoCoreError) as exc:
            raise StoreFailed(f"cannot store s3://{self.bucket}/{key}: {_reason(exc)}") from exc

    def get_file(self, key: str, path: Path) -> None:
        """boto3's managed transfer writes a temporary sibling and renames it over
        ``path`` once complete, so ``path`` is never half an object."""
        try:
            self.s3.download_file(self.bucket, key, str(path))
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                raise ObjectMissing(f"s3://{self.bucket}/{key}") from None
            raise self._failure("fetch", key, exc) from exc
        except (BotoCoreError, RetriesExceededError, OSError) as exc:
            raise StoreFailed(f"cannot fetch s3://{self.bucket}/{key}: {_reason(exc)}") from exc
        self.s3_reads += 1

    def _fetch(self, key: str) -> bytes:
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in MISSING_CODES:
                raise ObjectMissing(f"s3://{self.bucket}/{key}") from None
            raise self._failure("fetch", key, exc) from exc
        self.s3_reads += 1
        return response["Body"].read()

    def _failure(self, verb: str, key: str, exc: ClientError) -> StoreFailed:
        where = f"s3://{self.bucket}/{key}"
        if _code(exc) in DENIED_CODES and verb == "store":
            return StoreDenied(f"access denied to {where} (store): the role needs s3:PutObject")
        if _code(exc) in DENIED_CODES:
            return StoreDenied(
                f"access denied to {where} ({verb}): the role needs s3:GetObject on the key "
                f"and s3:ListBucket on the bucket (without ListBucket S3 reports a missing "
                f"key as 403)"
            )
        return StoreFailed(f"cannot {verb} {where}: {_reason(exc)}")

    def _cacheable(self, key: str) -> bool:
        return key.endswith(self.immutable_suffixes)

    def _cache_path(self, key: str) -> Path:
        digest = hashlib.sha256(f"{self.bucket}/{key}".encode()).hexdigest()[:32]
        return self.cache_dir / digest

    def _write_file(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)

    def _remember(self, key: str, data: bytes) -> None:
        with self._lock:
            self._memory[key] = data
            self._memory.move_to_end(key)
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _reason(exc: BaseException) -> str:
    """The S3 error code when there is one (``S3UploadFailedError`` wraps the
    ``ClientError`` and repeats the local file name, which a client need not see)."""
    for cause in (exc, exc.__cause__, exc.__context__):
        if isinstance(cause, ClientError):
            return _code(cause) or "ClientError"
    return f"{type(exc).__name__}: {exc}"
