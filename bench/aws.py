"""aws backend benchmark on loopback: what the AWS path costs over the local mesh.

    python -m bench.aws

Everything runs on this machine: a moto server process (S3, SQS, DynamoDB) and the loopback
Lambda endpoint from ``tests/aws`` running the real handler in 2 worker processes.
Figures:

* drainer throughput: 400 small reports on SQS (moto), ingested by a no-op with 1 and
  4 receiver threads — messages/s and the 4-vs-1 ratio (long polling, batch delete);
* titanic (1,309 rows, 2 layers, τ=250, bucket 80): wall time through the aws backend
  vs the local backend with the same 2 workers, invocations, API-visible event size;
* the layer build: wall time, zip sizes.

Absolute AWS latencies are not measured here (no account): moto answers in ~1 ms where
S3/SQS/DynamoDB take 5–30 ms, so the aws/local ratio is a floor, not a forecast.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from snakebatch.backends.aws import AwsBackend
from snakebatch.backends.aws_jobs import DynamoJobStore
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.mesh.coordinator import Coordinator, TrainParams
from snakebatch.mesh.drainer import Drainer
from tests.aws.lambda_endpoint import LambdaEndpoint
from tests.aws.resources import provision

REPO = Path(__file__).resolve().parents[1]
TITANIC = REPO / "data" / "titanic.csv"
PARAMS = TrainParams(n_layers=2, tau=250, bucket=80, seed=11)
REGION = "eu-west-3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"moto server did not listen on {port} in {timeout_s}s")


def drainer_rate(backend: AwsBackend, threads: int, n: int = 400) -> float:
    for i in range(n):
        backend.reports.send({"kind": "leaf", "i": i})
    seen = set()
    lock = threading.Lock()

    def ingest(body: dict) -> None:
        with lock:
            seen.add(body["i"])

    t0 = time.perf_counter()
    with Drainer(backend.reports, ingest, threads=threads, wait_s=1):
        while len(seen) < n:
            time.sleep(0.01)
        elapsed = time.perf_counter() - t0
    return n / elapsed


def aws_train(backend: AwsBackend, table: str, endpoint: LambdaEndpoint) -> tuple[float, dict]:
    coordinator = Coordinator(backend, DynamoJobStore(backend.clients.dynamodb, table))
    before = backend.stats()["invocations"]
    t0 = time.perf_counter()
    model_id = coordinator.submit(TITANIC, target="survived", params=PARAMS)
    with Drainer(backend.reports, coordinator.ingest, threads=4, wait_s=1):
        while not coordinator.status(model_id).finished:
            time.sleep(0.05)
    wall = time.perf_counter() - t0
    status = coordinator.status(model_id)
    assert status.state == "done", status.error
    endpoint.wait_idle(60)
    stats = backend.stats()
    return wall, {
        "leaves": sum(status.leaves_per_layer),
        "invocations": stats["invocations"] - before,
        "largest_event_bytes": stats["largest_event_bytes"],
    }


def local_train(home: Path) -> float:
    with LocalBackend(home, workers=2, shard_count=4) as local:
        coordinator = Coordinator(local, SqliteJobStore(local.jobs_path))
        t0 = time.perf_counter()
        model_id = coordinator.submit(TITANIC, target="survived", params=PARAMS)
        status = coordinator.run(model_id, timeout_s=300)
        assert status.state == "done", status.error
        return time.perf_counter() - t0


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    # In its own process: an in-process moto would share the GIL with the drainer
    # threads being measured.
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(port)
    env = {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_RETRY_MODE": "standard",
    }
    os.environ.update(env)
    work = Path(tempfile.mkdtemp(prefix="bench-aws-"))
    try:
        res = provision(REGION, shard_count=4)
        os.environ.update(res.env())
        backend = AwsBackend.from_env(cache_dir=work / "cache")
        one = drainer_rate(backend, 1)
        four = drainer_rate(backend, 4)
        print(
            f"drainer on SQS (moto): 1 thread {one:,.0f} msg/s, 4 threads {four:,.0f} msg/s, ×{four / one:.2f}"
        )

        endpoint = LambdaEndpoint(
            REPO / "functions" / "handler_snake.py",
            {**env, **res.env(), "SNAKEBATCH_HOME": str(work / "lambda")},
            function_prefix=res.function_prefix,
            shard_count=res.shard_count,
            workers=2,
            on_failure_queue_url=res.queue_url,
        ).start()
        os.environ["AWS_ENDPOINT_URL_LAMBDA"] = endpoint.url
        try:
            backend = AwsBackend.from_env(cache_dir=work / "cache2")
            aws_train(backend, res.table, endpoint)  # warm the worker processes
            aws_wall, stats = aws_train(backend, res.table, endpoint)
        finally:
            endpoint.close()
        local_train(work / "warm")
        local_wall = local_train(work / "local")
        print(
            f"titanic 2 layers τ=250: aws loopback {aws_wall:.2f}s, local {local_wall:.2f}s, "
            f"aws/local ×{aws_wall / local_wall:.2f}; {stats['leaves']} leaves, "
            f"{stats['invocations']} invocations, largest event {stats['largest_event_bytes']} B"
        )

        from layers.build import build_function, build_layer

        t0 = time.perf_counter()
        layer, needs = build_layer(work / "build")
        function = build_function(work / "build")
        worst = max(n.glibc for n in needs)
        print(
            f"layer build {time.perf_counter() - t0:.1f}s: layer {layer.size / 1e6:.1f} MB "
            f"({layer.entries} files), function {function.size} B, highest glibc needed "
            f"{'.'.join(map(str, worst))}"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
