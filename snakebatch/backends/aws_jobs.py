"""The coordinator's job store (``snakebatch.backends.base.JobStore``) on DynamoDB.

The job table has a hash key only (``pk``), shared with counters and shard stats, so
a job is spread over a few items rather than a query-able partition:

* ``job#{id}`` — the record, plus per-layer coverage counters ``cl_{layer}`` (leaves)
  and ``cr_{layer}`` (rows), so ``coverage`` is one consistent read;
* ``leafidx#{id}#{page}`` — the leaf index in ``LEAF_PAGES`` items, one attribute per
  leaf, so ``leaves`` is one batch read and no item nears DynamoDB's 400 KB limit
  (about 2,000 leaves per page, ~100K leaves per job);
* ``jobs#open`` — a string set of unfinished ids, so ``unfinished`` never scans.

Writes that must agree are transactions: adding a leaf entry and counting its rows
happen together or not at all, which makes ``add_leaf`` idempotent under redelivery
and concurrent drainers. ``finish`` is conditional on the job still being open.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from typing import Any

from botocore.exceptions import ClientError

from snakebatch.backends.aws_table import KEY, TTL_ATTRIBUTE, expiry
from snakebatch.backends.base import (
    OPEN_STATES,
    STATES,
    JobExists,
    JobNotFound,
    JobRecord,
    LeafEntry,
)
from snakebatch.settings import defaults

LEAF_PAGES = 48
# The bucket keeps jobs/ (models included) at least this long (terraform/modules/snakebatch),
# so a record that says "done" never points at an expired model.
JOB_TTL_S = defaults()["job_retention_days"] * 24 * 3600
OPEN_KEY = "jobs#open"
TRANSACT_ATTEMPTS = 8


def _job_key(model_id: str) -> dict[str, Any]:
    return {KEY: {"S": f"job#{model_id}"}}


def _page_key(model_id: str, page: int) -> dict[str, Any]:
    return {KEY: {"S": f"leafidx#{model_id}#{page:02d}"}}


def _page_of(layer: int, leaf_id: str) -> int:
    digest = hashlib.sha256(f"{layer}:{leaf_id}".encode()).hexdigest()
    return int(digest[:8], 16) % LEAF_PAGES


def _conflicted(exc: ClientError) -> bool:
    """Cancelled only because another write touched the same item at the same moment.

    Every leaf's transaction updates the job item, so concurrent drainer threads do
    collide on AWS; botocore does not retry this, and the write is safe to repeat.
    """
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    codes = {r.get("Code") for r in exc.response.get("CancellationReasons") or []}
    return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


def _cancelled_by_condition(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    if error.get("Code") == "ConditionalCheckFailedException":
        return True
    if error.get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons") or []
    if reasons:
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return "ConditionalCheckFailed" in str(error.get("Message", ""))


class DynamoJobStore:
    """``JobStore`` on the shared job table."""

    def __init__(self, ddb: Any, table: str) -> None:
        self.ddb = ddb
        self.table = table

    def create(self, record: JobRecord) -> None:
        if record.state not in STATES:
            raise ValueError(f"unknown state {record.state!r}")
        item = {
            **_job_key(record.model_id),
            "model_id": {"S": record.model_id},
            "state": {"S": record.state},
            "params": {"S": json.dumps(record.params, sort_keys=True)},
            "n_rows": {"N": str(record.n_rows)},
            "created_at": {"N": repr(record.created_at or time.time())},
            "timings": {"M": {k: {"N": repr(float(v))} for k, v in record.timings.items()}},
            TTL_ATTRIBUTE: {"N": str(expiry(JOB_TTL_S))},
        }
        if record.finished_at is not None:
            item["finished_at"] = {"N": repr(record.finished_at)}
        if record.error is not None:
            item["error"] = {"S": record.error}
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(#k)",
                    "ExpressionAttributeNames": {"#k": KEY},
                }
            }
        ]
        if record.state in OPEN_STATES:
            writes.append(self._open_set("ADD", record.model_id))
        try:
            self._transact(writes)
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                raise JobExists(f"job {record.model_id!r} already exists") from None
            raise

    def get(self, model_id: str) -> JobRecord:
        item = self._item(model_id)
        return JobRecord(
            model_id=item["model_id"]["S"],
            state=item["state"]["S"],
            params=json.loads(item["params"]["S"]),
            n_rows=int(item["n_rows"]["N"]),
            created_at=float(item["created_at"]["N"]),
            finished_at=float(item["finished_at"]["N"]) if "finished_at" in item else None,
            error=item["error"]["S"] if "error" in item else None,
            timings={k: float(v["N"]) for k, v in item.get("timings", {}).get("M", {}).items()},
        )

    def set_running(self, model_id: str, n_rows: int) -> None:
        try:
            self.ddb.update_item(
                TableName=self.table,
                Key=_job_key(model_id),
                UpdateExpression="SET #s = :running, n_rows = :n",
                ConditionExpression="#s = :queued",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={
                    ":running": {"S": "running"},
                    ":queued": {"S": "queued"},
                    ":n": {"N": str(n_rows)},
                },
            )
        except ClientError as exc:
            if not _cancelled_by_condition(exc):
                raise
            self._item(model_id)  # JobNotFound if absent; otherwise already past queued

    def set_timing(self, model_id: str, name: str, seconds: float) -> None:
        try:
            self.ddb.update_item(
                TableName=self.table,
                Key=_job_key(model_id),
                UpdateExpression="SET timings.#n = :v",
                ConditionExpression="attribute_exists(#k)",
                ExpressionAttributeNames={"#n": name, "#k": KEY},
                ExpressionAttributeValues={":v": {"N": repr(float(seconds))}},
            )
        except ClientError as exc:
            if _cancelled_by_condition(exc):
                raise JobNotFound(model_id) from None
            raise

    def finish(self, model_id: str, state: str, *, error: str | None, at: float) -> bool:
        if state not in ("done", "failed"):
            raise ValueError(f"finish takes 'done' or 'failed', got {state!r}")
        values = {
            ":state": {"S": state},
            ":at": {"N": repr(at)},
            ":q": {"S": "queued"},
            ":r": {"S": "running"},
        }
        update = "SET #s = :state, finished_at = :at"
        if error is not None:
            update += ", #e = :error"
            values[":error"] = {"S": error}
        else:
            update += " REMOVE #e"
        job_update = {
            "Update": {
                "TableName": self.table,
                "Key": _job_key(model_id),
                "UpdateExpression": update,
                "ConditionExpression": "#s IN (:q, :r)",
                "ExpressionAttributeNames": {"#s": "state", "#e": "error"},
                "ExpressionAttributeValues": values,
            }
        }
        try:
            self._transact([job_update, self._open_set("DELETE", model_id)])
        except ClientError as exc:
            if not _cancelled_by_condition(exc):
                raise
            self._item(model_id)
            return False
        return True

    def add_leaf(self, model_id: str, leaf: LeafEntry) -> bool:
        entry = json.dumps(
            [leaf.order, leaf.n_rows, leaf.n_buckets, leaf.report_key], separators=(",", ":")
        )
        attr = f"e_{leaf.layer}_{leaf.leaf_id}"
        writes = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _page_key(model_id, _page_of(leaf.layer, leaf.leaf_id)),
                    "UpdateExpression": "SET #e = :entry, #t = :ttl",
                    "ConditionExpression": "attribute_not_exists(#e)",
                    "ExpressionAttributeNames": {"#e": attr, "#t": TTL_ATTRIBUTE},
                    "ExpressionAttributeValues": {
                        ":entry": {"S": entry},
                        ":ttl": {"N": str(expiry(JOB_TTL_S))},
                    },
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _job_key(model_id),
                    "UpdateExpression": "ADD #cl :one, #cr :rows",
                    "ConditionExpression": "attribute_exists(#k)",
                    "ExpressionAttributeNames": {
                        "#cl": f"cl_{leaf.layer}",
                        "#cr": f"cr_{leaf.layer}",
                        "#k": KEY,
                    },
                    "ExpressionAttributeValues": {
                        ":one": {"N": "1"},
                        ":rows": {"N": str(leaf.n_rows)},
                    },
                }
            },
        ]
        try:
            self._transact(writes)
        except ClientError as exc:
            if not _cancelled_by_condition(exc):
                raise
            self._item(model_id)  # JobNotFound when the job item is what failed
            return False
        return True

    def leaves(self, model_id: str) -> list[LeafEntry]:
        keys = [_page_key(model_id, p) for p in range(LEAF_PAGES)]
        out = []
        for item in self._batch_get(keys):
            for name, value in item.items():
                if not name.startswith("e_"):
                    continue
                _, layer, leaf_id = name.split("_", 2)
                order, n_rows, n_buckets, report_key = json.loads(value["S"])
                out.append(LeafEntry(int(layer), leaf_id, order, n_rows, n_buckets, report_key))
        out.sort(key=lambda e: (e.layer, e.order, e.leaf_id))
        return out

    def coverage(self, model_id: str) -> dict[int, tuple[int, int]]:
        item = self._item(model_id)
        out = {}
        for name, value in item.items():
            if name.startswith("cl_"):
                layer = int(name[3:])
                rows = int(item.get(f"cr_{layer}", {"N": "0"})["N"])
                out[layer] = (int(value["N"]), rows)
        return dict(sorted(out.items()))

    def unfinished(self) -> list[str]:
        item = self.ddb.get_item(
            TableName=self.table, Key={KEY: {"S": OPEN_KEY}}, ConsistentRead=True
        ).get("Item")
        ids = item["ids"]["SS"] if item and "ids" in item else []
        records = []
        for model_id in ids:
            try:
                records.append(self.get(model_id))
            except JobNotFound:
                continue
        return [r.model_id for r in sorted(records, key=lambda r: r.created_at)]

    def _transact(self, writes: list[dict[str, Any]]) -> None:
        for attempt in range(TRANSACT_ATTEMPTS):
            try:
                self.ddb.transact_write_items(TransactItems=writes)
                return
            except ClientError as exc:
                if not _conflicted(exc) or attempt == TRANSACT_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0, 0.02 * 2**attempt))

    def _open_set(self, action: str, model_id: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": {KEY: {"S": OPEN_KEY}},
                "UpdateExpression": f"{action} ids :id",
                "ExpressionAttributeValues": {":id": {"SS": [model_id]}},
            }
        }

    def _item(self, model_id: str) -> dict[str, Any]:
        item = self.ddb.get_item(
            TableName=self.table, Key=_job_key(model_id), ConsistentRead=True
        ).get("Item")
        if item is None:
            raise JobNotFound(model_id)
        return item

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while pending:
                response = self.ddb.batch_get_item(RequestItems=pending)
                items.extend(response.get("Responses", {}).get(self.table, []))
                pending = response.get("UnprocessedKeys") or {}
        return items
