"""A durable at-least-once queue on SQLite, with SQS's semantics.

The local backend keeps two of these in one file: the reports queue (leaf → drainer)
and the invocation queue (the stand-in for Lambda's own async event queue). Both must
survive a crash of the process that reads them, so a message lives on disk until it
is acknowledged; a receive only hides it for a visibility timeout, after which it is
delivered again with a higher receive count. A receiver that dies (SIGKILL) leaves its
claims behind: ``release_orphans`` makes them visible at once, so a restarted drainer
does not wait out the timeout.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snakebatch.backends.base import Received
from snakebatch.backends.sqlite_util import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    queue       TEXT NOT NULL,
    body        TEXT NOT NULL,
    visible_at  REAL NOT NULL,
    receipt     TEXT,
    owner_pid   INTEGER,
    receives    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, visible_at, id);
"""


class SqliteQueue:
    """One named queue in a SQLite file; several processes may share the file."""

    def __init__(
        self,
        path: Path,
        name: str,
        *,
        visibility_timeout_s: float = 60.0,
        max_body_bytes: int = 256 * 1024,
    ) -> None:
        if visibility_timeout_s <= 0:
            raise ValueError(f"visibility_timeout_s must be positive, got {visibility_timeout_s}")
        self.path = Path(path)
        self.name = name
        self.visibility_timeout_s = visibility_timeout_s
        self.max_body_bytes = max_body_bytes
        self._db = connect(self.path, _SCHEMA)
        # One connection per queue object; conquer threads share it, so serialise.
        self._lock = threading.Lock()

    def send(self, body: Mapping[str, Any]) -> None:
        text = json.dumps(body, separators=(",", ":"))
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO messages (queue, body, visible_at) VALUES (?, ?, 0)",
                (self.name, text),
            )

    def receive(self, max_messages: int = 10, wait_s: float = 2.0) -> list[Received]:
        """Claim up to ``max_messages`` visible messages, long-polling up to ``wait_s``."""
        if max_messages < 1:
            raise ValueError(f"max_messages must be at least 1, got {max_messages}")
        deadline = time.monotonic() + max(0.0, wait_s)
        pause = 0.005
        while True:
            got = self._claim(max_messages)
            if got or time.monotonic() >= deadline:
                return got
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.05)

    def _claim(self, max_messages: int) -> list[Received]:
        now = time.time()
        receipt = uuid.uuid4().hex
        with self._lock:
            # Polling an empty queue must not take the write lock: under WAL this read
            # never waits, while an idle worker's BEGIN IMMEDIATE would queue behind
            # (and hold up) every process that has real work to write.
            ready = self._db.execute(
                "SELECT 1 FROM messages WHERE queue = ? AND visible_at <= ? LIMIT 1",
                (self.name, now),
            ).fetchone()
        if ready is None:
            return []
        with self._lock, self._db:
            # BEGIN IMMEDIATE takes the write lock first, so two receivers never
            # claim the same message.
            self._db.execute("BEGIN IMMEDIATE")
            rows = self._db.execute(
                "SELECT id FROM messages WHERE queue = ? AND visible_at <= ? ORDER BY id LIMIT ?",
                (self.name, now, max_messages),
            ).fetchall()
            if not rows:
                return []
            ids = [r[0] for r in rows]
            marks = ",".join("?" * len(ids))
            self._db.execute(
                f"UPDATE messages SET visible_at = ?, receipt = ? || ':' || id, owner_pid = ?,"
                f" receives = receives + 1 WHERE id IN ({marks})",
                (now + self.visibility_timeout_s, receipt, os.getpid(), *ids),
            )
            claimed = self._db.execute(
                f"SELECT body, receipt, receives FROM messages WHERE id IN ({marks}) ORDER BY id",
                ids,
            ).fetchall()
        return [Received(json.loads(b), r, n) for b, r, n in claimed]

    def ack(self, receipts: list[str]) -> None:
        """Delete acknowledged messages; a stale receipt (redelivered since) is ignored."""
        if not receipts:
            return
        with self._lock, self._db:
            self._db.executemany("DELETE FROM messages WHERE receipt = ?", [(r,) for r in receipts])

    def release(self, receipt: str) -> None:
        """Make a claimed message visible again now (a receiver gives it back)."""
        with self._lock, self._db:
            self._db.execute(
                "UPDATE messages SET visible_at = 0, receipt = NULL, owner_pid = NULL"
                " WHERE receipt = ?",
                (receipt,),
            )

    def release_orphans(self) -> int:
        """Re-deliver at once what a dead process had claimed; returns how many."""
        now = time.time()
        with self._lock, self._db:
            owners = self._db.execute(
                "SELECT DISTINCT owner_pid FROM messages WHERE queue = ? AND visible_at > ?"
                " AND owner_pid IS NOT NULL",
                (self.name, now),
            ).fetchall()
            dead = [pid for (pid,) in owners if not process_alive(pid)]
            released = 0
            for pid in dead:
                released += self._db.execute(
                    "UPDATE messages SET visible_at = 0, receipt = NULL, owner_pid = NULL"
                    " WHERE queue = ? AND owner_pid = ? AND visible_at > ?",
                    (self.name, pid, now),
                ).rowcount
        return released

    def depth(self) -> int:
        """Messages not yet acknowledged (visible or in flight)."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM messages WHERE queue = ?", (self.name,)
            ).fetchone()
        return int(row[0])

    def drop_matching(self, fragment: str) -> int:
        """Delete messages whose JSON body contains ``fragment`` (a finished job's leftovers)."""
        with self._lock, self._db:
            return self._db.execute(
                "DELETE FROM messages WHERE queue = ? AND instr(body, ?) > 0", (self.name, fragment)
            ).rowcount

    def close(self) -> None:
        self._db.close()


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    """A SIGKILLed child stays a zombie until reaped; it is dead for our purposes."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
