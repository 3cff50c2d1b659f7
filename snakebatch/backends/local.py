"""The embedded default backend: everything under one directory, no configuration.

``$SNAKEBATCH_HOME`` (or ``~/.snakebatch``, or ``home=``) holds ``store/`` (the object
store), ``mesh.sqlite`` (the durable invocation and report queues, conquer counters,
shard statistics) and ``jobs.sqlite`` (the coordinator's job store). Invocations are
queued on disk like Lambda's async event queue and executed by a pool of worker
processes (``local_pool``), so ``invoke`` returns at once and a killed process loses
nothing that was queued.
"""

from __future__ import annotations

import json
import os
import pickle
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from snakebatch.backends.base import BackendError, CounterError, SpawnGate
from snakebatch.backends.local_governor import SharedTokenBucket
from snakebatch.backends.local_queue import SqliteQueue, process_alive
from snakebatch.backends.local_store import DirectoryStore
from snakebatch.backends.sqlite_util import connect
from snakebatch.settings import Settings

if TYPE_CHECKING:
    from snakebatch.backends.local_pool import WorkerPool

#: SQS's message size limit; a larger leaf report is spilled to the store.
SQS_MAX_BODY_BYTES = 256 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, expected INTEGER, completed INTEGER);
CREATE TABLE IF NOT EXISTS shards (
    shard INTEGER PRIMARY KEY, invoked INTEGER DEFAULT 0, done INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS running (token TEXT PRIMARY KEY, pid INTEGER, shard INTEGER);
CREATE TABLE IF NOT EXISTS gauges (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def default_home() -> Path:
    return Settings.from_env().home


class _Db:
    """One SQLite connection shared by this process's threads, serialised by a lock."""

    def __init__(self, path: Path) -> None:
        self.conn = connect(path, _SCHEMA)
        self.lock = threading.Lock()

    def write(self, sql: str, args: tuple = ()) -> None:
        with self.lock, self.conn:
            self.conn.execute(sql, args)

    def script(self, statements: list[tuple[str, tuple]]) -> None:
        with self.lock, self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            for sql, args in statements:
                self.conn.execute(sql, args)

    def one(self, sql: str, args: tuple = ()) -> Any:
        with self.lock:
            return self.conn.execute(sql, args).fetchone()

    def all(self, sql: str, args: tuple = ()) -> list:
        with self.lock:
            return self.conn.execute(sql, args).fetchall()


class LocalCounters:
    """Conquer's parent counters: ``completed`` only ever grows, up to ``expected``."""

    def __init__(self, db: _Db) -> None:
        self._db = db

    def create(self, key: str, expected: int) -> None:
        self._db.write(
            "INSERT OR IGNORE INTO counters (key, expected, completed) VALUES (?, ?, 0)",
            (key, expected),
        )

    def increment(self, key: str) -> int:
        self._db.write(
            "UPDATE counters SET completed = completed + 1 WHERE key = ? AND completed < expected",
            (key,),
        )
        return self.completed(key)

    def completed(self, key: str) -> int:
        row = self._db.one("SELECT completed FROM counters WHERE key = ?", (key,))
        if row is None:
            raise CounterError(f"no counter {key!r}")
        return int(row[0])


class LocalStats:
    """Per-shard activity and backend-wide gauges, shared by every process."""

    def __init__(self, db: _Db, shard_count: int) -> None:
        self._db = db
        self.shard_count = shard_count

    def invoked(self, shard: int, event_bytes: int) -> None:
        self._db.script(
            [
                ("INSERT OR IGNORE INTO shards (shard) VALUES (?)", (shard,)),
                ("UPDATE shards SET invoked = invoked + 1 WHERE shard = ?", (shard,)),
                ("INSERT OR IGNORE INTO gauges VALUES ('largest_event_bytes', 0)", ()),
                (
                    "UPDATE gauges SET value = MAX(value, ?) WHERE name = 'largest_event_bytes'",
                    (event_bytes,),
                ),
            ]
        )

    def started(self, shard: int) -> str:
        """Record a role starting in this process; returns the token ``finished`` takes."""
        token = uuid.uuid4().hex
        self._db.script(
            [
                ("INSERT OR IGNORE INTO shards (shard) VALUES (?)", (shard,)),
                ("INSERT INTO running VALUES (?, ?, ?)", (token, os.getpid(), shard)),
                ("INSERT OR IGNORE INTO gauges VALUES ('peak_concurrency', 0)", ()),
                (
                    "UPDATE gauges SET value = MAX(value, (SELECT COUNT(*) FROM running))"
                    " WHERE name = 'peak_concurrency'",
                    (),
                ),
            ]
        )
        return token

    def finished(self, token: str, shard: int, ok: bool) -> None:
        column = "done" if ok else "errors"
        self._db.script(
            [
                ("DELETE FROM running WHERE token = ?", (token,)),
                (f"UPDATE shards SET {column} = {column} + 1 WHERE shard = ?", (shard,)),
            ]
        )

    def forget_dead(self) -> int:
        """Roles of processes that died count as neither running nor done."""
        pids = [r[0] for r in self._db.all("SELECT DISTINCT pid FROM running")]
        dead = [pid for pid in pids if not process_alive(pid)]
        for pid in dead:
            self._db.write("DELETE FROM running WHERE pid = ?", (pid,))
        return len(dead)

    def shard_stats(self) -> list[dict[str, int]]:
        rows = {
            r[0]: r
            for r in self._db.all(
                "SELECT s.shard, s.invoked, (SELECT COUNT(*) FROM running r WHERE r.shard = s.shard),"
                " s.done, s.errors FROM shards s"
            )
        }
        out = []
        for shard in range(self.shard_count):
            _, invoked, in_flight, done, errors = rows.get(shard, (shard, 0, 0, 0, 0))
            out.append(
                {
                    "shard": shard,
                    "invoked": invoked,
                    "in_flight": in_flight,
                    "done": done,
                    "errors": errors,
                }
            )
        return out

    def gauges(self) -> dict[str, int]:
        values = dict(self._db.all("SELECT name, value FROM gauges"))
        invocations = self._db.one("SELECT COALESCE(SUM(invoked), 0) FROM shards")[0]
        running = self._db.one("SELECT COUNT(*) FROM running")[0]
        return {
            "invocations": int(invocations),
            "running": int(running),
            "peak_concurrency": int(values.get("peak_concurrency", 0)),
            "largest_event_bytes": int(values.get("largest_event_bytes", 0)),
        }

    def reset(self) -> None:
        """Start a fresh measurement (a new CLI run); in-flight work is not touched."""
        self._db.script(
            [
                ("UPDATE shards SET invoked = 0, done = 0, errors = 0", ()),
                ("UPDATE gauges SET value = 0", ()),
            ]
        )


class LocalInvoker:
    """Queues an invocation on disk and returns; a worker process runs it later."""

    def __init__(
        self, queue: SqliteQueue, stats: LocalStats, governor: SpawnGate | None = None
    ) -> None:
        self._queue = queue
        self._stats = stats
        self.governor = governor

    def invoke(self, shard: int, event: Mapping[str, Any]) -> None:
        if not 0 <= shard < self._stats.shard_count:
            raise BackendError(f"shard {shard} outside 0..{self._stats.shard_count - 1}")
        if self.governor is not None:
            self.governor.acquire()
        size = len(json.dumps(event, separators=(",", ":")).encode())
        self._queue.send({"shard": shard, "event": event})
        self._stats.invoked(shard, size)


def _shared_governor(governor: SpawnGate | None, path: Path) -> SpawnGate | None:
    """A rate/burst governor becomes one bucket shared by all processes; any other
    governor must pickle, and then each worker process applies its own copy."""
    if governor is None:
        return None
    rate, burst = getattr(governor, "rate", None), getattr(governor, "burst", None)
    if isinstance(rate, int | float) and isinstance(burst, int | float):
        return SharedTokenBucket(path, rate, burst)
    try:
        pickle.dumps(governor)
    except Exception as exc:
        raise BackendError(
            f"the governor must have rate and burst, or pickle for the worker processes: {exc}"
        ) from exc
    return governor


class LocalBackend:
    """The local mesh. Construct with ``workers=0`` for a client that only queues and
    reads (a worker process builds its own that way); ``start()`` launches the pool."""

    name = "local"

    def __init__(
        self,
        home: Path | str | None = None,
        *,
        workers: int = 2,
        shard_count: int | None = None,
        governor: SpawnGate | None = None,
        visibility_timeout_s: float = 300.0,
        max_report_bytes: int = SQS_MAX_BODY_BYTES,
        handler: str = "snakebatch.mesh.roles:dispatch",
        store_report_bodies: bool = True,
    ) -> None:
        if workers < 0:
            raise BackendError(f"workers must be 0 or more, got {workers}")
        if max_report_bytes < 1024:
            raise BackendError(f"max_report_bytes must be at least 1024, got {max_report_bytes}")
        self.home = Path(home) if home is not None else default_home()
        self.shard_count = shard_count or Settings.from_env().shard_count
        if self.shard_count < 1:
            raise BackendError(f"shard_count must be at least 1, got {self.shard_count}")
        self.workers = workers
        self.governor = _shared_governor(governor, self.home / "mesh.sqlite")
        self.handler = handler
        # Leaves write their report bodies to the store and send a pointer: the same
        # disk write for the worker, and the coordinator, which shares the cores with
        # the workers, never parses or re-writes a body while they run.
        self.store_report_bodies = store_report_bodies
        self.visibility_timeout_s = visibility_timeout_s
        self.store = DirectoryStore(self.home / "store")
        db_path = self.home / "mesh.sqlite"
        self._db = _Db(db_path)
        self.reports = SqliteQueue(
            db_path,
            "reports",
            visibility_timeout_s=visibility_timeout_s,
            max_body_bytes=max_report_bytes,
        )
        self.invocations = SqliteQueue(
            db_path, "invocations", visibility_timeout_s=visibility_timeout_s
        )
        self.counters = LocalCounters(self._db)
        self.stats_table = LocalStats(self._db, self.shard_count)
        self.invoker = LocalInvoker(self.invocations, self.stats_table, self.governor)
        self._pool: WorkerPool | None = None

    @property
    def jobs_path(self) -> Path:
        return self.home / "jobs.sqlite"

    def start(self) -> LocalBackend:
        """Launch the worker pool (idempotent); work left by dead processes is re-queued."""
        from snakebatch.backends.local_pool import WorkerPool

        if self._pool is None and self.workers > 0:
            self._after_worker_death()
            self._pool = WorkerPool(
                self.worker_config(), self.workers, on_death=self._after_worker_death
            )
            self._pool.start()
        return self

    def _after_worker_death(self) -> None:
        self.invocations.release_orphans()
        self.stats_table.forget_dead()

    def worker_config(self) -> dict[str, Any]:
        """What a worker process needs to rebuild this backend (must pickle)."""
        return {
            "home": str(self.home),
            "shard_count": self.shard_count,
            "governor": self.governor,
            "visibility_timeout_s": self.visibility_timeout_s,
            "max_report_bytes": self.reports.max_body_bytes,
            "handler": self.handler,
            "store_report_bodies": self.store_report_bodies,
        }

    def check(self) -> None:
        """Raise ``BackendError`` if the pool gave up (workers die at start-up), so a
        caller waiting for a job fails instead of waiting forever."""
        if self._pool is not None and self._pool.failed:
            raise BackendError(self._pool.failed)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool = None

    def __enter__(self) -> LocalBackend:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def drop_job(self, model_id: str) -> int:
        """Forget a job's queued invocations and reports (it failed or was abandoned),
        so the next run in this home does not spend workers on it."""
        fragment = json.dumps({"model_id": model_id})[1:-1].replace(" ", "")
        return self.invocations.drop_matching(fragment) + self.reports.drop_matching(fragment)

    def shard_stats(self) -> list[dict[str, int]]:
        return self.stats_table.shard_stats()

    def stats(self) -> dict[str, int]:
        return self.stats_table.gauges()
