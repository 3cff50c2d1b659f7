"""The loopback DynamoDB must isolate concurrent writes as DynamoDB does, or the
end-to-end tests fail for moto's sake: see ``tests.support.serialize_moto_dynamodb``."""

from __future__ import annotations

import threading

import boto3

from snakebatch.backends.aws_jobs import DynamoJobStore
from snakebatch.backends.base import JobRecord, LeafEntry

LEAVES = 40
THREADS = 6


def _deliver_twice(table: str, model_id: str) -> None:
    """Every leaf added twice by racing threads, as duplicated reports are ingested."""
    work = [LeafEntry(0, f"leaf{i}", [i], 1, 1, f"k{i}") for i in range(LEAVES)] * 2
    lock = threading.Lock()

    def run() -> None:
        store = DynamoJobStore(boto3.client("dynamodb"), table)
        while True:
            with lock:
                if not work:
                    return
                leaf = work.pop()
            store.add_leaf(model_id, leaf)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)


def test_duplicate_leaves_added_concurrently_are_each_counted_once(resources):
    ddb = boto3.client("dynamodb")
    # A table with history (as the module-scoped cloud's has) makes moto's per-transaction
    # table copy slow, which is what opened the window.
    for i in range(300):
        ddb.put_item(TableName=resources.table, Item={"pk": {"S": f"filler{i}"}})
    store = DynamoJobStore(ddb, resources.table)
    for job in range(3):
        model_id = f"iso{job}"
        store.create(JobRecord(model_id, "running", {"n_layers": 1}, LEAVES))
        _deliver_twice(resources.table, model_id)
        assert store.coverage(model_id) == {0: (LEAVES, LEAVES)}
        assert len(store.leaves(model_id)) == LEAVES
