"""Job state and finished models: ``/v9/status/{id}``, ``/v9/model/{id}[/stripped]``."""

from __future__ import annotations

from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from snakebatch.gatherer.access import runtime
from snakebatch.gatherer.errors import Conflict, NotFound
from snakebatch.gatherer.ids import check_id
from snakebatch.gatherer.runtime import Runtime


def job_status(rt: Runtime, model_id: str) -> dict[str, Any]:
    from snakebatch.backends.base import JobNotFound

    check_id(model_id)
    try:
        status = rt.coordinator.status(model_id)
    except JobNotFound:
        raise NotFound(f"no such model id: {model_id}") from None
    body = status.to_dict()
    body["progress"] = round(status.coverage, 6)
    if status.state == "done":
        body["model_url"] = f"/v9/model/{model_id}"
        body["stripped_model_url"] = f"/v9/model/{model_id}/stripped"
    return body


def model_bytes(rt: Runtime, model_id: str, stripped: bool) -> bytes:
    status = job_status(rt, model_id)
    if status["state"] != "done":
        detail = f": {status['error']}" if status.get("error") else ""
        raise Conflict(f"model {model_id} is not ready (state {status['state']}{detail})")
    return rt.coordinator.model_bytes(model_id, stripped=stripped)


async def status(request: Request) -> JSONResponse:
    model_id = request.path_params["model_id"]
    body = await anyio.to_thread.run_sync(job_status, runtime(request), model_id)
    return JSONResponse(body)


async def model(request: Request) -> Response:
    model_id = request.path_params["model_id"]
    stripped = request.url.path.endswith("/stripped")
    data = await anyio.to_thread.run_sync(model_bytes, runtime(request), model_id, stripped)
    name = f"{model_id}{'.stripped' if stripped else ''}.json"
    return Response(
        data,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


routes = [
    Route("/v9/status/{model_id}", status, methods=["GET"]),
    Route("/v9/model/{model_id}", model, methods=["GET"]),
    Route("/v9/model/{model_id}/stripped", model, methods=["GET"]),
]
