"""Staging a job's population once, and reading it back once per worker process.

The coordinator parses the upload with the engine's ingestion (target to column 0,
datatypes detected once and enforced, values coerced, profile and MI resolved once),
gzips the package and stores it at ``jobs/{model_id}/pop.json.gz``. A slice can look
numeric where the whole column is text, so workers never re-detect anything: they
rebuild the ``Dataset`` from the package. Each worker keeps the last few datasets in
memory and the raw package in a local file cache (Lambda's ``/tmp``), so only a cold
process pays the store read.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from snakebatch.backends.base import ObjectStore
from snakebatch.engine import collector
from snakebatch.engine.dataset import Dataset
from snakebatch.mesh.errors import MeshError

_MEMORY_DATASETS = 2
_FILE_CACHE = 8
_memory: OrderedDict[str, Dataset] = OrderedDict()
_memory_lock = threading.Lock()  # the gatherer ingests from several drainer threads


class StagingError(MeshError, ValueError):
    """The upload cannot become a training population (empty, one class, bad target...)."""


def package_key(model_id: str) -> str:
    return f"jobs/{model_id}/pop.json.gz"


def _json_rows(source: Any) -> Any:
    """JSON rows (a ``.json`` path, or bytes holding a JSON array) as a list of dicts;
    anything else is passed to the engine's ingestion unchanged."""
    if isinstance(source, str | os.PathLike) and str(source).lower().endswith(".json"):
        try:
            source = Path(source).read_bytes()
        except OSError as exc:
            raise StagingError(f"cannot read {source}: {exc.strerror}") from exc
    elif not (isinstance(source, bytes | bytearray) and source.lstrip()[:1] == b"["):
        return source
    try:
        rows = json.loads(source)
    except ValueError as exc:
        raise StagingError(f"JSON rows do not parse: {exc}") from exc
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise StagingError("JSON input must be an array of objects (one per row)")
    return rows


def build_dataset(
    source: Any,
    *,
    target: int | str,
    profile: str = "auto",
    seed: int = 0,
    excluded: Sequence[int | str] = (),
) -> Dataset:
    """Parse an upload (CSV path or bytes, CSV.gz, JSON rows) into a typed Dataset."""
    with collector.paused():
        ds = Dataset.from_source(
            _json_rows(source), target=target, excluded=excluded, profile=profile, seed=seed
        )
    classes = {repr(t) for t in ds.targets}
    if len(classes) < 2:
        dropped = "".join(f" ({note})" for note in ds.notes if "duplicate" in note)
        raise StagingError(
            f"target {target!r} has a single class ({next(iter(classes), 'none')}){dropped}; "
            "a classifier needs at least two"
        )
    return ds


def encode_package(ds: Dataset) -> bytes:
    """The package's compact JSON, gzipped. It is encoded and compressed a column at a
    time: the JSON text of a million-row population (about 100 MB) never exists whole,
    only its compressed bytes do."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as out:
        for chunk in _package_json(ds.to_package()):
            out.write(chunk.encode())
    return buffer.getvalue()


def _package_json(pkg: dict) -> Iterator[str]:
    """``json.dumps(pkg, separators=(",", ":"))`` in pieces: one per population column."""

    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), allow_nan=True)

    for k, (key, value) in enumerate(pkg.items()):
        yield ("," if k else "{") + dumps(key) + ":"
        if key == "population":
            yield "["
            for c, column in enumerate(value):
                yield ("," if c else "") + dumps(column)
            yield "]"
        else:
            yield dumps(value)
    yield "}"


def stage(store: ObjectStore, model_id: str, ds: Dataset) -> str:
    key = package_key(model_id)
    store.put(key, encode_package(ds))
    _keep(key, ds)
    return key


def _cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"snakebatch-packages-{os.getuid()}"


def _cache_file(store: ObjectStore, key: str) -> Path:
    where = f"{getattr(store, 'root', '')}|{getattr(store, 'bucket', '')}|{key}"
    return _cache_dir() / (hashlib.sha256(where.encode()).hexdigest()[:32] + ".json.gz")


def load_dataset(store: ObjectStore, key: str) -> Dataset:
    """The staged Dataset under ``key``: memory, then the local file cache, then the store."""
    with _memory_lock:
        ds = _memory.get(key)
        if ds is not None:
            _memory.move_to_end(key)
            return ds
    cached = _cache_file(store, key)
    try:
        data = cached.read_bytes()
    except OSError:
        data = store.get(key)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, cached)
        _prune(cached.parent)
    try:
        with collector.paused():
            ds = Dataset.from_package(json.loads(gzip.decompress(data)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        cached.unlink(missing_ok=True)
        raise StagingError(f"staged package {key!r} is unreadable: {exc}") from exc
    _keep(key, ds)
    return ds


def _prune(folder: Path) -> None:
    """Keep the newest ``_FILE_CACHE`` packages: /tmp is small on Lambda."""
    with contextlib.suppress(OSError):  # another worker pruned first: nothing to do
        files = sorted(folder.glob("*.json.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[_FILE_CACHE:]:
            old.unlink(missing_ok=True)


def evict(key: str) -> None:
    """Drop a package from this process's memory (its job is over)."""
    with _memory_lock:
        _memory.pop(key, None)


def _keep(key: str, ds: Dataset) -> None:
    with _memory_lock:
        _memory[key] = ds
        _memory.move_to_end(key)
        while len(_memory) > _MEMORY_DATASETS:
            _memory.popitem(last=False)
