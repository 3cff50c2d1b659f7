"""Per-request access: who is calling (API key name) and the shared runtime."""

from __future__ import annotations

from starlette.requests import Request

from snakebatch.gatherer.runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def caller(request: Request) -> str:
    """The key name the authentication middleware found (``auth.KeyAuth``); only
    guarded routes run, so the caller is always known here."""
    return request.user.display_name
