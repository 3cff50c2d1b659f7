"""Typed API errors and the handlers that turn every failure into a JSON body.

A client only ever sees ``{"error": {"code", "message"}}`` with a 4xx for what it
sent wrong, a 503 when the storage, queue or compute beneath is failing, or a bare
500 message for our own faults: tracebacks go to the log, never to the response.
The library's error roots reach a status through one table, ``STATUS_OF``.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from snakebatch.backends.base import (
    BackendError,
    JobExists,
    JobNotFound,
    ObjectMissing,
    StoreDenied,
)
from snakebatch.engine.errors import SnakeError
from snakebatch.mesh.coordinator import ModelNotReady
from snakebatch.mesh.errors import MeshError

log = logging.getLogger("snakebatch.gatherer")


class ApiError(Exception):
    """An error the client can act on: an HTTP status, a stable code and a message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class Unprocessable(ApiError):
    status, code = 422, "unprocessable"


class TooManyRequests(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


async def api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(max(1, round(exc.retry_after_s)))
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return error_response(exc.status, exc.code, exc.message, headers)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
        exc.status_code, "http_error"
    )
    return error_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))


#: The library's errors as HTTP statuses, first match wins: what the client named does
#: not exist or is not ready, what it sent cannot train, or the world beneath failed.
#: Routes only read objects the job store lists, so a missing one is our fault (500).
STATUS_OF: tuple[tuple[type[Exception], int, str], ...] = (
    (JobNotFound, 404, "not_found"),
    (JobExists, 409, "conflict"),
    (ModelNotReady, 409, "conflict"),
    (SnakeError, 422, "unprocessable"),
    (MeshError, 422, "unprocessable"),
    (ObjectMissing, 500, "internal"),
    # A denial is the deployment's IAM, not an outage: retrying cannot help, so it is
    # logged with the grant to check and answered like any server fault.
    (StoreDenied, 500, "internal"),
    (BackendError, 503, "backend_unavailable"),
)


async def library_error(request: Request, exc: Exception) -> JSONResponse:
    """A library error no route translated: its status from ``STATUS_OF``."""
    status, code = next(((s, c) for kind, s, c in STATUS_OF if isinstance(exc, kind)), (500, ""))
    if status == 500:
        return await internal_error(request, exc)
    if status >= 500:
        log.warning("backend failure on %s %s: %r", request.method, request.url.path, exc)
        return error_response(status, code, "the backend is unavailable; retry later")
    return error_response(status, code, str(exc))


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "internal server error; the cause is in the server log")


HANDLERS = {
    ApiError: api_error,
    HTTPException: http_error,
    **{kind: library_error for kind, _, _ in STATUS_OF},
    Exception: internal_error,
}
