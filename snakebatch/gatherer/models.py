"""Loaded models for ``/v9/predict-sync``, kept in a small LRU per process.

A model is immutable once its job is done, so a cached ``Snake`` never goes stale; the
bytes are written to a local file first because the engine loads models from paths.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any


class ModelCache:
    def __init__(self, folder: Path, capacity: int = 8):
        self.folder = folder
        self.capacity = capacity
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_id: str, fetch: Callable[[], bytes]) -> Any:
        with self._lock:
            if model_id in self._items:
                self._items.move_to_end(model_id)
                return self._items[model_id]
        from snakebatch.engine import Snake

        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{model_id}.json"
        if not path.exists():
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(fetch())
            tmp.replace(path)
        model = Snake(str(path))
        with self._lock:
            self._items[model_id] = model
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return model
