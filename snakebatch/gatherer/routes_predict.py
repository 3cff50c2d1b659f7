"""``POST /v9/predict-sync``: answers from the finished model, in-process or via the mesh."""

from __future__ import annotations

import time

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from snakebatch.gatherer.access import caller, runtime
from snakebatch.gatherer.bodies import read_limited
from snakebatch.gatherer.errors import ApiError, Unprocessable
from snakebatch.gatherer.predict import MODES, answer, parse_request
from snakebatch.gatherer.routes_jobs import model_bytes

#: Modes the mesh's ``predict_compute`` answers (it returns the batch triple per row).
FANOUT_MODES = {"batch": None, "prediction": "prediction", "probability": "probability"}
FANOUT_TIMEOUT_S = 120.0


def _fan_out(rt, model_id: str, mode: str, rows: list) -> dict:
    """Large batches: store them, let ``predict_divide`` cut them over the shards, and
    collect the chunks in order. The model must be finished (same 404/409 as inline)."""
    from snakebatch.mesh import predict

    model_bytes(rt, model_id, stripped=True)
    chunk = min(5000, max(256, -(-len(rows) // rt.backend.shard_count)))
    request_id = predict.submit(rt.backend, model_id, rows, chunk_size=chunk)
    deadline = time.monotonic() + FANOUT_TIMEOUT_S
    while (answers := predict.collect(rt.backend.store, request_id, len(rows), chunk)) is None:
        if time.monotonic() > deadline:
            raise ApiError(
                f"mesh prediction {request_id} did not finish in {FANOUT_TIMEOUT_S:.0f}s",
                status=504,
                code="mesh_timeout",
            )
        time.sleep(0.05)
    field = FANOUT_MODES[mode]
    results = answers if field is None else [a[field] for a in answers]
    return {
        "model_id": model_id,
        "mode": mode,
        "n": len(results),
        "results": results,
        "fanout": {"request_id": request_id, "chunks": -(-len(rows) // chunk)},
    }


def _run(rt, model_id: str, mode: str, rows: list) -> dict:
    from snakebatch.engine.errors import QueryError

    stripped = not MODES[mode]
    snake = rt.models.get(
        model_id, lambda: model_bytes(rt, model_id, stripped=stripped), stripped=stripped
    )
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
    big = len(rows) >= limits.fanout_rows and mode in FANOUT_MODES
    out = await anyio.to_thread.run_sync(_fan_out if big else _run, rt, model_id, mode, rows)
    out["needs_population"] = MODES[mode]
    return JSONResponse(out)


routes = [Route("/v9/predict-sync", predict_sync, methods=["POST"])]
