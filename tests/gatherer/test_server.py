"""A real gunicorn process (``snakebatch serve``) on loopback: train, SIGKILL, restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from snakebatch.engine import Snake as EngineSnake
from tests.gatherer.conftest import DATA
from tests.support import free_port

SNAKEBATCH = str(Path(sys.executable).with_name("snakebatch"))


def start(home: Path, port: int, log: Path, **env: str) -> subprocess.Popen:
    environ = {**os.environ, "SNAKEBATCH_HOME": str(home), **env}
    environ.pop("SNAKEBATCH_API_KEYS", None)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [SNAKEBATCH, "serve", "--port", str(port), "--workers", "2"],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v9/health", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def one_leader(base: str) -> bool:
    """Ask until both workers answered once a drainer runs; exactly one leads."""
    seen: dict[int, bool] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (len(seen) < 2 or not any(seen.values())):
        with httpx.Client(timeout=5) as fresh:  # a new connection may land on another worker
            h = fresh.get(f"{base}/v9/health").json()
        seen[h["pid"]] = h["leader"] and h["draining"]
    return len(seen) == 2 and sum(seen.values()) == 1


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.slow
def test_gunicorn_trains_titanic_and_survives_sigkill(tmp_path):
    home, log, port = tmp_path / "home", tmp_path / "server.log", free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(home, port, log)
    try:
        assert one_leader(base), "expected exactly one leader among the gunicorn workers"
        r = httpx.post(
            f"{base}/v9/train",
            params={"target": "survived", "n_layers": 6, "tau": 100, "bucket": 60, "seed": 11},
            content=(DATA / "titanic.csv").read_bytes(),
            timeout=60,
        )
        assert r.status_code == 202, r.text
        model_id = r.json()["model_id"]
        deadline = time.monotonic() + 60
        while True:
            st = httpx.get(f"{base}/v9/status/{model_id}", timeout=10).json()
            if sum(st["rows_covered_per_layer"]) > 0 or st["state"] != "queued":
                break
            assert time.monotonic() < deadline, st
            time.sleep(0.05)
        assert st["state"] == "running", "job finished before the kill; make it bigger"
        kill_group(proc)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base}/v9/health", timeout=2)

        proc = start(home, port, log)
        deadline = time.monotonic() + 180
        while True:
            st = httpx.get(f"{base}/v9/status/{model_id}", timeout=10).json()
            if st["state"] in ("done", "failed"):
                break
            assert time.monotonic() < deadline, st
            time.sleep(0.3)
        assert st["state"] == "done", st["error"]
        assert st["rows_covered_per_layer"] == [st["n_rows"]] * 6
        model = httpx.get(f"{base}/v9/model/{model_id}", timeout=30)
        assert model.status_code == 200
        (tmp_path / "m.json").write_bytes(model.content)
        snake = EngineSnake(str(tmp_path / "m.json"))
        assert len(snake.model.layers) == 6
        assert snake.get_prediction({"sex": "female", "pclass": 1}) in (0, 1)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(proc)


def test_serve_refuses_public_bind_without_keys(tmp_path):
    env = {**os.environ, "SNAKEBATCH_HOME": str(tmp_path)}
    env.pop("SNAKEBATCH_API_KEYS", None)
    r = subprocess.run(
        [SNAKEBATCH, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "refusing to listen on '0.0.0.0'" in r.stderr
    assert "Traceback" not in r.stderr


def test_apikey_command_stores_only_the_hash(tmp_path):
    from typer.testing import CliRunner

    from snakebatch.cli import app
    from snakebatch.gatherer.auth import KeyRing

    keys = tmp_path / "keys"
    r = CliRunner().invoke(app, ["apikey", "alice", "--file", str(keys)])
    assert r.exit_code == 0, r.output
    key = r.output.strip()
    assert key.startswith("sbk_") and key not in keys.read_text()
    assert KeyRing.load((), keys).identify(f"Bearer {key}") == "alice"
    assert keys.stat().st_mode & 0o077 == 0
    again = CliRunner().invoke(app, ["apikey", "alice", "--file", str(keys)])
    assert again.exit_code == 2 and "already has" in again.output
    bad = CliRunner().invoke(app, ["apikey", "a/b", "--file", str(keys)])
    assert bad.exit_code == 2
