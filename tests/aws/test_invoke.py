"""The Lambda invoker against the loopback Invoke API: async accept, limits, errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.aws_invoke import EventTooLarge, InvokeError
from tests.aws.lambda_endpoint import LambdaEndpoint

HANDLER = Path(__file__).resolve().parents[2] / "functions" / "handler_snake.py"


class CountingGovernor:
    def __init__(self) -> None:
        self.tokens = 0
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            self.tokens += 1


@pytest.fixture
def endpoint(resources, aws_env, monkeypatch, tmp_path):
    ep = LambdaEndpoint(
        HANDLER,
        {**aws_env, **resources.env(), "SNAKEBATCH_HOME": str(tmp_path)},
        function_prefix=resources.function_prefix,
        shard_count=resources.shard_count,
        workers=1,
        blocking_workers=1,
    ).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", ep.url)
    yield ep
    ep.close()


def test_events_are_accepted_async_counted_and_governed(endpoint, tmp_path):
    governor = CountingGovernor()
    backend = AwsBackend.from_env(cache_dir=tmp_path / "c", governor=governor)
    assert backend.clients.lambda_.meta.endpoint_url == endpoint.url
    for shard in (0, 1, 1):
        backend.invoker.invoke(shard, {"role": "no-such-role", "pad": "x" * 100})
    assert governor.tokens == 3
    assert endpoint.wait_idle(30)
    assert endpoint.counts.accepted == 3 and endpoint.counts.succeeded == 3
    rows = backend.shard_stats()
    assert [rows[s]["invoked"] for s in range(3)] == [1, 2, 0]
    assert [rows[s]["errors"] for s in range(3)] == [1, 2, 0]  # rejected by the handler
    assert all(r["in_flight"] == 0 for r in rows)
    assert backend.stats()["largest_event_bytes"] > 100


def test_invoke_limits_are_typed_errors(endpoint, tmp_path):
    backend = AwsBackend.from_env(cache_dir=tmp_path / "c")
    with pytest.raises(InvokeError, match="outside"):
        backend.invoker.invoke(backend.shard_count, {"role": "divide"})
    with pytest.raises(EventTooLarge, match="async limit"):
        backend.invoker.invoke(0, {"role": "divide", "indices": list(range(60_000))})
    assert endpoint.counts.accepted == 0


def test_a_missing_function_is_reported_not_retried(endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("SNAKEBATCH_FUNCTION_PREFIX", "not-deployed")
    backend = AwsBackend.from_env(cache_dir=tmp_path / "c")
    with pytest.raises(ClientError) as err:
        backend.invoker.invoke(0, {"role": "divide"})
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_throttle_outlasting_the_retries_surfaces(endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    backend = AwsBackend.from_env(cache_dir=tmp_path / "c")
    endpoint.throttle_for(30)
    with pytest.raises(ClientError) as err:
        backend.invoker.invoke(0, {"role": "divide"})
    assert err.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert endpoint.counts.throttled == 2  # one call, two attempts, then the error
