"""Opening SQLite files that several worker processes write at once.

WAL lets readers run beside one writer, and a generous busy timeout turns lock
contention between processes into a short wait instead of an ``OperationalError``.
Autocommit mode (``isolation_level=None``) leaves transactions explicit, so a
``BEGIN IMMEDIATE`` can take the write lock before reading what it will change.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: Path, schema: str) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db
