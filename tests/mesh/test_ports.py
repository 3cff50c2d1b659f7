"""Ports point one way: backends implement them and never import the mesh."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import snakebatch.backends
from snakebatch.backends.factory import UnknownBackend, open_backend
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.settings import Settings

BACKENDS = Path(snakebatch.backends.__file__).parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_backend_module_imports_the_mesh():
    modules = sorted(BACKENDS.glob("*.py"))
    assert len(modules) > 10
    offenders = {
        p.name: sorted(
            n for n in _imports(p) if n.startswith(("snakebatch.mesh", "snakebatch.gatherer"))
        )
        for p in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_open_backend_follows_the_settings(tmp_path):
    settings = dataclasses.replace(Settings.from_env({}), home=tmp_path, shard_count=3)
    backend, jobs = open_backend(settings)
    try:
        assert isinstance(backend, LocalBackend) and isinstance(jobs, SqliteJobStore)
        assert backend.shard_count == 3 and backend.workers == 0
    finally:
        backend.close()
    with pytest.raises(UnknownBackend, match="'gcp'"):
        open_backend(dataclasses.replace(settings, backend="gcp"))
