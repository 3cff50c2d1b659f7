"""Large training files, streamed to disk chunk by chunk under a hard size limit, then
shared with every gatherer instance through the backend's object store.

An upload never sits in memory: the body is written as it arrives (gunzipped on the
fly when it is CSV.gz, the limit applying to the decompressed bytes too), and a
declared ``Content-Length`` over the limit is refused before a byte is read. The
finished file is plain CSV or JSON that ``/v9/train`` can stage by ``upload_id``.

Behind a load balancer ``/v9/train?upload_id=`` may reach another instance than the
upload did, so a finished upload is published to the store (``uploads/{id}/data.{fmt}``
first, then ``uploads/{id}/meta.json``): the meta object is the claim that the upload
exists, written only once its data is in place. An instance without a local copy
fetches both into its own ``{home}/uploads`` and serves from there afterwards.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import anyio
from starlette.requests import ClientDisconnect

from snakebatch.atomic_files import write_atomically
from snakebatch.backends.base import ObjectMissing, ObjectStore, StoreFailed
from snakebatch.gatherer.errors import ApiError, BadRequest, NotFound, PayloadTooLarge
from snakebatch.gatherer.ids import check_id_param
from snakebatch.gatherer.payloads import GZIP_MAGIC, sniff

log = logging.getLogger("snakebatch.gatherer")
#: The store prefix of uploads; the bucket expires it, and the shards' IAM never sees it.
PREFIX = "uploads"
FORMATS = ("csv", "json")


def data_key(upload_id: str, fmt: str) -> str:
    return f"{PREFIX}/{upload_id}/data.{fmt}"


def meta_key(upload_id: str) -> str:
    return f"{PREFIX}/{upload_id}/meta.json"


class StoreUnavailable(ApiError):
    status, code = 503, "store_unavailable"


@dataclass(frozen=True)
class Upload:
    upload_id: str
    format: str
    bytes: int
    received_bytes: int
    created: float


def check_declared_length(header: str | None, limit: int) -> None:
    if header is None:
        return
    try:
        declared = int(header)
    except ValueError:
        raise BadRequest("Content-Length is not an integer") from None
    if declared > limit:
        raise PayloadTooLarge(f"body of {declared} bytes exceeds the {limit} byte limit")


def parse_meta(raw: bytes, upload_id: str) -> Upload:
    """The stored metadata of ``upload_id``; anything else (garbled, another id, an
    unknown format) is an upload we cannot serve: 404, never a 500."""
    try:
        meta = json.loads(raw)
        up = Upload(**{f.name: meta[f.name] for f in fields(Upload)})
    except (ValueError, TypeError, KeyError):
        raise NotFound(f"upload {upload_id} is incomplete: its metadata is unreadable") from None
    if up.upload_id != upload_id or up.format not in FORMATS:
        raise NotFound(f"upload {upload_id} is incomplete: its metadata is inconsistent")
    return up


class UploadStore:
    """``{root}/{upload_id}/data.{fmt}`` plus ``meta.json`` on this instance, published to
    ``store`` under ``uploads/{upload_id}/``; ids are random, never client-chosen."""

    def __init__(self, root: Path, limit: int, store: ObjectStore):
        self.root = root
        self.limit = limit
        self.store = store
        root.mkdir(parents=True, exist_ok=True)

    async def receive(self, chunks: AsyncIterator[bytes]) -> Upload:
        upload_id = "up_" + secrets.token_hex(12)
        folder = self.root / upload_id
        folder.mkdir()
        partial = folder / "data.partial"
        try:
            fmt, written, received = await self._write(chunks, partial)
        except ClientDisconnect:
            shutil.rmtree(folder, ignore_errors=True)
            raise BadRequest("client disconnected before the upload was complete") from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        if written == 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise BadRequest("empty upload")
        data = folder / f"data.{fmt}"
        partial.rename(data)
        up = Upload(upload_id, fmt, written, received, time.time())
        meta = json.dumps(asdict(up)).encode()
        try:
            await anyio.to_thread.run_sync(self._publish, up, data, meta)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        write_atomically(folder / "meta.json", meta)
        return up

    def _publish(self, up: Upload, data: Path, meta: bytes) -> None:
        """Data first, meta last: a reader that finds the meta finds the data too."""
        try:
            self.store.put_file(data_key(up.upload_id, up.format), data)
            self.store.put(meta_key(up.upload_id), meta)
        except Exception as exc:
            raise _unavailable("could not store the upload", exc) from None

    async def _write(self, chunks: AsyncIterator[bytes], dest: Path) -> tuple[str, int, int]:
        written = received = 0
        fmt: str | None = None
        inflate = None
        with open(dest, "wb") as out:
            async for chunk in chunks:
                if not chunk:
                    continue
                received += len(chunk)
                if fmt is None:
                    fmt = sniff(chunk[:64])
                    if chunk.startswith(GZIP_MAGIC):
                        inflate = zlib.decompressobj(wbits=31)
                if inflate is not None:
                    if received > self.limit:
                        raise PayloadTooLarge(f"upload exceeds the {self.limit} byte limit")
                    try:
                        data = inflate.decompress(chunk, self.limit - written + 1)
                    except zlib.error as exc:
                        raise BadRequest(f"invalid gzip data ({exc})") from None
                    if inflate.unconsumed_tail:
                        raise PayloadTooLarge(
                            f"decompressed upload exceeds the {self.limit} byte limit"
                        )
                else:
                    data = chunk
                written += len(data)
                if written > self.limit:
                    raise PayloadTooLarge(f"upload exceeds the {self.limit} byte limit")
                out.write(data)
            if inflate is not None and not inflate.eof:
                raise BadRequest("gzip upload is truncated")
            out.flush()
            os.fsync(out.fileno())
        if fmt == "csv.gz":
            fmt = "csv"
        return fmt or "csv", written, received

    def get(self, upload_id: str) -> tuple[Upload, Path]:
        """The upload and its local data file, fetched from the store on first use here.

        Blocking (a fetch may move 512 MB): call it from a worker thread.
        """
        check_id_param(upload_id, "upload_id")
        local = self._local(upload_id)
        if local is not None:
            return local
        return self._fetch(upload_id)

    def _local(self, upload_id: str) -> tuple[Upload, Path] | None:
        folder = self.root / upload_id
        try:
            up = parse_meta((folder / "meta.json").read_bytes(), upload_id)
        except (FileNotFoundError, NotFound):
            return None
        path = folder / f"data.{up.format}"
        return (up, path) if path.is_file() else None

    def _fetch(self, upload_id: str) -> tuple[Upload, Path]:
        try:
            raw = self.store.get(meta_key(upload_id))
        except ObjectMissing:
            raise NotFound(f"no such upload: {upload_id}") from None
        except Exception as exc:
            raise _unavailable("could not read the upload", exc) from None
        up = parse_meta(raw, upload_id)
        folder = self.root / upload_id
        folder.mkdir(exist_ok=True)
        path = folder / f"data.{up.format}"
        try:
            self.store.get_file(data_key(upload_id, up.format), path)
        except ObjectMissing:
            _remove_if_empty(folder)
            raise NotFound(f"upload {upload_id} is incomplete: its data is missing") from None
        except Exception as exc:
            _remove_if_empty(folder)
            raise _unavailable("could not read the upload", exc) from None
        write_atomically(folder / "meta.json", raw)
        return up, path


def _unavailable(what: str, exc: Exception) -> StoreUnavailable:
    """A store fault is ours, not the client's: 503, with the store's own reason when it
    gave one (``StoreFailed`` messages name the key and the cause, never a local path
    or a traceback); anything else stays in the log."""
    if isinstance(exc, StoreFailed):
        return StoreUnavailable(f"{what}: {exc}")
    log.error("%s: the object store failed", what, exc_info=exc)
    return StoreUnavailable(f"{what}: the object store failed ({type(exc).__name__})")


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
