"""The local stand-in for Lambda's containers: worker processes draining invocations.

Each worker rebuilds the backend from its home directory, takes one invocation at a
time from the durable queue, runs the handler (``module:function``, as Lambda names
it) and acknowledges. Roles that only wait (``BLOCKING_ROLES``) run on a thread, so a
polling ``conquer`` holds a slot but never the CPU its leaf needs. A worker whose
parent died stops taking work, so a SIGKILLed drainer leaves no runaway processes;
whatever it had claimed is re-delivered (visibility timeout, or ``release_orphans``).
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from snakebatch.backends.base import BLOCKING_ROLES, Received

log = logging.getLogger(__name__)

#: Lambda's async invocation retries a failing event twice (three deliveries in all).
MAX_DELIVERIES = 3
#: A worker that dies this soon after starting did not start; after this many such
#: deaths in a row the pool stops replacing workers and reports why.
MIN_UPTIME_S = 5.0
MAX_START_FAILURES = 3
_POLL_S = 0.2


def resolve_handler(spec: str) -> Callable[[dict[str, Any], Any], Any]:
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"handler must look like 'package.module:function', got {spec!r}")
    return getattr(importlib.import_module(module), name)


class WorkerPool:
    """Keeps ``workers`` processes alive: one that dies (OOM, a crash in native code) is
    replaced, and ``on_death`` re-queues what it had claimed, as Lambda would retry."""

    def __init__(
        self,
        config: dict[str, Any],
        workers: int,
        on_death: Callable[[], Any] | None = None,
        check_s: float = 1.0,
    ) -> None:
        self.config = config
        self.workers = workers
        self.on_death = on_death
        self.check_s = check_s
        self.replaced = 0
        self.failed: str | None = None
        self._start_failures = 0
        self._started: dict[int, float] = {}
        self._ctx = mp.get_context("spawn")
        self._stop = self._ctx.Event()
        self._procs: list[Any] = []
        self._watch: threading.Thread | None = None

    def _spawn(self, i: int) -> Any:
        proc = self._ctx.Process(
            target=worker_main,
            args=(self.config, self._stop, os.getpid()),
            name=f"snakebatch-worker-{i}",
            daemon=True,
        )
        proc.start()
        self._started[i] = time.monotonic()
        return proc

    def start(self) -> None:
        self._procs = [self._spawn(i) for i in range(self.workers)]
        self._watch = threading.Thread(target=self._supervise, daemon=True)
        self._watch.start()

    def _supervise(self) -> None:
        while not self._stop.wait(self.check_s) and self.failed is None:
            for i, proc in enumerate(self._procs):
                if proc.exitcode is None or self._stop.is_set():
                    continue
                proc.join()
                if self.on_death is not None:
                    self.on_death()
                if time.monotonic() - self._started[i] < MIN_UPTIME_S:
                    self._start_failures += 1
                else:
                    self._start_failures = 0
                if self._start_failures >= MAX_START_FAILURES:
                    self.failed = (
                        f"worker processes exit at start-up (last exit code {proc.exitcode}); "
                        "see the log above for the worker's error"
                    )
                    log.error("%s", self.failed)
                    return
                log.warning("worker %s died (exit %s); replacing it", proc.name, proc.exitcode)
                self._procs[i] = self._spawn(i)
                self.replaced += 1

    def pids(self) -> list[int]:
        return [p.pid for p in self._procs]

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._watch is not None:
            self._watch.join()
        for proc in self._procs:
            proc.join(timeout_s)
            if proc.is_alive():
                proc.terminate()
                proc.join(2.0)
        self._procs = []


def worker_main(config: dict[str, Any], stop: Any, parent_pid: int) -> None:
    """Loop of one worker process (module-level so that ``spawn`` can import it)."""
    from snakebatch.backends.local import LocalBackend

    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    backend = LocalBackend(
        config["home"],
        workers=0,
        shard_count=config["shard_count"],
        governor=config["governor"],
        visibility_timeout_s=config["visibility_timeout_s"],
        max_report_bytes=config["max_report_bytes"],
        handler=config["handler"],
        store_report_bodies=config["store_report_bodies"],
    )
    handler = resolve_handler(config["handler"])
    waiting: list[threading.Thread] = []
    while not stop.is_set() and os.getppid() == parent_pid:
        for msg in backend.invocations.receive(1, wait_s=_POLL_S):
            if msg.body.get("event", {}).get("role") in BLOCKING_ROLES:
                t = threading.Thread(target=run_one, args=(backend, handler, msg), daemon=True)
                t.start()
                waiting.append(t)
            else:
                run_one(backend, handler, msg)
        waiting = [t for t in waiting if t.is_alive()]
    for t in waiting:
        t.join(1.0)


def run_one(backend: Any, handler: Callable[[dict[str, Any], Any], Any], msg: Received) -> None:
    """Run one invocation; a failure is re-delivered until ``MAX_DELIVERIES``."""
    shard = int(msg.body.get("shard", 0))
    token = backend.stats_table.started(shard)
    ok = False
    try:
        handler(msg.body["event"], backend)
        ok = True
    except Exception:
        log.exception("invocation on shard %d failed (delivery %d)", shard, msg.receive_count)
    finally:
        backend.stats_table.finished(token, shard, ok)
    if ok or msg.receive_count >= MAX_DELIVERIES:
        backend.invocations.ack([msg.receipt])
    else:
        backend.invocations.release(msg.receipt)
