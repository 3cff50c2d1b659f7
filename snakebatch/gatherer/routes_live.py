"""Live views: the shard grid (``/grid/v9``) and the spawn-rate panel (``/concurrency``)."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.routing import Route

from snakebatch.gatherer.access import runtime
from snakebatch.gatherer.auth import public
from snakebatch.gatherer.errors import BadRequest, NotFound
from snakebatch.gatherer.grid import events, snapshot
from snakebatch.gatherer.layout import page
from snakebatch.gatherer.live_html import CONCURRENCY_JS, CONCURRENCY_PANEL, GRID_BODY, GRID_JS


async def grid_page(request: Request) -> HTMLResponse:
    n = runtime(request).backend.shard_count
    cells = "".join(
        f'<div class=cell id="s{i}"><b>{i:02d}</b><span class=n>0</span><span>▶0 ✗0</span></div>'
        for i in range(n)
    )
    return HTMLResponse(
        page(
            "Live shard grid",
            GRID_BODY.format(cells=cells, n=n),
            here="/grid/v9",
            wide=True,
            script=GRID_JS,
        )
    )


async def grid_state(request: Request) -> JSONResponse:
    return JSONResponse(await anyio.to_thread.run_sync(snapshot, runtime(request)))


async def grid_events(request: Request) -> StreamingResponse:
    raw = request.query_params.get("max_events")
    try:
        max_events = int(raw) if raw is not None else None
    except ValueError:
        raise BadRequest("max_events must be an integer") from None
    if max_events is not None and max_events < 1:
        raise BadRequest("max_events must be at least 1")
    rt = runtime(request)
    stream = events(
        lambda: snapshot(rt), max_events=max_events, disconnected=request.is_disconnected
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def concurrency_page(request: Request) -> HTMLResponse:
    pages = request.app.state.pages
    try:
        return HTMLResponse(
            pages.html("concurrency", extra=CONCURRENCY_PANEL, script=CONCURRENCY_JS)
        )
    except NotFound:
        body = "<h1>Concurrency</h1>" + CONCURRENCY_PANEL
        return HTMLResponse(page("Concurrency", body, here="/concurrency", script=CONCURRENCY_JS))


async def concurrency_state(request: Request) -> JSONResponse:
    rt = runtime(request)
    await anyio.to_thread.run_sync(rt.spawn.sample)
    snap = rt.spawn.snapshot()
    stats = getattr(rt.backend, "stats", None)
    snap["backend"] = await anyio.to_thread.run_sync(stats) if stats else {}
    return JSONResponse(snap)


routes = [
    public(Route("/grid/v9", grid_page, methods=["GET"])),
    public(Route("/grid/v9/state.json", grid_state, methods=["GET"])),
    public(Route("/grid/v9/events", grid_events, methods=["GET"])),
    public(Route("/concurrency", concurrency_page, methods=["GET"])),
    public(Route("/concurrency/state.json", concurrency_state, methods=["GET"])),
]
