"""The job store (``snakebatch.backends.base.JobStore``) on SQLite, for the local backend."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from snakebatch.backends.base import (
    OPEN_STATES,
    STATES,
    JobExists,
    JobNotFound,
    JobRecord,
    LeafEntry,
)
from snakebatch.backends.sqlite_util import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    model_id TEXT PRIMARY KEY, state TEXT NOT NULL, params TEXT NOT NULL,
    n_rows INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, finished_at REAL,
    error TEXT, timings TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS leaves (
    model_id TEXT NOT NULL, layer INTEGER NOT NULL, leaf_id TEXT NOT NULL,
    ord TEXT NOT NULL, n_rows INTEGER NOT NULL, n_buckets INTEGER NOT NULL,
    report_key TEXT NOT NULL, PRIMARY KEY (model_id, layer, leaf_id));
"""


class SqliteJobStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = connect(self.path, _SCHEMA)
        self._lock = threading.Lock()

    def create(self, record: JobRecord) -> None:
        if record.state not in STATES:
            raise ValueError(f"unknown state {record.state!r}")
        with self._lock, self._db:
            exists = self._db.execute(
                "SELECT 1 FROM jobs WHERE model_id = ?", (record.model_id,)
            ).fetchone()
            if exists:
                raise JobExists(f"job {record.model_id!r} already exists")
            self._db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.model_id,
                    record.state,
                    json.dumps(record.params),
                    record.n_rows,
                    record.created_at or time.time(),
                    record.finished_at,
                    record.error,
                    json.dumps(record.timings),
                ),
            )

    def get(self, model_id: str) -> JobRecord:
        with self._lock:
            row = self._db.execute(
                "SELECT model_id, state, params, n_rows, created_at, finished_at, error, timings"
                " FROM jobs WHERE model_id = ?",
                (model_id,),
            ).fetchone()
        if row is None:
            raise JobNotFound(model_id)
        mid, state, params, n_rows, created, finished, error, timings = row
        return JobRecord(
            mid, state, json.loads(params), n_rows, created, finished, error, json.loads(timings)
        )

    def set_running(self, model_id: str, n_rows: int) -> None:
        self._update(
            "UPDATE jobs SET state = 'running', n_rows = ? WHERE model_id = ? AND state = 'queued'",
            (n_rows, model_id),
            model_id,
        )

    def set_timing(self, model_id: str, name: str, seconds: float) -> None:
        self._update(
            "UPDATE jobs SET timings = json_set(timings, '$.' || ?, ?) WHERE model_id = ?",
            (name, seconds, model_id),
            model_id,
        )

    def finish(self, model_id: str, state: str, *, error: str | None, at: float) -> bool:
        if state not in ("done", "failed"):
            raise ValueError(f"finish takes 'done' or 'failed', got {state!r}")
        marks = ",".join("?" * len(OPEN_STATES))
        with self._lock, self._db:
            changed = self._db.execute(
                f"UPDATE jobs SET state = ?, error = ?, finished_at = ?"
                f" WHERE model_id = ? AND state IN ({marks})",
                (state, error, at, model_id, *OPEN_STATES),
            ).rowcount
        if not changed:
            self.get(model_id)  # raises JobNotFound for an unknown id
        return bool(changed)

    def add_leaf(self, model_id: str, leaf: LeafEntry) -> bool:
        with self._lock, self._db:
            added = self._db.execute(
                "INSERT OR IGNORE INTO leaves SELECT ?, ?, ?, ?, ?, ?, ?"
                " WHERE EXISTS (SELECT 1 FROM jobs WHERE model_id = ?)",
                (
                    model_id,
                    leaf.layer,
                    leaf.leaf_id,
                    leaf.order,
                    leaf.n_rows,
                    leaf.n_buckets,
                    leaf.report_key,
                    model_id,
                ),
            ).rowcount
        if not added:
            self.get(model_id)  # raises JobNotFound for an unknown id
        return bool(added)

    def leaves(self, model_id: str) -> list[LeafEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT layer, leaf_id, ord, n_rows, n_buckets, report_key FROM leaves"
                " WHERE model_id = ? ORDER BY layer, ord, leaf_id",
                (model_id,),
            ).fetchall()
        return [LeafEntry(*r) for r in rows]

    def coverage(self, model_id: str) -> dict[int, tuple[int, int]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT layer, COUNT(*), SUM(n_rows) FROM leaves WHERE model_id = ? GROUP BY layer",
                (model_id,),
            ).fetchall()
        return {layer: (n, int(rows_)) for layer, n, rows_ in rows}

    def unfinished(self) -> list[str]:
        marks = ",".join("?" * len(OPEN_STATES))
        with self._lock:
            rows = self._db.execute(
                f"SELECT model_id FROM jobs WHERE state IN ({marks}) ORDER BY created_at",
                OPEN_STATES,
            ).fetchall()
        return [r[0] for r in rows]

    def all_ids(self) -> list[str]:
        """Every job, oldest first (``snakebatch jobs list``)."""
        with self._lock:
            rows = self._db.execute("SELECT model_id FROM jobs ORDER BY created_at").fetchall()
        return [r[0] for r in rows]

    def delete(self, model_id: str) -> None:
        """Forget a job and its leaves (``snakebatch jobs prune``); its files are the
        caller's to remove."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM leaves WHERE model_id = ?", (model_id,))
            self._db.execute("DELETE FROM jobs WHERE model_id = ?", (model_id,))

    def _update(self, sql: str, args: tuple, model_id: str) -> None:
        with self._lock, self._db:
            changed = self._db.execute(sql, args).rowcount
        if not changed:
            self.get(model_id)
