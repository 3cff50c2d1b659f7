"""Live spawn rate: invocations per second, sampled from the backend's shard counters.

This is the predecessor's wedge detector: AWS's scaling-rate quota is a hard per-minute
ceiling, so the number to watch is spawns over the last 60 s against the budget, not
instantaneous concurrency. The meter keeps ten minutes of one-second samples.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable


class SpawnMeter:
    def __init__(
        self,
        read_total: Callable[[], int],
        budget_per_s: float,
        *,
        horizon_s: int = 600,
        clock: Callable[[], float] = time.time,
    ):
        self.read_total = read_total
        self.budget_per_s = budget_per_s
        self.clock = clock
        self._samples: deque[tuple[float, int]] = deque(maxlen=horizon_s + 1)
        self._lock = threading.Lock()

    def sample(self) -> None:
        total = self.read_total()
        with self._lock:
            self._samples.append((self.clock(), total))

    def snapshot(self) -> dict:
        with self._lock:
            s = list(self._samples)
        series = []
        for (t0, n0), (t1, n1) in itertools.pairwise(s):
            dt = t1 - t0
            if dt > 0:
                series.append([round(t1, 3), max(0, n1 - n0) / dt])
        now = s[-1][0] if s else self.clock()
        window = [(t, n) for t, n in s if t >= now - 60]
        if len(window) >= 2 and window[-1][0] > window[0][0]:
            per_min = (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])
        else:
            per_min = 0.0
        peak = max((r for _, r in series[-60:]), default=0.0)
        return {
            "t": now,
            "budget_per_s": self.budget_per_s,
            "rate_60s_per_s": per_min,
            "peak_1s_per_s": peak,
            "over_budget": per_min > self.budget_per_s,
            "total_invocations": s[-1][1] if s else 0,
            "series": series[-300:],
        }
