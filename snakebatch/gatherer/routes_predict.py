"""``POST /v9/predict-sync``: answers from the finished model, in-process or via the mesh."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from snakebatch.gatherer.access import caller, runtime
from snakebatch.gatherer.bodies import read_limited
from snakebatch.gatherer.errors import Unprocessable
from snakebatch.gatherer.predict import MODES, answer, parse_request
from snakebatch.gatherer.routes_jobs import model_bytes


def _run(rt, model_id: str, mode: str, rows: list) -> dict:
    from snakebatch.engine.errors import QueryError

    snake = rt.models.get(model_id, lambda: model_bytes(rt, model_id, stripped=False))
    try:
        results = answer(snake, mode, rows)
    except QueryError as exc:
        raise Unprocessable(f"query rejected by the model: {exc}") from None
    return {"model_id": model_id, "mode": mode, "n": len(results), "results": results}


async def predict_sync(request: Request) -> JSONResponse:
    caller(request)
    rt = runtime(request)
    limits = rt.config.limits
    body = await read_limited(request, limits.predict_body_bytes)
    model_id, mode, rows = parse_request(body, limits.predict_rows)
    out = await anyio.to_thread.run_sync(_run, rt, model_id, mode, rows)
    out["needs_population"] = MODES[mode]
    return JSONResponse(out)


routes = [Route("/v9/predict-sync", predict_sync, methods=["POST"])]
