"""Fire-and-forget role invocations on the Lambda shards.

``InvocationType="Event"`` returns once Lambda has queued the event (HTTP 202); the
caller never waits for a child. Throttles (429 ``TooManyRequestsException``) are
retried by botocore with backoff and jitter (see ``aws_clients``); anything that is
still refused surfaces as the botocore error, never as a silently dropped child.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from snakebatch.backends.base import BackendError, SpawnGate

ASYNC_PAYLOAD_LIMIT = 262_144


class InvokeError(BackendError):
    """Lambda did not accept an event for asynchronous execution."""


class EventTooLarge(InvokeError):
    """The event is over the asynchronous payload limit; events must stay small."""


class ShardRecorder(Protocol):
    def record(self, shard: int, field: str) -> None: ...
    def note_event_size(self, size: int) -> None: ...


class LambdaInvoker:
    """``Invoker`` over ``lambda.invoke`` on ``{prefix}-{NN}``."""

    def __init__(
        self,
        lam: Any,
        function_name: Any,
        shard_count: int,
        *,
        stats: ShardRecorder | None = None,
        qualifier: str | None = None,
        governor: SpawnGate | None = None,
    ) -> None:
        self.lam = lam
        self.function_name = function_name
        self.shard_count = shard_count
        self.stats = stats
        self.qualifier = qualifier
        self.governor = governor
        self.largest_event = 0

    def invoke(self, shard: int, event: Mapping[str, Any]) -> None:
        if not 0 <= shard < self.shard_count:
            raise InvokeError(f"shard {shard} outside 0..{self.shard_count - 1}")
        payload = json.dumps(event, separators=(",", ":")).encode()
        if len(payload) > ASYNC_PAYLOAD_LIMIT:
            raise EventTooLarge(
                f"{event.get('role', '?')} event is {len(payload)} bytes "
                f"(async limit {ASYNC_PAYLOAD_LIMIT})"
            )
        if self.governor is not None:
            self.governor.acquire()
        grew = len(payload) > self.largest_event
        self.largest_event = max(self.largest_event, len(payload))
        kwargs: dict[str, Any] = {
            "FunctionName": self.function_name(shard),
            "InvocationType": "Event",
            "Payload": payload,
        }
        if self.qualifier:
            kwargs["Qualifier"] = self.qualifier
        response = self.lam.invoke(**kwargs)
        if response.get("StatusCode") != 202:
            raise InvokeError(f"{kwargs['FunctionName']} answered {response.get('StatusCode')}")
        if self.stats is not None:
            self.stats.record(shard, "invoked")
            if grew:
                self.stats.note_event_size(len(payload))
