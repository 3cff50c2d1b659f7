"""Helpers shared by the test areas (fixtures live in ``tests/conftest.py``)."""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

from moto.dynamodb.responses import DynamoHandler


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serialize_moto_dynamodb() -> None:
    """Make moto's DynamoDB answer one request at a time, as if its writes were isolated.

    moto (5.2) runs ``TransactWriteItems`` by deep-copying the whole table, applying the
    writes, and on any failed condition putting the copy back, with no lock. On the
    threaded server, a write that lands from another request between that copy and that
    rollback is silently undone, or half undone (a leaf's index entry kept, its coverage
    counter lost, or the reverse), and a copy racing a write fails with "dictionary
    changed size during iteration". Real DynamoDB serialises transactions; the drainer's
    duplicate reports make failed (idempotent) transactions common, so under CPU load a
    job lost a leaf in moto and never completed. Idempotent: wraps once.
    """
    if getattr(DynamoHandler.call_action, "_serialized", False):
        return
    lock = threading.Lock()
    unlocked = DynamoHandler.call_action

    @functools.wraps(unlocked)
    def call_action(self: DynamoHandler, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return unlocked(self, *args, **kwargs)

    call_action._serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


FIXTURE_MODEL = (
    Path(__file__).resolve().parent / "fixtures" / "reference" / "titanic-balanced.model.json"
)
FIXTURE_QUERIES = FIXTURE_MODEL.with_name("titanic-balanced.expected.jsonl")

_SERVE_FIXTURE = """
import json, sys
import snakebatch, snakebatch.engine.columns as columns
from snakebatch.engine import Snake
queries = [json.loads(line)["query"] for line in open(sys.argv[2])][: int(sys.argv[3])]
model = Snake(sys.argv[1])
print(json.dumps({
    "package": snakebatch.__file__,
    "compiled": columns._compiled is not None,
    "predictions": [model.get_prediction(q) for q in queries],
    "probabilities": [model.get_probability(q) for q in queries],
}, default=str))
"""


def serve_fixture(python: list[str], env: dict[str, str], cwd: Path, n: int) -> dict[str, Any]:
    """A packaged engine (layer, wheel) answering the first ``n`` fixture queries in its
    own interpreter, so only what was packaged is importable."""
    done = subprocess.run(
        [*python, "-c", _SERVE_FIXTURE, str(FIXTURE_MODEL), str(FIXTURE_QUERIES), str(n)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def fixture_answers(n: int) -> dict[str, Any]:
    """What this checkout's engine answers to the same queries, in ``serve_fixture``'s shape."""
    from snakebatch.engine import Snake

    lines = FIXTURE_QUERIES.read_text().splitlines()[:n]
    model = Snake(str(FIXTURE_MODEL))
    queries = [json.loads(line)["query"] for line in lines]
    answers = {
        "predictions": [model.get_prediction(q) for q in queries],
        "probabilities": [model.get_probability(q) for q in queries],
    }
    return json.loads(json.dumps(answers, default=str))


def write_outputs(directory: Path, names: list[str], prefix: str) -> None:
    """A Terraform state in ``directory`` whose outputs name a deployment's functions,
    as ``terraform output -json`` reads them after an apply."""
    state = {
        "version": 4,
        "terraform_version": "1.9.0",
        "serial": 1,
        "lineage": "test",
        "outputs": {
            "function_names": {"value": names, "type": ["list", "string"]},
            "shard_environment": {
                "value": {"SNAKEBATCH_FUNCTION_PREFIX": prefix},
                "type": ["map", "string"],
            },
        },
        "resources": [],
    }
    (directory / "terraform.tfstate").write_text(json.dumps(state))
