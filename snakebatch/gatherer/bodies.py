"""Reading request bodies under a limit, so no route ever buffers more than it allows."""

from __future__ import annotations

from starlette.requests import ClientDisconnect, Request

from snakebatch.gatherer.errors import BadRequest, PayloadTooLarge
from snakebatch.gatherer.uploads import check_declared_length


async def read_limited(request: Request, limit: int) -> bytes:
    check_declared_length(request.headers.get("content-length"), limit)
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(
                    f"body exceeds the {limit} byte limit for this route; "
                    "use POST /v9/upload for large files"
                )
            parts.append(chunk)
    except ClientDisconnect:
        raise BadRequest("client disconnected before the body was complete") from None
    return b"".join(parts)
