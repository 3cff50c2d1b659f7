"""Documentation pages, the index, the stylesheet and the health check."""

from __future__ import annotations

import os
import time
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from snakebatch.gatherer.access import runtime
from snakebatch.gatherer.auth import public
from snakebatch.gatherer.layout import page

STATIC = Path(__file__).with_name("static")
STARTED = time.time()


def _doc_route(name: str) -> Route:
    async def endpoint(request: Request) -> HTMLResponse:
        return HTMLResponse(request.app.state.pages.html(name))

    return public(Route(f"/{name}", endpoint, methods=["GET"], name=f"page_{name}"))


async def index(request: Request) -> HTMLResponse:
    pages = request.app.state.pages
    items = "".join(
        f'<li><a href="/{name}">/{name}</a> — {escape(pages.body(name)[0])}</li>'
        for name in pages.available()
    )
    api = "".join(
        f"<li><code>{escape(r)}</code></li>"
        for r in (
            "POST /v9/train?target=COL",
            "POST /v9/upload",
            "GET /v9/status/{id}",
            "GET /v9/model/{id}[/stripped]",
            "POST /v9/predict-sync",
            "GET /v9/health",
        )
    )
    body = (
        "<h1>SnakeBatch v9</h1><p>Distributed training of Snake models on a mesh of 100 "
        f"shard functions.</p><h2>Pages</h2><ul>{items}"
        '<li><a href="/grid/v9">/grid/v9</a> — live shard grid</li></ul>'
        f'<h2>API</h2><ul>{api}</ul><p><a href="/openapi.json">OpenAPI schema</a></p>'
    )
    return HTMLResponse(page("Home", body))


async def health(request: Request) -> JSONResponse:
    rt = runtime(request)
    return JSONResponse(
        {
            "status": "ok",
            "backend": rt.config.settings.backend,
            "shards": rt.backend.shard_count,
            "auth": rt.keys.enabled,
            "pid": os.getpid(),
            **rt.duties(),
            "model_cache": rt.models.stats(),
            "uptime_s": round(time.time() - STARTED, 1),
        }
    )


routes = [
    public(Route("/", index, methods=["GET"])),
    public(Route("/v9/health", health, methods=["GET"])),
    *[_doc_route(n) for n in ("paper", "architecture", "economics", "math")],
    public(Mount("/static", StaticFiles(directory=STATIC), name="static")),
]
