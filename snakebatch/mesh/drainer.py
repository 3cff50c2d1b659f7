"""The one report-drain policy: receive, ingest, acknowledge, retry or give up.

The gatherer runs N receiver threads of it; the CLI's ``Coordinator.run`` drives it
one round at a time on its own thread. Each round long-polls the queue, hands every
body to ``ingest`` (``Coordinator.ingest``, which stores the report durably and is
idempotent) and acknowledges only what was ingested, so a crash between the two
redelivers rather than loses. A message whose error is retryable (the ``permanent``
flag of ``MeshError``/``BackendError``; an unknown exception counts as retryable) is
given back with a backoff. One whose error is permanent, or that failed
``max_receives`` times, is dead-lettered with the reason and its job is failed
through an ordinary error report, so a dropped report always shows in the job's
status. Works over any ``ReportQueue``: SQS (``aws_queue``) or the local SQLite queue.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from snakebatch.backends.base import (
    DeadLettering,
    DelayedRetry,
    Received,
    Releasable,
    ReportQueue,
)
from snakebatch.mesh.errors import MeshError, is_permanent
from snakebatch.mesh.shapes import ErrorReportShape

log = logging.getLogger("snakebatch.drainer")

DEFAULT_THREADS = 4
#: Below the queue's own redrive ``maxReceiveCount`` (Terraform: 5), so the drainer
#: parks a poison message itself, with its reason, before SQS moves it silently.
DEFAULT_MAX_RECEIVES = 4


class DrainerError(MeshError, RuntimeError):
    """The drainer was configured or driven in a way it cannot honour."""


@dataclass
class DrainerStats:
    received: int = 0
    ingested: int = 0
    retried: int = 0
    poisoned: int = 0
    receive_errors: int = 0


class Drainer:
    """Receiver threads draining ``queue`` into ``ingest`` until ``stop``."""

    def __init__(
        self,
        queue: ReportQueue,
        ingest: Callable[[Mapping[str, Any]], object],
        *,
        threads: int = DEFAULT_THREADS,
        wait_s: float = 2.0,
        batch: int = 10,
        max_receives: int = DEFAULT_MAX_RECEIVES,
        dead_letters: ReportQueue | None = None,
        retry_delay_s: float = 1.0,
    ) -> None:
        if threads < 1:
            raise DrainerError(f"threads must be at least 1, got {threads}")
        if max_receives < 1:
            raise DrainerError(f"max_receives must be at least 1, got {max_receives}")
        if not 1 <= batch <= 10:
            raise DrainerError(f"batch must be 1..10 (SQS's limit), got {batch}")
        self.queue = queue
        self.ingest = ingest
        self.threads = threads
        self.wait_s = wait_s
        self.batch = batch
        self.max_receives = max_receives
        self.dead_letters = dead_letters
        self.retry_delay_s = retry_delay_s
        self.stats = DrainerStats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def start(self) -> Drainer:
        if self._workers:
            raise DrainerError("drainer already started")
        self._stop.clear()
        for i in range(self.threads):
            worker = threading.Thread(target=self._loop, name=f"drainer-{i}", daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        """Let every thread finish the batch in hand (ingest + ack), then join them."""
        self._stop.set()
        deadline = time.monotonic() + timeout_s
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        alive = [w.name for w in self._workers if w.is_alive()]
        self._workers = []
        if alive:
            raise DrainerError(f"drainer threads did not stop in {timeout_s}s: {alive}")

    def __enter__(self) -> Drainer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def drain_once(self, wait_s: float | None = None) -> int:
        """One receive-ingest-ack round on the calling thread; returns messages handled."""
        messages = self.queue.receive(self.batch, self.wait_s if wait_s is None else wait_s)
        self._count("received", len(messages))
        done = []
        for message in messages:
            if self._handle(message):
                done.append(message.receipt)
        if done:
            self.queue.ack(done)
        return len(messages)

    def _loop(self) -> None:
        pause = 0.1
        while not self._stop.is_set():
            try:
                self.drain_once()
                pause = 0.1
            except Exception as exc:
                self._count("receive_errors")
                log.warning("drainer round failed (%r); backing off %.1fs", exc, pause)
                self._stop.wait(pause)
                pause = min(pause * 2, 10.0)

    def _handle(self, message: Received) -> bool:
        """True when the message is finished with (ingested) and may be acked."""
        try:
            self.ingest(message.body)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if is_permanent(exc) or message.receive_count >= self.max_receives:
                self._poison(message, reason)
            else:
                self._retry_later(message)
                log.info("ingest failed (%s), attempt %d", reason, message.receive_count)
            return False
        self._count("ingested")
        return True

    def _retry_later(self, message: Received) -> None:
        self._count("retried")
        delay = self.retry_delay_s * 2 ** (message.receive_count - 1)
        if isinstance(self.queue, DelayedRetry):
            self.queue.retry_later(message.receipt, delay)
        elif isinstance(self.queue, Releasable):
            # A queue without per-message delays (the local one) gets the message back
            # after the backoff instead of after its whole visibility timeout.
            timer = threading.Timer(delay, self.queue.release, args=(message.receipt,))
            timer.daemon = True
            timer.start()

    def _poison(self, message: Received, reason: str) -> None:
        """Dead-letter the message, then fail its job so the reason is in its status."""
        self._count("poisoned")
        log.error("poison message after %d receives: %s", message.receive_count, reason)
        if isinstance(self.queue, DeadLettering):
            self.queue.dead_letter(message, reason)
        else:
            if self.dead_letters is not None:
                self.dead_letters.send({"reason": reason, "body": message.body})
            self.queue.ack([message.receipt])
        model_id = message.body.get("model_id") if isinstance(message.body, dict) else None
        if isinstance(model_id, str) and model_id:
            failure: ErrorReportShape = {
                "kind": "error",
                "model_id": model_id,
                "error": f"report could not be ingested: {reason}",
                "attempts": message.receive_count,
            }
            try:
                self.ingest(failure)
            except Exception as exc:
                log.error("could not mark job %s failed: %r", model_id, exc)

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + n)
