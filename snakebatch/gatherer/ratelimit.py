"""Per-key token buckets for the expensive routes (a train fans out hundreds of invokes)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from snakebatch.gatherer.errors import TooManyRequests


class KeyedRateLimiter:
    """``rate`` tokens per second per key, at most ``burst`` saved up.

    Per gunicorn worker: with W workers a key gets at most W times the rate, a bound
    the deployment sizes for rather than paying a shared store on every request.
    """

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic):
        if per_minute <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
                raise TooManyRequests(
                    f"train rate limit for this key is {self.rate * 60:g}/min "
                    f"(burst {self.burst}); retry in {wait:.1f}s",
                    retry_after_s=wait,
                )
            self._buckets[key] = (tokens - 1.0, now)
