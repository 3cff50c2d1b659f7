"""``POST /v9/train`` and ``POST /v9/upload``: accept data, check it, stage a job."""

from __future__ import annotations

import io
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from snakebatch.engine.errors import ParameterError
from snakebatch.engine.params import HTTP, on
from snakebatch.gatherer.access import caller, runtime
from snakebatch.gatherer.bodies import read_limited
from snakebatch.gatherer.errors import BadRequest, Unprocessable
from snakebatch.gatherer.payloads import (
    check_csv,
    check_rows,
    gunzip_chunks,
    parse_json_rows,
    sniff,
)
from snakebatch.gatherer.uploads import check_declared_length

#: The training parameters a query may carry; bounds keep a typo from costing a fortune.
TRAIN_PARAMS = {p.name: p for p in on(HTTP)}
KNOWN = {"target", "upload_id", *TRAIN_PARAMS}


def parse_params(query: dict[str, str]) -> tuple[str, dict[str, Any], str | None]:
    """(target, TrainParams keywords, upload_id) from the query string, strictly checked."""
    unknown = sorted(set(query) - KNOWN)
    if unknown:
        raise BadRequest(f"unknown query parameters {unknown}; known: {sorted(KNOWN)}")
    target = query.get("target", "")
    if not target:
        raise BadRequest("query parameter 'target' (the label column) is required")
    try:
        params = {n: p.parse(query[n]) for n, p in TRAIN_PARAMS.items() if n in query}
    except ParameterError as exc:
        raise BadRequest(str(exc)) from None
    return target, params, query.get("upload_id") or None


def _check_body(body: bytes, target: str, limit: int) -> bytes | list[dict]:
    """The source to stage: CSV bytes (gunzipped) or JSON rows, after checking them."""
    if not body.strip():
        raise BadRequest("empty body: send CSV, CSV.gz, JSON {'rows': [...]} or an upload_id")
    kind = sniff(body[:64])
    if kind == "csv.gz":
        body = b"".join(gunzip_chunks([body], limit))
        kind = sniff(body[:64])
    if kind == "json":
        rows = parse_json_rows(body)
        check_rows(rows, target)
        return rows
    check_csv(io.BytesIO(body), target)
    return body


def _check_upload(path, fmt: str, target: str) -> str | list[dict]:
    """A CSV upload is staged from its path; JSON rows are parsed once and passed on."""
    if fmt == "json":
        rows = parse_json_rows(path.read_bytes())
        check_rows(rows, target)
        return rows
    with open(path, "rb") as f:
        check_csv(f, target)
    return str(path)


def _submit(rt, source: Any, target: str, params: dict[str, Any]) -> str:
    from snakebatch.engine.errors import SnakeError
    from snakebatch.mesh.coordinator import TrainParams, TrainParamsError
    from snakebatch.mesh.staging import StagingError

    try:
        return rt.coordinator.submit(source, target=target, params=TrainParams(**params))
    except (SnakeError, StagingError, TrainParamsError) as exc:
        raise Unprocessable(f"training data rejected: {exc}") from None


async def train(request: Request) -> JSONResponse:
    who = caller(request)
    rt = runtime(request)
    target, params, upload_id = parse_params(dict(request.query_params))
    rt.limiter.check(who)
    source: bytes | str | list[dict]
    if upload_id is not None:
        meta, path = await anyio.to_thread.run_sync(rt.uploads.get, upload_id)
        source = await anyio.to_thread.run_sync(_check_upload, path, meta.format, target)
    else:
        limit = rt.config.limits.train_body_bytes
        body = await read_limited(request, limit)
        source = await anyio.to_thread.run_sync(_check_body, body, target, limit)
    model_id = await anyio.to_thread.run_sync(_submit, rt, source, target, params)
    return JSONResponse(
        {
            "model_id": model_id,
            "status_url": f"/v9/status/{model_id}",
            "model_url": f"/v9/model/{model_id}",
            "stripped_model_url": f"/v9/model/{model_id}/stripped",
        },
        status_code=202,
    )


async def upload(request: Request) -> JSONResponse:
    caller(request)
    rt = runtime(request)
    check_declared_length(request.headers.get("content-length"), rt.uploads.limit)
    up = await rt.uploads.receive(request.stream())
    return JSONResponse(
        {
            "upload_id": up.upload_id,
            "format": up.format,
            "bytes": up.bytes,
            "train_url": f"/v9/train?upload_id={up.upload_id}&target=",
        },
        status_code=201,
    )


routes = [
    Route("/v9/train", train, methods=["POST"]),
    Route("/v9/upload", upload, methods=["POST"]),
]
