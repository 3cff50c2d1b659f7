"""The reports queue on SQS: one message per leaf report, spilling oversized bodies to S3.

SQS refuses a message over the queue's ``MaximumMessageSize`` (256 KiB by default);
a leaf over a big slice can produce a larger report. Rather than fail, the body goes
to the object store and the message carries its key (``{"sqs_spilled_key": key}``);
``receive`` resolves it, so callers only ever see report bodies (Lambda's on-failure
destination records included: they arrive here and are read as error reports). The spilled key is
content-addressed, so a retried leaf overwrites the same object with the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from typing import Any

from snakebatch.backends.aws_destinations import as_error_report, is_destination_record
from snakebatch.backends.base import BackendError, ObjectStore, Received

SQS_DEFAULT_MAX_BYTES = 262_144
SQS_BATCH = 10
SQS_MAX_WAIT_S = 20
SPILL_FIELD = "sqs_spilled_key"


class QueueError(BackendError):
    """SQS refused an operation for a reason retrying will not fix."""

    permanent = True


def encode(body: Mapping[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def spill_key(body: Mapping[str, Any], text: str) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    model_id = body.get("model_id")
    prefix = f"jobs/{model_id}/spill" if isinstance(model_id, str) and model_id else "spill"
    return f"{prefix}/{digest}.json"


class SqsReportQueue:
    """``ReportQueue`` over an SQS queue (+ its dead-letter queue)."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        store: ObjectStore,
        *,
        dlq_url: str = "",
        max_message_bytes: int | None = None,
    ) -> None:
        if not queue_url:
            raise QueueError("no reports queue URL configured (SNAKEBATCH_REPORTS_QUEUE_URL)")
        self.sqs = sqs
        self.queue_url = queue_url
        self.dlq_url = dlq_url
        self.store = store
        self._max_bytes = max_message_bytes
        self._lock = threading.Lock()
        self.spilled = 0

    @property
    def max_body_bytes(self) -> int:
        """The queue's own limit, asked once: the guard follows whatever Terraform set."""
        with self._lock:
            if self._max_bytes is None:
                attrs = self.sqs.get_queue_attributes(
                    QueueUrl=self.queue_url, AttributeNames=["MaximumMessageSize"]
                )["Attributes"]
                self._max_bytes = int(attrs.get("MaximumMessageSize", SQS_DEFAULT_MAX_BYTES))
            return self._max_bytes

    def send(self, body: Mapping[str, Any]) -> None:
        text = encode(body)
        if len(text.encode()) > self.max_body_bytes:
            key = spill_key(body, text)
            self.store.put(key, text.encode())
            text = encode({SPILL_FIELD: key, "model_id": body.get("model_id")})
            with self._lock:
                self.spilled += 1
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=text)

    def receive(self, max_messages: int = 10, wait_s: float = 2.0) -> list[Received]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(SQS_BATCH, max_messages)),
            WaitTimeSeconds=max(0, min(SQS_MAX_WAIT_S, round(wait_s))),
            AttributeNames=["ApproximateReceiveCount"],
        )
        out = []
        for message in response.get("Messages", []):
            count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            out.append(Received(self._decode(message["Body"]), message["ReceiptHandle"], count))
        return out

    def ack(self, receipts: list[str]) -> None:
        for start in range(0, len(receipts), SQS_BATCH):
            chunk = receipts[start : start + SQS_BATCH]
            entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(chunk)]
            response = self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
            failed = [f for f in response.get("Failed", []) if f.get("SenderFault")]
            if failed:
                raise QueueError(f"SQS refused to delete {len(failed)} message(s): {failed[0]}")

    def retry_later(self, receipt: str, delay_s: float) -> None:
        """Make a message visible again after ``delay_s`` (backoff between ingest tries)."""
        seconds = max(0, min(43_200, round(delay_s)))
        self.sqs.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=seconds
        )

    def dead_letter(self, message: Received, reason: str) -> None:
        """Park a poison message on the DLQ with the reason, then take it off the queue."""
        if self.dlq_url:
            record = {"reason": reason, "receive_count": message.receive_count}
            record["body"] = message.body
            self.sqs.send_message(QueueUrl=self.dlq_url, MessageBody=encode(record))
        self.ack([message.receipt])

    def _decode(self, text: str) -> dict[str, Any]:
        """A message body, resolved from S3 when spilled; undecodable text stays visible."""
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            return {"malformed": text[:512], "error": f"not JSON: {exc}"}
        if not isinstance(body, dict):
            return {"malformed": text[:512], "error": "not a JSON object"}
        key = body.get(SPILL_FIELD)
        if isinstance(key, str):
            try:
                return json.loads(self.store.get(key))
            except (KeyError, json.JSONDecodeError) as exc:
                return {"malformed": text[:512], "error": f"spilled body {key}: {exc!r}"}
        if is_destination_record(body):
            return as_error_report(body)
        return body
