"""Every route answers bad input with a precise JSON 4xx, before any job is staged."""

from __future__ import annotations

import gzip
import json

import pytest
from starlette.testclient import TestClient

from snakebatch.gatherer import Limits, create_app
from snakebatch.gatherer.auth import hash_key
from tests.gatherer.conftest import assert_error, make_config


@pytest.mark.parametrize(
    ("body", "query", "status", "fragment"),
    [
        (b"", "target=y", 400, "empty body"),
        (b"   \n", "target=y", 400, "empty body"),
        (b"y,x\n1,a\n0,b,c\n", "target=y", 400, "line 3 has 3 fields"),
        (b'y,x\n1,"unterminated\n', "target=y", 400, "malformed"),
        (b"y,x\n1,a\n0,b\n", "target=nope", 422, "unknown target 'nope'"),
        (b"y,x\n1,a\n1,b\n", "target=y", 422, "one class"),
        (b"y,x\n", "target=y", 400, "no data rows"),
        (b"y,x\n1,a\n0,b\n", "", 400, "'target'"),
        (b"y,x\n1,a\n0,b\n", "target=y&tau=abc", 400, "tau must be an integer"),
        (b"y,x\n1,a\n0,b\n", "target=y&n_layers=0", 400, "n_layers must be an integer in [1, 100]"),
        (b"y,x\n1,a\n0,b\n", "target=y&completion=maybe", 400, "completion"),
        (b"y,x\n1,a\n0,b\n", "target=y&noise=lots", 400, "noise must be a number"),
        (b"y,x\n1,a\n0,b\n", "target=y&noise=1.5", 400, "noise must be a number in [0, 1]"),
        (b"y,x\n1,a\n0,b\n", "target=y&noise=-0.1", 400, "in [0, 1]"),
        (b"y,x\n1,a\n0,b\n", "target=y&noise=nan", 400, "in [0, 1]"),
        (b"y,x\n1,a\n0,b\n", "target=y&layers=3", 400, "unknown query parameters ['layers']"),
        (b"\x1f\x8b\x08garbage", "target=y", 400, "gzip"),
        (b'{"rows": 3}', "target=y", 400, "rows"),
        (b'{"rows": [1, 2]}', "target=y", 400, "rows[0] is int"),
        (b'{"rows": [{"y": 1, "x": 2}, {"x": 3}]}', "target=y", 422, "no value for target"),
        (b'{"rows": [', "target=y", 400, "invalid json"),
        (b"y,x\n1,a\n0,b\n", "target=y&upload_id=../../etc", 400, "upload_id"),
        (b"", "target=y&upload_id=up_000000000000000000000000", 404, "no such upload"),
    ],
)
def test_train_rejects(api, body, query, status, fragment):
    assert_error(api.post(f"/v9/train?{query}", content=body), status, fragment)


def test_train_rejects_oversized_body_and_gzip_bomb(tmp_path):
    config = make_config(tmp_path, limits=Limits(train_body_bytes=10_000))
    with TestClient(create_app(config, local_workers=0), raise_server_exceptions=False) as c:
        big = b"y,x\n" + b"1,a\n" * 5000
        assert_error(c.post("/v9/train?target=y", content=big), 413, "limit")
        bomb = gzip.compress(b"y,x\n" + b"1,aaaaaaaaaaaaaaaa\n" * 100_000)
        assert len(bomb) < 10_000
        assert_error(c.post("/v9/train?target=y", content=bomb), 413, "decompressed")


@pytest.mark.parametrize(
    "path",
    [
        "/v9/status/nope",
        "/v9/status/0123456789abcdef0123456789abcdef",
        "/v9/status/..",
        "/v9/status/%2e%2e",
        "/v9/status/..%2F..%2Fetc%2Fpasswd",
        "/v9/status/" + "a" * 200,
        "/v9/status/%00",
        "/v9/model/..%2fjobs",
        "/v9/model/nope",
        "/v9/model/nope/stripped",
        "/v9/model/%2e%2e/stripped",
    ],
)
def test_unknown_and_garbage_ids_are_404(api, path):
    assert_error(api.get(path), 404)


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"", 400, "empty body"),
        (b"[]", 400, "JSON object"),
        (b"{", 400, "invalid json"),
        (b'{"model_id": "../x", "rows": []}', 400, "model_id"),
        (b'{"model_id": 5, "rows": []}', 400, "model_id"),
        (b'{"model_id": "abc", "rows": {}}', 400, "rows"),
        (b'{"model_id": "abc", "rows": [1]}', 400, "rows[0] is int"),
        (b'{"model_id": "abc", "rows": [], "mode": "telepathy"}', 400, "mode must be one of"),
        (b'{"model_id": "abc", "rows": [], "extra": 1}', 400, "unknown fields"),
        (b'{"model_id": "abc", "rows": [{}]}', 404, "no such model id"),
    ],
)
def test_predict_rejects(api, body, status, fragment):
    assert_error(api.post("/v9/predict-sync", content=body), status, fragment)


def test_predict_row_limit(tmp_path):
    config = make_config(tmp_path, limits=Limits(predict_rows=3))
    with TestClient(create_app(config, local_workers=0), raise_server_exceptions=False) as c:
        body = json.dumps({"model_id": "abc", "rows": [{}] * 4})
        assert_error(c.post("/v9/predict-sync", content=body), 413, "limit of 3")


def test_unknown_route_and_method_are_json(api):
    assert_error(api.get("/v9/nothing"), 404)
    assert_error(api.get("/v9/train"), 405)
    assert_error(api.delete("/v9/status/abc"), 405)


def test_auth_required_when_keys_configured(tmp_path):
    config = make_config(tmp_path, api_keys=("s3cret", hash_key("hashed-key")))
    with TestClient(create_app(config, local_workers=0), raise_server_exceptions=False) as c:
        assert_error(c.get("/v9/status/abc"), 401, "missing")
        r = c.get("/v9/status/abc", headers={"Authorization": "Bearer wrong"})
        assert_error(r, 401, "unknown api key")
        assert r.headers["www-authenticate"] == "Bearer"
        assert_error(c.post("/v9/train?target=y", content=b"y,x\n1,a\n0,b\n"), 401)
        assert_error(c.post("/v9/upload", content=b"y,x\n"), 401)
        assert_error(c.post("/v9/predict-sync", content=b"{}"), 401)
        ok = {"Authorization": "Bearer s3cret"}
        assert_error(c.get("/v9/status/abc", headers=ok), 404, "no such model")
        ok2 = {"Authorization": "Bearer hashed-key"}
        assert_error(c.get("/v9/status/abc", headers=ok2), 404, "no such model")
        assert c.get("/v9/health").json()["auth"] is True


def test_train_rate_limit_per_key(tmp_path):
    config = make_config(tmp_path, limits=Limits(train_per_minute=1, train_burst=2))
    with TestClient(create_app(config, local_workers=0), raise_server_exceptions=False) as c:
        bad = b"y,x\n1,a\n1,b\n"
        for _ in range(2):
            assert_error(c.post("/v9/train?target=y", content=bad), 422)
        r = c.post("/v9/train?target=y", content=bad)
        assert_error(r, 429, "rate limit")
        assert int(r.headers["retry-after"]) >= 1


def test_no_cors_by_default(api):
    r = api.get("/v9/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_when_configured(tmp_path):
    config = make_config(tmp_path, cors_origins=("https://app.example",))
    with TestClient(create_app(config, local_workers=0)) as c:
        r = c.get("/v9/health", headers={"Origin": "https://app.example"})
        assert r.headers["access-control-allow-origin"] == "https://app.example"
