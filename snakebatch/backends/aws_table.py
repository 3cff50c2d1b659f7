"""DynamoDB items of the job table: parent counters and per-shard activity.

One table (``v9-jobs``, hash key ``pk`` of type S, TTL attribute ``expires_at``) holds
every kind of record, told apart by the key prefix: ``counter#…`` for the conquer
parents, ``shard#NN`` for the live grid, ``job#…`` for job records (``aws_jobs``).
Counters use conditional updates so a redelivered leaf ack can never push a parent
past its expected count, and a counter is never silently created by an increment.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from snakebatch.backends.base import CounterError

KEY = "pk"
TTL_ATTRIBUTE = "expires_at"
DEFAULT_TTL_S = 7 * 24 * 3600
SHARD_FIELDS = ("invoked", "done", "errors")


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def expiry(ttl_s: int = DEFAULT_TTL_S) -> int:
    return int(time.time()) + ttl_s


class DynamoCounters:
    """``Counters`` on DynamoDB: ``create`` once, ``increment`` up to ``expected``."""

    def __init__(self, ddb: Any, table: str) -> None:
        self.ddb = ddb
        self.table = table

    def create(self, key: str, expected: int) -> None:
        """Idempotent: re-creating a counter (a retried conquer) keeps its progress."""
        if expected < 1:
            raise ValueError(f"a counter expects at least one child, got {expected}")
        try:
            self.ddb.put_item(
                TableName=self.table,
                Item={
                    KEY: {"S": f"counter#{key}"},
                    "expected": {"N": str(expected)},
                    "completed": {"N": "0"},
                    TTL_ATTRIBUTE: {"N": str(expiry())},
                },
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": KEY},
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise

    def increment(self, key: str) -> int:
        try:
            response = self.ddb.update_item(
                TableName=self.table,
                Key={KEY: {"S": f"counter#{key}"}},
                UpdateExpression="ADD completed :one",
                ConditionExpression="attribute_exists(#k) AND completed < expected",
                ExpressionAttributeNames={"#k": KEY},
                ExpressionAttributeValues={":one": {"N": "1"}},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return self.completed(key)
            raise
        return int(response["Attributes"]["completed"]["N"])

    def completed(self, key: str) -> int:
        item = self.ddb.get_item(
            TableName=self.table, Key={KEY: {"S": f"counter#{key}"}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            raise CounterError(f"no counter {key!r}")
        return int(item["completed"]["N"])


class DynamoShardStats:
    """Per-shard activity for the live grid: invoked by callers, done/errors by the handler."""

    def __init__(self, ddb: Any, table: str, shard_count: int) -> None:
        self.ddb = ddb
        self.table = table
        self.shard_count = shard_count

    def record(self, shard: int, field: str) -> None:
        if field not in SHARD_FIELDS:
            raise ValueError(f"unknown shard field {field!r}; expected one of {SHARD_FIELDS}")
        if not 0 <= shard < self.shard_count:
            raise ValueError(f"shard {shard} outside 0..{self.shard_count - 1}")
        self.ddb.update_item(
            TableName=self.table,
            Key={KEY: {"S": f"shard#{shard:02d}"}},
            UpdateExpression="ADD #f :one",
            ExpressionAttributeNames={"#f": field},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    def note_event_size(self, size: int) -> None:
        """Raise the table-wide largest-event mark (a conditional max, so never lowered)."""
        try:
            self.ddb.update_item(
                TableName=self.table,
                Key={KEY: {"S": "stats#largest_event"}},
                UpdateExpression="SET #v = :v",
                ConditionExpression="attribute_not_exists(#v) OR #v < :v",
                ExpressionAttributeNames={"#v": "bytes"},
                ExpressionAttributeValues={":v": {"N": str(size)}},
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise

    def largest_event(self) -> int:
        item = self.ddb.get_item(
            TableName=self.table, Key={KEY: {"S": "stats#largest_event"}}, ConsistentRead=True
        ).get("Item")
        return int(item["bytes"]["N"]) if item else 0

    def snapshot(self) -> list[dict[str, int]]:
        """One dict per shard 0..shard_count-1, in order, read in batches of 100."""
        found: dict[int, dict[str, int]] = {}
        keys = [{KEY: {"S": f"shard#{s:02d}"}} for s in range(self.shard_count)]
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {self.table: {"Keys": keys[start : start + 100]}}
            while pending:
                response = self.ddb.batch_get_item(RequestItems=pending)
                for item in response.get("Responses", {}).get(self.table, []):
                    shard = int(item[KEY]["S"].split("#", 1)[1])
                    found[shard] = {f: int(item[f]["N"]) for f in SHARD_FIELDS if f in item}
                pending = response.get("UnprocessedKeys") or {}
        return [shard_row(s, found.get(s, {})) for s in range(self.shard_count)]


def shard_row(shard: int, counts: dict[str, int]) -> dict[str, int]:
    invoked, done, errors = (counts.get(f, 0) for f in SHARD_FIELDS)
    in_flight = max(0, invoked - done - errors)
    return {
        "shard": shard,
        "invoked": invoked,
        "in_flight": in_flight,
        "done": done,
        "errors": errors,
    }
