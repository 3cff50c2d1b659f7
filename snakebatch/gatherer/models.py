"""Loaded models for ``/v9/predict-sync``, kept in an LRU per process bounded by count
and by model bytes.

A model is immutable once its job is done, so a cached ``Snake`` never goes stale.
The bytes are kept on local disk too, so a restart or an eviction costs a parse but
not a fetch from the store. A model is parsed at most once while it stays cached:
concurrent requests for a model being loaded wait for that load instead of parsing
it again. The stripped and full files are cached under separate keys: modes that
need no training rows load the stripped one, which is smaller and faster to parse.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: JSON bytes of loaded models kept per process; a loaded model takes a few times that.
MAX_BYTES = 512 * 1024 * 1024
MAX_MODELS = 8


class ModelCache:
    def __init__(self, folder: Path, capacity: int = MAX_MODELS, max_bytes: int = MAX_BYTES):
        self.folder = folder
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._loading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.loads = 0
        self.hits = 0

    def get(self, model_id: str, fetch: Callable[[], bytes], *, stripped: bool = False) -> Any:
        """The loaded model, parsing its bytes (fetched once to disk) only on a miss."""
        key = f"{model_id}_stripped" if stripped else model_id
        with self._lock:
            found = self._hit(key)
            if found is not None:
                return found
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            with self._lock:
                found = self._hit(key)
                if found is not None:
                    return found
            try:
                model, size = self._load(key, fetch)
            finally:
                with self._lock:
                    self._loading.pop(key, None)
            with self._lock:
                self.loads += 1
                self._items[key] = (model, size)
                self._evict()
        return model

    def _hit(self, key: str) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item[0]

    def _load(self, key: str, fetch: Callable[[], bytes]) -> tuple[Any, int]:
        from snakebatch.engine import Snake
        from snakebatch.engine.modelio import loads_model

        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.json"
        if path.exists():
            data = path.read_bytes()
        else:
            data = fetch()
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return Snake(loads_model(data, source=key)), len(data)

    def _evict(self) -> None:
        """Oldest first, down to both bounds; the newest model stays even if alone too big."""
        while len(self._items) > 1 and (
            len(self._items) > self.capacity or self._bytes() > self.max_bytes
        ):
            self._items.popitem(last=False)

    def _bytes(self) -> int:
        return sum(size for _, size in self._items.values())

    def stats(self) -> dict[str, int]:
        """For ``/v9/health``: what is cached, its bounds, and loads versus hits."""
        with self._lock:
            return {
                "models": len(self._items),
                "bytes": self._bytes(),
                "max_models": self.capacity,
                "max_bytes": self.max_bytes,
                "loads": self.loads,
                "hits": self.hits,
            }
