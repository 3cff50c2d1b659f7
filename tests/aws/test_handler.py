"""The Lambda handler called in-process, the way the runtime calls it, against moto."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from snakebatch.backends.aws_queue import QueueError
from snakebatch.settings import env_name
from tests.aws.lambda_endpoint import FakeContext

HANDLER = Path(__file__).resolve().parents[2] / "functions" / "handler_snake.py"


@pytest.fixture
def handler_module():
    """A fresh import per test: a new container with no cached backend."""
    spec = importlib.util.spec_from_file_location("handler_snake_under_test", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rejected_events_are_answered_and_counted(resources, handler_module):
    context = FakeContext(f"{resources.function_prefix}-02", "r1")
    for event in ({"role": "nope"}, {"role": "divide"}, "text", None):
        result = handler_module.handler(event, context)
        assert result["ok"] is False
        assert result["error"]["type"] == "MeshEventError"
    rows = handler_module.backend().shard_stats()
    assert rows[2]["errors"] == 4 and rows[2]["done"] == 0
    json.dumps(result)  # the response is JSON, as Lambda requires


def test_a_container_that_cannot_work_raises_so_lambda_retries(
    resources, handler_module, monkeypatch
):
    monkeypatch.setenv(env_name("reports_queue_url"), "")
    with pytest.raises(QueueError, match="SNAKEBATCH_REPORTS_QUEUE_URL"):
        handler_module.handler({"role": "leaf"}, FakeContext("x-00", "r2"))


def test_shard_of_function_names(handler_module):
    assert handler_module.shard_of("v9-worker-pipe-07") == 7
    assert handler_module.shard_of("v9-worker-pipe-99") == 99
    assert handler_module.shard_of("no-shard-here") is None
    assert handler_module.shard_of("") is None
