"""Uploads stream to disk under a limit: a 1 GB attempt is refused early, memory flat."""

from __future__ import annotations

import gzip
import tracemalloc

import anyio
import httpx
import pytest

from snakebatch.gatherer import Limits, create_app
from tests.gatherer.conftest import assert_error, make_config

CHUNK = 1 << 20
GB = 1 << 30


class Counter:
    def __init__(self) -> None:
        self.sent = 0

    async def body(self, total: int):
        """A 1 GB body that exists only one 1 MB chunk at a time."""
        chunk = b"y,x\n" + b"1,a\n" * (CHUNK // 4 - 1)
        while self.sent < total:
            self.sent += len(chunk)
            yield chunk


async def _post(app, content, headers=None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gatherer") as c,
    ):
        return await c.post("/v9/upload", content=content, headers=headers or {})


@pytest.fixture
def app(tmp_path):
    return create_app(make_config(tmp_path, limits=Limits(upload_bytes=8 * CHUNK)), local_workers=0)


def test_declared_1gb_is_refused_before_reading(app):
    counter = Counter()
    r = anyio.run(_post, app, counter.body(GB), {"Content-Length": str(GB)})
    assert_error(r, 413, "exceeds")
    assert counter.sent <= CHUNK


def test_streamed_1gb_is_cut_at_the_limit_with_flat_memory(app, tmp_path):
    counter = Counter()
    tracemalloc.start()
    try:
        r = anyio.run(_post, app, counter.body(GB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_error(r, 413, "upload exceeds")
    assert counter.sent <= 10 * CHUNK, "kept reading long after the limit"
    assert peak < 32 * CHUNK, f"peak Python allocation {peak / CHUNK:.1f} MB"
    leftovers = list((tmp_path / "home" / "uploads").glob("*/*"))
    assert leftovers == [], "a refused upload left a partial file"


def test_gzip_bomb_upload_is_refused(app):
    bomb = gzip.compress(b"y,x\n" + b"1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" * 1_000_000)
    assert len(bomb) < 8 * CHUNK
    assert_error(anyio.run(_post, app, bomb), 413, "decompressed")


def test_small_upload_round_trip(app):
    r = anyio.run(_post, app, b"y,x\n1,a\n0,b\n")
    assert r.status_code == 201, r.text
    assert r.json()["format"] == "csv" and r.json()["bytes"] == 12
    assert_error(anyio.run(_post, app, b""), 400, "empty upload")
    assert_error(anyio.run(_post, app, b"\x1f\x8bnot gzip at all"), 400, "gzip")
