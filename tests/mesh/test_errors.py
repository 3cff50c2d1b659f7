"""The error tree: two roots below the engine's, one permanence flag, one HTTP table."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

import snakebatch.backends
import snakebatch.mesh
from snakebatch.backends.base import (
    BackendError,
    CounterError,
    JobExists,
    JobNotFound,
    ObjectMissing,
    StoreFailed,
)
from snakebatch.engine.errors import DataError
from snakebatch.gatherer.errors import HANDLERS
from snakebatch.mesh.coordinator import ModelNotReady
from snakebatch.mesh.errors import MeshError
from snakebatch.mesh.reports import ReportError


def _errors_defined_in(package) -> list[type[BaseException]]:
    found = []
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and issubclass(obj, BaseException):
                found.append(obj)
    return found


def test_every_backend_error_is_a_backend_error():
    errors = _errors_defined_in(snakebatch.backends)
    assert {"InvokeError", "QueueError", "AwsConfigError", "CounterError"} <= {
        e.__name__ for e in errors
    }
    outside = [e.__name__ for e in errors if not issubclass(e, BackendError)]
    assert outside == []


def test_every_mesh_error_is_a_mesh_error():
    errors = _errors_defined_in(snakebatch.mesh)
    assert len(errors) >= 6
    outside = [e.__name__ for e in errors if not issubclass(e, MeshError)]
    assert outside == []


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (ReportError("bad"), True),
        (JobNotFound("m"), True),
        (CounterError("no counter"), True),
        (ObjectMissing("k"), False),
        (StoreFailed("disk full"), False),
    ],
)
def test_permanence_is_a_flag_of_the_type(error, permanent):
    assert error.permanent is permanent


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (JobNotFound("m1"), 404, "not_found"),
        (JobExists("m1"), 409, "conflict"),
        (ModelNotReady("m1", "running", None), 409, "conflict"),
        (DataError("one class only"), 422, "unprocessable"),
        (ReportError("unknown report kind"), 422, "unprocessable"),
        (StoreFailed("bucket gone: secret-bucket-name"), 503, "backend_unavailable"),
        (ObjectMissing("secret-bucket-name/model.json"), 500, "internal"),
    ],
)
def test_gatherer_maps_each_root_to_one_status(error, status, code):
    def boom(request):
        raise error

    app = Starlette(routes=[Route("/boom", boom)], exception_handlers=HANDLERS)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == status
    body = response.json()["error"]
    assert body["code"] == code
    assert "secret-bucket-name" not in body["message"]
    if status < 500:
        assert body["message"] == str(error)


def test_cli_exit_codes_follow_the_roots():
    from snakebatch.cli.exits import CLOUD, NOT_FOUND, classify

    assert classify(JobNotFound("m1")) == (NOT_FOUND, "no such job: no job 'm1'")
    from snakebatch.backends.aws_queue import QueueError

    assert classify(QueueError("no reports queue URL"))[0] == CLOUD
