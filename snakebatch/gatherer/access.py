"""Per-request access: who is calling (API key name) and the shared runtime."""

from __future__ import annotations

from starlette.requests import Request

from snakebatch.gatherer.runtime import Runtime


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def caller(request: Request) -> str:
    """The key name of an authenticated caller; raises ``Unauthorized`` otherwise."""
    return runtime(request).keys.identify(request.headers.get("authorization"))
