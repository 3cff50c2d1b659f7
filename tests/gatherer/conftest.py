"""Fixtures: a gatherer app on a temporary home, driven through Starlette's TestClient."""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from snakebatch.gatherer import GathererConfig, Limits, create_app
from snakebatch.settings import Settings
from tests.support import free_port

DATA = Path(__file__).resolve().parents[2] / "data"
#: Small trees so a titanic job has several leaves per layer and still finishes fast.
FAST = {"n_layers": 2, "tau": 400, "bucket": 100, "seed": 7}


def make_config(home: Path, **overrides) -> GathererConfig:
    limits = overrides.pop("limits", Limits(train_per_minute=600, train_burst=50))
    settings = Settings.from_env({"SNAKEBATCH_HOME": str(home)})
    return replace(GathererConfig(settings=settings, limits=limits), **overrides)


@pytest.fixture
def config(tmp_path: Path) -> GathererConfig:
    return make_config(tmp_path / "home")


@pytest.fixture
def client(config: GathererConfig):
    with TestClient(create_app(config, local_workers=2), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A shared app without mesh workers, for requests that never reach a leaf."""
    config = make_config(tmp_path_factory.mktemp("api") / "home")
    with TestClient(create_app(config, local_workers=0), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def titanic_csv() -> bytes:
    return (DATA / "titanic.csv").read_bytes()


def wait_state(client: TestClient, model_id: str, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        r = client.get(f"/v9/status/{model_id}")
        assert r.status_code == 200, r.text
        body = r.json()
        if body["state"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, f"job {model_id} stuck in {body['state']}"
        time.sleep(0.2)


def assert_error(response, status: int, fragment: str = "") -> dict:
    """A precise JSON error: the right status, a code, a message naming the problem."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    err = response.json()["error"]
    assert err["code"] and err["message"]
    assert "Traceback" not in response.text
    assert fragment.lower() in err["message"].lower(), err["message"]
    return err


@contextlib.contextmanager
def serve(config: GathererConfig, local_workers: int = 2):
    """The app under a real uvicorn server on loopback, in a background thread."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, local_workers=local_workers),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def live_server(config: GathererConfig):
    with serve(config) as url:
        yield url
