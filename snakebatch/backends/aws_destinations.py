"""Lambda's on-failure destination records, read back as job failures.

When an asynchronous invocation keeps failing, Lambda gives up after its retries and
sends a record ``{requestContext, requestPayload, responsePayload, ...}`` to the
function's on-failure destination. Terraform points that destination at the reports
queue, so the drainer receives the record like a report; this module turns it into
the mesh's error report, and the job fails with Lambda's own error text instead of
waiting for coverage that can never come.
"""

from __future__ import annotations

from typing import Any


def is_destination_record(body: dict[str, Any]) -> bool:
    return isinstance(body.get("requestContext"), dict) and "requestPayload" in body


def as_error_report(record: dict[str, Any]) -> dict[str, Any]:
    """The mesh error report (``kind: error``) for one destination record."""
    context = record.get("requestContext") or {}
    event = record.get("requestPayload")
    event = event if isinstance(event, dict) else {}
    response = record.get("responsePayload")
    response = response if isinstance(response, dict) else {}
    kind = response.get("errorType") or context.get("condition") or "LambdaError"
    message = response.get("errorMessage") or "no error message"
    attempts = int(context.get("approximateInvokeCount") or 1)
    arn = str(context.get("functionArn", "")).split(":")  # …:function:NAME[:QUALIFIER]
    function = arn[6] if len(arn) > 6 else ""
    report: dict[str, Any] = {
        "kind": "error",
        "model_id": event.get("model_id") or "",
        "role": event.get("role"),
        "error": (
            f"{kind}: {message} ({event.get('role')} on {function or 'lambda'} gave up"
            f" after {attempts} attempts: {context.get('condition', 'RetriesExhausted')})"
        ),
        "attempts": attempts,
    }
    if isinstance(event.get("layer"), int):
        report["layer"] = event["layer"]
    return report
