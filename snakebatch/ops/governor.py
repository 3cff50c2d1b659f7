"""A token bucket on the mesh's fan-out, so a run throttles itself instead of wedging.

The predecessor's scaling-rate ceiling is binary: spawn faster than the account allows and
AWS rejects the excess, leaving parent polls that never resolve (predecessor §8.1). Pacing
every invoke below that rate turns a wedge into a slower run. The rate and burst come
from the planner (the scaling quota plus what provisioned slots absorb); the clock is
injectable so tests and the simulator do not sleep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Refills are sums of float time steps; a token that is 0.9999999 banked is a token.
_EPS = 1e-9


class GovernorConfigError(ValueError):
    """Rate or burst out of range."""


@dataclass
class Clock:
    """Wall clock: ``now()`` in seconds and a ``sleep(s)``."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class Governor:
    """``rate`` tokens per second, at most ``burst`` banked; thread-safe."""

    def __init__(self, rate: float, burst: float = 1.0, clock: Clock | None = None) -> None:
        if not (isinstance(rate, int | float) and rate > 0 and rate != float("inf")):
            raise GovernorConfigError(f"rate must be a finite number > 0, got {rate!r}")
        if not (isinstance(burst, int | float) and 1 <= burst < float("inf")):
            raise GovernorConfigError(f"burst must be a finite number >= 1, got {burst!r}")
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock or Clock()
        self._tokens = self.burst
        self._stamp = self._clock.now()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock.now()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_acquire(self) -> bool:
        """Take a token if one is banked; never waits."""
        with self._lock:
            self._refill()
            if self._tokens >= 1 - _EPS:
                self._tokens = max(0.0, self._tokens - 1)
                return True
            return False

    def reserve(self) -> float:
        """Take the next token now and return how long to wait before using it.

        Reserving under the lock and sleeping outside it keeps callers in FIFO order
        without holding the lock while asleep.
        """
        with self._lock:
            self._refill()
            self._tokens -= 1
            return 0.0 if self._tokens >= -_EPS else -self._tokens / self.rate

    def acquire(self) -> None:
        """Block until a token is available."""
        wait = self.reserve()
        if wait > 0:
            self._clock.sleep(wait)


def from_plan(
    scaling_rate: float, slots: int, slot_seconds: float, headroom: float = 0.9
) -> Governor:
    """A governor at ``headroom`` of what the account absorbs; burst of one second."""
    if not 0 < headroom <= 1:
        raise GovernorConfigError(f"headroom must be in (0, 1], got {headroom!r}")
    rate = headroom * (scaling_rate + slots / slot_seconds)
    return Governor(rate=rate, burst=max(1.0, rate))
