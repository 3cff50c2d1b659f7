"""One spawn budget for every process of the local mesh.

The ops governor (``snakebatch.ops.governor``) is a token bucket in one process's
memory, but local invocations are fired from the coordinator and from every worker
(a divide fires its children), so a per-process copy would multiply the rate by the
worker count. This bucket keeps the governor's ``rate`` and ``burst`` and its state in
``mesh.sqlite``, so all processes draw from the same tokens; it pickles as its
parameters, which is how a spawned worker gets it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from snakebatch.backends.sqlite_util import connect

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS spawn_tokens (id INTEGER PRIMARY KEY, tokens REAL, stamp REAL);"
)


class SharedTokenBucket:
    def __init__(self, path: Path, rate: float, burst: float) -> None:
        if not (rate > 0 and burst >= 1):
            raise ValueError(f"rate must be > 0 and burst >= 1, got {rate}, {burst}")
        self.path, self.rate, self.burst = Path(path), float(rate), float(burst)
        self._db: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "rate": self.rate, "burst": self.burst}

    def __setstate__(self, state: dict[str, Any]) -> None:
        SharedTokenBucket.__init__(self, state["path"], state["rate"], state["burst"])

    def reserve(self) -> float:
        """Take the next token (possibly into debt); return how long to wait for it."""
        if self._db is None:
            self._db = connect(self.path, _SCHEMA)
        now = time.time()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute("SELECT tokens, stamp FROM spawn_tokens WHERE id = 0").fetchone()
            tokens, stamp = row if row else (self.burst, now)
            tokens = min(self.burst, tokens + max(0.0, now - stamp) * self.rate) - 1
            self._db.execute("INSERT OR REPLACE INTO spawn_tokens VALUES (0, ?, ?)", (tokens, now))
        return 0.0 if tokens >= 0 else -tokens / self.rate

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            time.sleep(wait)
