"""Large training files, streamed to disk chunk by chunk under a hard size limit.

An upload never sits in memory: the body is written as it arrives (gunzipped on the
fly when it is CSV.gz, the limit applying to the decompressed bytes too), and a
declared ``Content-Length`` over the limit is refused before a byte is read. The
finished file is plain CSV or JSON that ``/v9/train`` can stage by ``upload_id``.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path

from starlette.requests import ClientDisconnect

from snakebatch.gatherer.errors import BadRequest, NotFound, PayloadTooLarge
from snakebatch.gatherer.ids import check_id_param
from snakebatch.gatherer.payloads import GZIP_MAGIC, sniff


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


class UploadStore:
    """``{root}/{upload_id}/data`` plus ``meta.json``; ids are random, never client-chosen."""

    def __init__(self, root: Path, limit: int):
        self.root = root
        self.limit = limit
        root.mkdir(parents=True, exist_ok=True)

    async def receive(self, chunks: AsyncIterator[bytes]) -> Upload:
        upload_id = "up_" + secrets.token_hex(12)
        folder = self.root / upload_id
        folder.mkdir()
        partial = folder / "data.partial"
        try:
            fmt, written, received = await self._write(chunks, partial)
        except ClientDisconnect:
            partial.unlink(missing_ok=True)
            folder.rmdir()
            raise BadRequest("client disconnected before the upload was complete") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            folder.rmdir()
            raise
        if written == 0:
            partial.unlink()
            folder.rmdir()
            raise BadRequest("empty upload")
        partial.rename(folder / f"data.{fmt}")
        up = Upload(upload_id, fmt, written, received, time.time())
        (folder / "meta.json").write_text(json.dumps(asdict(up)))
        return up

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
        check_id_param(upload_id, "upload_id")
        folder = self.root / upload_id
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except FileNotFoundError:
            raise NotFound(f"no such upload: {upload_id}") from None
        up = Upload(**meta)
        return up, folder / f"data.{up.format}"
