"""One host-wide leader among the gunicorn workers, elected with an advisory file lock.

Only the leader runs the mesh's worker pool, the report drainer and ``resume()``: two
drainers on one host would only fight over the same queue, and two local pools would
double the processes. The lock dies with its process, so when gunicorn replaces a dead
leader another worker (or the replacement) takes over within one retry period.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from pathlib import Path


class HostLeader:
    def __init__(
        self,
        lock_path: Path,
        on_elected: Callable[[], None],
        *,
        retry_s: float = 2.0,
    ):
        self.lock_path = lock_path
        self.on_elected = on_elected
        self.retry_s = retry_s
        self.is_leader = False
        self._fd: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_acquire(self) -> bool:
        if self.is_leader:
            return True
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        self.is_leader = True
        self.on_elected()
        return True

    def start(self) -> None:
        """Take the lock now if free, else keep trying in the background."""
        if self.try_acquire():
            return
        self._thread = threading.Thread(target=self._campaign, name="leader-election", daemon=True)
        self._thread.start()

    def _campaign(self) -> None:
        while not self._stop.wait(self.retry_s):
            if self.try_acquire():
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self.is_leader = False
