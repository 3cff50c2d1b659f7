"""Host leadership: one holder of the lock per home; it passes on when the holder goes."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from snakebatch.gatherer.leader import HostLeader


def _hold(path: str, ready) -> None:
    leader = HostLeader(Path(path), lambda: None)
    assert leader.try_acquire()
    ready.set()
    time.sleep(60)  # holds the lock until the test kills this process


def test_only_one_leader_and_takeover(tmp_path):
    lock = tmp_path / "gatherer.leader.lock"
    elected: list[str] = []
    a = HostLeader(lock, lambda: elected.append("a"), retry_s=0.05)
    b = HostLeader(lock, lambda: elected.append("b"), retry_s=0.05)
    a.start()
    b.start()
    assert a.is_leader and not b.is_leader and elected == ["a"]
    a.stop()
    deadline = time.monotonic() + 5
    while not b.is_leader:
        assert time.monotonic() < deadline, "b never took over"
        time.sleep(0.02)
    assert elected == ["a", "b"]
    b.stop()


def test_lock_dies_with_its_process(tmp_path):
    lock = tmp_path / "gatherer.leader.lock"
    ctx = multiprocessing.get_context("spawn")
    # Only ``ready`` is shared, and it is done with before the kill: a process killed
    # while inside a multiprocessing Event can leave its lock held forever.
    ready = ctx.Event()
    holder = ctx.Process(target=_hold, args=(str(lock), ready))
    holder.start()
    try:
        assert ready.wait(30)
        follower = HostLeader(lock, lambda: None)
        assert not follower.try_acquire()
        holder.kill()
        holder.join(10)
        assert follower.try_acquire()
        follower.stop()
    finally:
        if holder.is_alive():
            holder.kill()
            holder.join(10)
