"""The token bucket on a fake clock: nothing sleeps for real except one short timing check."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.ops.governor import Clock, Governor, GovernorConfigError, from_plan


class FakeClock(Clock):
    def __init__(self) -> None:
        self.t = 100.0
        self.slept: list[float] = []
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def test_burst_then_refill_at_rate() -> None:
    clock = FakeClock()
    gov = Governor(rate=10, burst=3, clock=clock)
    assert [gov.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.t += 0.05
    assert not gov.try_acquire()
    clock.t += 0.05
    assert gov.try_acquire()
    clock.t += 60
    assert sum(gov.try_acquire() for _ in range(10)) == 3


def test_acquire_blocks_for_exactly_the_missing_time() -> None:
    clock = FakeClock()
    gov = Governor(rate=4, burst=1, clock=clock)
    for _ in range(5):
        gov.acquire()
    assert clock.slept == pytest.approx([0.25] * 4)
    assert clock.t == pytest.approx(101.0)


def test_reservations_queue_in_order() -> None:
    gov = Governor(rate=2, burst=1, clock=FakeClock())
    assert [gov.reserve() for _ in range(4)] == pytest.approx([0.0, 0.5, 1.0, 1.5])


def test_threads_share_the_rate() -> None:
    gov = Governor(rate=200, burst=1)
    start = time.monotonic()
    threads = [threading.Thread(target=lambda: [gov.acquire() for _ in range(5)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - start >= 19 / 200 * 0.95


@pytest.mark.parametrize(
    ("rate", "burst"), [(0, 1), (-1, 1), (float("inf"), 1), (1, 0.5), (1, float("inf")), ("5", 1)]
)
def test_bad_parameters(rate, burst) -> None:
    with pytest.raises(GovernorConfigError):
        Governor(rate=rate, burst=burst)


def test_from_plan_paces_below_capacity() -> None:
    gov = from_plan(scaling_rate=1000 / 60, slots=81, slot_seconds=0.71, headroom=0.9)
    assert gov.rate == pytest.approx(0.9 * (1000 / 60 + 81 / 0.71))
    with pytest.raises(GovernorConfigError):
        from_plan(10, 0, 0.71, headroom=0)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=0.5, max_value=500),
    st.integers(min_value=1, max_value=20),
    st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=200),
)
def test_never_more_than_burst_plus_rate_times_window(rate, burst, gaps) -> None:
    """Callers arriving at any times get tokens at most ``burst + rate·T`` in any window T."""
    clock = FakeClock()
    gov = Governor(rate=rate, burst=burst, clock=clock)
    granted = []
    for gap in gaps:
        clock.t += gap
        gov.acquire()
        granted.append(clock.t)
    for i, start in enumerate(granted):
        for j in range(i, len(granted)):
            window = granted[j] - start
            assert j - i + 1 <= burst + rate * window + 1e-6
