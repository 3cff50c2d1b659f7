"""Pure pieces of the gatherer: keys, bind policy, payload checks, limits, spawn meter."""

from __future__ import annotations

import gzip
import io

import pytest

from snakebatch.gatherer.auth import (
    InsecureBind,
    KeyRing,
    check_bind,
    hash_key,
    new_key,
    parse_keys_file,
)
from snakebatch.gatherer.errors import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
)
from snakebatch.gatherer.ids import check_id
from snakebatch.gatherer.payloads import check_csv, check_rows, gunzip_chunks, sniff
from snakebatch.gatherer.ratelimit import KeyedRateLimiter
from snakebatch.gatherer.spawnmeter import SpawnMeter


def test_keys_are_hashed_and_compared():
    key = new_key()
    ring = KeyRing.load((key, hash_key("other")))
    assert key not in repr(ring.hashes)
    assert ring.identify(f"Bearer {key}") == "env0"
    assert ring.identify("Bearer other") == "env1"
    for header, fragment in [
        (None, "missing"),
        ("Basic abc", "Bearer"),
        ("Bearer ", "Bearer"),
        ("Bearer nope", "unknown"),
    ]:
        with pytest.raises(Unauthorized, match=fragment):
            ring.identify(header)


def test_keys_file(tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"# team keys\nalice:{hash_key('k1')}\n\n")
    assert KeyRing.load((), path).identify("Bearer k1") == "alice"
    for bad in ["alice:k1", f"alice{hash_key('x')}", "bob:sha256:zz" + "0" * 62]:
        with pytest.raises(ValueError, match="line 1"):
            parse_keys_file(bad)


def test_no_keys_means_loopback_only():
    open_ring = KeyRing.load(())
    assert open_ring.identify(None) == "local"
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_bind(host, open_ring)
    for host in ("0.0.0.0", "10.0.0.5", "::", "example.com"):
        with pytest.raises(InsecureBind, match="refusing"):
            check_bind(host, open_ring)
    check_bind("0.0.0.0", KeyRing.load(("k",)))


@pytest.mark.parametrize("bad", ["", "..", "../etc/passwd", "a/b", "a" * 81, "-x", "é", "a b"])
def test_ids_reject_traversal_and_garbage(bad):
    with pytest.raises(NotFound):
        check_id(bad)


def test_sniff():
    assert sniff(gzip.compress(b"a,b")) == "csv.gz"
    assert sniff(b'  {"rows": []}') == "json"
    assert sniff(b"a,b\n1,2") == "csv"


def test_check_csv_accepts_and_counts():
    s = check_csv(io.BytesIO(b"y,x\n1,a\n0,b\n1,c\n"), "y")
    assert (s.n_rows, s.header, s.n_classes) == (3, ["y", "x"], 2)


@pytest.mark.parametrize(
    ("data", "target", "exc", "fragment"),
    [
        (b"", "y", BadRequest, "empty"),
        (b"y,x\n", "y", BadRequest, "no data rows"),
        (b"y,x\n1,a\n0,b,c\n", "y", BadRequest, "line 3 has 3 fields"),
        (b'y,x\n1,"a\n', "y", BadRequest, "malformed"),
        (b"y,x\n1,a\n0,b\n", "z", Unprocessable, "unknown target 'z'"),
        (b"y,x\n1,a\n1,b\n", "y", Unprocessable, "one class"),
        (b"y,y\n1,a\n0,b\n", "y", BadRequest, "duplicate"),
        (b"y\n1\n0\n", "y", Unprocessable, "feature"),
        (b"y,x\n\xff\xfe,1\n", "y", BadRequest, "UTF-8"),
    ],
)
def test_check_csv_rejects(data, target, exc, fragment):
    with pytest.raises(exc, match=fragment):
        check_csv(io.BytesIO(data), target)


def test_check_rows():
    assert check_rows([{"y": 1, "x": 2}, {"y": 0, "x": 1}], "y").n_rows == 2
    with pytest.raises(Unprocessable, match="rows\\[1\\] has no value"):
        check_rows([{"y": 1, "x": 2}, {"x": 1}], "y")
    with pytest.raises(BadRequest, match="empty"):
        check_rows([], "y")


def test_gunzip_is_bounded():
    bomb = gzip.compress(b"0" * 5_000_000)
    assert len(bomb) < 10_000
    with pytest.raises(PayloadTooLarge):
        b"".join(gunzip_chunks([bomb], 1_000_000))
    assert b"".join(gunzip_chunks([gzip.compress(b"abc")], 10)) == b"abc"
    with pytest.raises(BadRequest, match="truncated"):
        b"".join(gunzip_chunks([gzip.compress(b"abc" * 100)[:20]], 10_000))
    with pytest.raises(BadRequest, match="not valid gzip"):
        b"".join(gunzip_chunks([b"\x1f\x8bxxxxxxxxxxxxxxxx"], 10_000))


def test_rate_limiter_with_fake_clock():
    now = [0.0]
    rl = KeyedRateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    rl.check("a")
    rl.check("a")
    with pytest.raises(TooManyRequests) as info:
        rl.check("a")
    assert 0.9 < info.value.retry_after_s <= 1.0
    rl.check("b")
    now[0] = 1.01
    rl.check("a")
    with pytest.raises(ValueError):
        KeyedRateLimiter(per_minute=0, burst=1)


def test_spawn_meter_rates():
    now = [100.0]
    total = [0]
    meter = SpawnMeter(lambda: total[0], budget_per_s=1000 / 60, clock=lambda: now[0])
    for _ in range(61):
        meter.sample()
        now[0] += 1.0
        total[0] += 20
    snap = meter.snapshot()
    assert snap["rate_60s_per_s"] == pytest.approx(20.0)
    assert snap["over_budget"] is True
    assert snap["peak_1s_per_s"] == pytest.approx(20.0)
    assert len(snap["series"]) == 60
