"""The gatherer's ASGI application: ``create_app()`` for gunicorn/uvicorn and tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from snakebatch.gatherer import routes_jobs, routes_live, routes_pages, routes_predict, routes_train
from snakebatch.gatherer.auth import KeyAuth, guard, public
from snakebatch.gatherer.config import GathererConfig
from snakebatch.gatherer.errors import HANDLERS
from snakebatch.gatherer.openapi import schema
from snakebatch.gatherer.pages import DocPages
from snakebatch.gatherer.runtime import Runtime


def create_app(config: GathererConfig | None = None, *, local_workers: int = 2) -> Starlette:
    """An app whose lifespan opens the runtime; no I/O happens before startup."""
    config = config or GathererConfig.from_env()
    spec = schema()

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(spec)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        rt = Runtime.open(config, local_workers=local_workers)
        app.state.runtime = rt
        rt.start()
        try:
            yield
        finally:
            rt.stop()

    middleware = []
    if config.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    app = Starlette(
        routes=guard(
            [
                *routes_train.routes,
                *routes_jobs.routes,
                *routes_predict.routes,
                *routes_live.routes,
                *routes_pages.routes,
                public(Route("/openapi.json", openapi, methods=["GET"])),
            ]
        ),
        middleware=[*middleware, Middleware(AuthenticationMiddleware, backend=KeyAuth())],
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.pages = DocPages(config.docs_dir)
    app.state.config = config
    return app


def app_from_env() -> Starlette:
    """Factory for ``gunicorn 'snakebatch.gatherer.app:app_from_env()'``."""
    return create_app()
