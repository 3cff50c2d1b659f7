"""Load on a real gatherer: concurrent clients on /v9/predict-sync and /v9/status.

Starts ``snakebatch serve`` (gunicorn + uvicorn workers, local mesh) on loopback in a
temporary home, trains titanic once through the API, then runs a bounded number of
requests per endpoint from ``--clients`` concurrent asyncio clients and prints p50/p99
latency and requests/s. ``python -m bench.gatherer_load [--requests N] [--clients C]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
TITANIC = REPO / "data" / "titanic.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SNAKEBATCH_HOME": str(home)}
    env.pop("SNAKEBATCH_API_KEYS", None)
    env["SNAKEBATCH_LOG_LEVEL"] = "warning"
    exe = str(Path(sys.executable).with_name("snakebatch"))
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v9/health", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("the gatherer did not start within 60 s")


def train(base: str) -> str:
    r = httpx.post(
        f"{base}/v9/train",
        params={"target": "survived", "n_layers": 5, "tau": 400, "bucket": 100, "seed": 1},
        content=TITANIC.read_bytes(),
        timeout=60,
    )
    r.raise_for_status()
    model_id = r.json()["model_id"]
    while (st := httpx.get(f"{base}/v9/status/{model_id}", timeout=30).json())["state"] not in (
        "done",
        "failed",
    ):
        time.sleep(0.3)
    if st["state"] != "done":
        raise SystemExit(f"training failed: {st['error']}")
    return model_id


async def hammer(base: str, method: str, path: str, body, n: int, clients: int) -> dict:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while True:
            try:
                queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            r = await http.request(method, path, json=body)
            latencies.append(time.perf_counter() - t0)
            errors += r.status_code != 200

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": n,
        "errors": errors,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "rps": n / wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000, help="requests per endpoint")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--batch", type=int, default=10, help="rows per predict-sync request")
    args = ap.parse_args()
    rows = [
        {"pclass": 1 + i % 3, "sex": ("male", "female")[i % 2], "age": 20 + i % 50, "fare": 8 + i}
        for i in range(args.batch)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(Path(tmp) / "home", port, args.workers)
        try:
            model_id = train(base)
            print(
                f"gatherer: gunicorn, {args.workers} uvicorn workers, local mesh; model {model_id}"
            )
            print(f"{args.clients} concurrent clients, {args.requests} requests per endpoint")
            runs = {
                f"POST /v9/predict-sync ({args.batch} rows)": (
                    "POST",
                    "/v9/predict-sync",
                    {"model_id": model_id, "rows": rows},
                ),
                "GET /v9/status/{id}": ("GET", f"/v9/status/{model_id}", None),
                "GET /v9/health": ("GET", "/v9/health", None),
            }
            print(f"{'endpoint':38} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
            for name, (method, path, body) in runs.items():
                asyncio.run(hammer(base, method, path, body, min(50, args.requests), 4))
                r = asyncio.run(hammer(base, method, path, body, args.requests, args.clients))
                print(
                    f"{name:38} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['rps']:8.0f} "
                    f"{r['errors']:7d}"
                )
            print(f"rows/s through predict-sync ≈ requests/s × {args.batch}")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
