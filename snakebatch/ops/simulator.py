"""A discrete-event run of one training on the mesh, to see wall time, spawn rate and
wedges before paying for them.

Model. Each layer's root divide is fired at t=0. A divide over k = ⌈rows/τ⌉ leaf
slices splits its rows in proportion ⌈k/2⌉ : ⌊k/2⌋ and fires two children when it
returns; at one slice it fires a conquer (which fires the leaf and holds its container,
polling, until the leaf is done) or, with queue completion, the leaf itself. Every
fired invocation reaches the platform ``dispatch_s`` later and runs on, in order: a
free provisioned slot, an idle warm container, or a new container that pays a cold
start and counts against the scaling-rate quota. Above the concurrency quota,
invocations wait (Lambda retries throttled async events). A new container the quota
refuses wedges the run (predecessor §8.1: the ceiling is binary and parent polls never
resolve). A governor, when given, paces the fan-out (roots and divides' children)
through the real token bucket on simulated time; a conquer's own leaf is not held
back, since its parent already holds a container waiting for it.

The local mesh is the same model with W pre-warmed workers as slots, concurrency W,
no quota and no cold start (``local_config``).
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from dataclasses import dataclass, field

from snakebatch.ops.governor import Clock, Governor
from snakebatch.ops.planner import Cost
from snakebatch.ops.prices import PREDECESSOR_PRICES, Prices
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS
from snakebatch.ops.timings import PREDECESSOR_TIMINGS

DIVIDE, CONQUER, LEAF = "divide", "conquer", "leaf"


class SimConfigError(ValueError):
    """A simulator parameter out of range."""


@dataclass(frozen=True)
class SimConfig:
    n_rows: int
    n_layers: int
    tau: int = 1000
    completion: str = "conquer"
    t_divide_s: float = PREDECESSOR_TIMINGS.t_divide_s
    t_conquer_s: float = PREDECESSOR_TIMINGS.t_conquer_s
    divide_per_row_s: float = 0.0
    leaf_base_s: float = 0.0
    leaf_per_row_s: float = PREDECESSOR_TIMINGS.t_leaf_s / 1000
    cold_start_s: float = PREDECESSOR_TIMINGS.cold_start_s
    dispatch_s: float = PREDECESSOR_TIMINGS.dispatch_s
    dispatch_jitter: float = 0.5
    seed: int = 0
    poll_interval_s: float = PREDECESSOR_TIMINGS.poll_interval_s
    poll_timeout_s: float = 7.0
    concurrency: int = PREDECESSOR_QUOTAS.concurrent_executions
    scaling_rate: float | None = PREDECESSOR_QUOTAS.scaling_rate_per_s
    quota_window_s: float = PREDECESSOR_QUOTAS.quota_window_s
    pc_slots: int = 0
    warm_containers: int = 0
    governor_rate: float | None = None
    governor_burst: float = 1.0
    memory_gb: float = PREDECESSOR_TIMINGS.memory_gb
    prices: Prices = PREDECESSOR_PRICES
    bin_s: float = 1.0
    rate_window_s: float = 10.0

    def __post_init__(self) -> None:
        for name in ("n_rows", "n_layers", "tau", "concurrency"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SimConfigError(f"{name} must be a positive integer, got {value!r}")
        for name in ("pc_slots", "warm_containers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SimConfigError(f"{name} must be a non-negative integer, got {value!r}")
        if self.completion not in ("conquer", "queue"):
            raise SimConfigError(
                f"completion must be 'conquer' or 'queue', got {self.completion!r}"
            )
        for name in (
            "t_divide_s",
            "t_conquer_s",
            "divide_per_row_s",
            "leaf_base_s",
            "leaf_per_row_s",
            "cold_start_s",
            "dispatch_s",
            "memory_gb",
        ):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise SimConfigError(f"{name} must be a finite number >= 0, got {value!r}")
        if not 0 <= self.dispatch_jitter <= 1:
            raise SimConfigError(f"dispatch_jitter must be in [0, 1], got {self.dispatch_jitter!r}")
        for name in (
            "poll_interval_s",
            "poll_timeout_s",
            "quota_window_s",
            "bin_s",
            "rate_window_s",
        ):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise SimConfigError(f"{name} must be a finite number > 0, got {value!r}")
        if self.scaling_rate is not None and not self.scaling_rate > 0:
            raise SimConfigError(f"scaling_rate must be > 0 or None, got {self.scaling_rate!r}")


@dataclass
class SimResult:
    wall_s: float
    wedged: bool
    wedge_at_s: float | None
    peak_spawn_rate: float
    peak_concurrency: int
    spawns: int
    invocations: int
    leaves_done: int
    cost: Cost
    bin_s: float
    spawn_series: list[float] = field(default_factory=list)
    #: Mean time a conquer held its container (None without conquers): what the
    #: planner's ``Timings.conquer_hold_s`` estimates.
    mean_conquer_hold_s: float | None = None

    def as_dict(self) -> dict:
        return {
            "wall_s": self.wall_s,
            "wedged": self.wedged,
            "wedge_at_s": self.wedge_at_s,
            "peak_spawn_rate": self.peak_spawn_rate,
            "peak_concurrency": self.peak_concurrency,
            "spawns": self.spawns,
            "invocations": self.invocations,
            "leaves_done": self.leaves_done,
            "cost": self.cost.as_dict(),
            "bin_s": self.bin_s,
            "spawn_series": self.spawn_series,
            "mean_conquer_hold_s": self.mean_conquer_hold_s,
        }


class _Run:
    """One simulation's mutable state; ``simulate`` is the public face."""

    def __init__(self, cfg: SimConfig) -> None:
        self.cfg = cfg
        self.now = 0.0
        self.events: list[tuple[float, int, str, tuple]] = []
        self.seq = 0
        self.pc_free = cfg.pc_slots
        self.idle = cfg.warm_containers
        self.running = 0
        self.peak_running = 0
        self.waiting: deque[tuple] = deque()
        self.throttled: deque[tuple] = deque()
        self.token_event = False
        self.burst = (cfg.scaling_rate or 0.0) * cfg.quota_window_s
        self.tokens = self.burst
        self.stamp = 0.0
        self.spawn_times: list[float] = []
        self.invocations = 0
        self.leaves_done = 0
        self.pending_leaves: set[int] = set()
        self.last_leaf = 0.0
        self.busy_gb_s = 0.0
        self.holds: list[float] = []
        self.wedge_at: float | None = None
        self.rng = random.Random(cfg.seed)
        self.governor = None
        if cfg.governor_rate is not None:
            clock = Clock(now=lambda: self.now, sleep=lambda s: None)
            self.governor = Governor(cfg.governor_rate, cfg.governor_burst, clock)

    def push(self, at: float, action: str, data: tuple) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, action, data))

    def fire(self, node: tuple, governed: bool = True) -> None:
        """The caller fires an async invoke now; the governor may hold fan-out back."""
        delay = self.governor.reserve() if governed and self.governor else 0.0
        spread = self.cfg.dispatch_jitter * self.cfg.dispatch_s
        dispatch = self.cfg.dispatch_s + self.rng.uniform(-spread, spread)
        self.push(self.now + delay + dispatch, "arrive", node)

    def duration(self, node: tuple) -> float:
        if node[0] == DIVIDE:
            return self.cfg.t_divide_s + self.cfg.divide_per_row_s * node[2]
        if node[0] == CONQUER:
            return self.cfg.t_conquer_s
        return self.cfg.leaf_base_s + self.cfg.leaf_per_row_s * node[2]

    def take_token(self) -> bool:
        """The scaling quota as a bucket: ``rate`` new containers/s, ``rate x window`` banked."""
        rate = self.cfg.scaling_rate
        if rate is None:
            return True
        self.tokens = min(self.burst, self.tokens + (self.now - self.stamp) * rate)
        self.stamp = self.now
        if self.tokens >= 1 - 1e-9:
            self.tokens = max(0.0, self.tokens - 1)
            return True
        if not self.token_event:
            self.token_event = True
            self.push(self.now + (1 - self.tokens) / rate, "token", ())
        return False

    def place(self, node: tuple) -> None:
        if self.running >= self.cfg.concurrency:
            self.waiting.append(node)
            return
        cold = 0.0
        if self.pc_free:
            self.pc_free -= 1
            slot = "pc"
        elif self.idle:
            self.idle -= 1
            slot = "warm"
        elif self.take_token():
            self.spawn_times.append(self.now)
            cold = self.cfg.cold_start_s
            slot = "new"
        else:
            self.throttled.append(node)
            return
        self.invocations += 1
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)
        work = self.duration(node)
        self.busy_gb_s += (cold + work) * self.cfg.memory_gb
        start = self.now + cold
        self.push(start + work, "done", (node, slot, start))

    def release(self, slot: str) -> None:
        self.running -= 1
        if slot == "pc":
            self.pc_free += 1
        else:
            self.idle += 1
        if self.waiting:
            self.place(self.waiting.popleft())
        elif self.throttled:
            self.place(self.throttled.popleft())

    def on_token(self) -> None:
        self.token_event = False
        if self.throttled:
            self.place(self.throttled.popleft())

    def done(self, node: tuple, slot: str, start: float) -> None:
        kind, layer, rows = node[0], node[1], node[2]
        if kind == DIVIDE:
            self.release(slot)
            k = -(-rows // self.cfg.tau)
            if k <= 1:
                self.fire((CONQUER if self.cfg.completion == "conquer" else LEAF, layer, rows))
            else:
                left = rows * -(-k // 2) // k
                self.fire((DIVIDE, layer, left))
                self.fire((DIVIDE, layer, rows - left))
        elif kind == CONQUER:
            # Holds its container: fires the leaf, then polls until it reports or gives up.
            leaf_id = self.seq
            self.pending_leaves.add(leaf_id)
            self.fire((LEAF, layer, rows, (slot, start, leaf_id)), governed=False)
            self.push(self.now + self.cfg.poll_timeout_s, "deadline", (leaf_id,))
        else:
            self.release(slot)
            self.leaves_done += 1
            self.last_leaf = self.now
            if len(node) > 3:
                c_slot, c_start, leaf_id = node[3]
                self.pending_leaves.discard(leaf_id)
                waited = self.now - (c_start + self.cfg.t_conquer_s)
                polls = max(1, math.ceil(waited / self.cfg.poll_interval_s))
                end = c_start + self.cfg.t_conquer_s + polls * self.cfg.poll_interval_s
                self.holds.append(end - c_start)
                self.push(end, "unpoll", (c_slot, end - self.now))

    def run(self) -> None:
        for layer in range(self.cfg.n_layers):
            self.fire((DIVIDE, layer, self.cfg.n_rows))
        while self.events and self.wedge_at is None:
            at, _seq, action, data = heapq.heappop(self.events)
            self.now = at
            if action == "arrive":
                self.place(data)
            elif action == "done":
                self.done(*data)
            elif action == "token":
                self.on_token()
            elif action == "deadline":
                if data[0] in self.pending_leaves:
                    self.wedge_at = self.now
            else:
                slot, extra = data
                self.busy_gb_s += extra * self.cfg.memory_gb
                self.release(slot)


def _spawn_series(times: list[float], bin_s: float, end: float) -> list[float]:
    bins = [0.0] * (int(end // bin_s) + 1)
    for t in times:
        bins[int(t // bin_s)] += 1
    return [count / bin_s for count in bins]


def _peak_rate(times: list[float], window: float) -> float:
    peak, lo = 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - window:
            lo += 1
        peak = max(peak, hi - lo + 1)
    return peak / window


def simulate(cfg: SimConfig) -> SimResult:
    run = _Run(cfg)
    run.run()
    wedged = run.wedge_at is not None
    end = run.wedge_at if run.wedge_at is not None else run.last_leaf
    prices = cfg.prices
    cost = Cost(
        gatherer=end / 3600 * prices.gatherer_hourly,
        on_demand=run.busy_gb_s * prices.lambda_gb_s + run.invocations * prices.lambda_request,
        provisioned=cfg.pc_slots * cfg.memory_gb * end * prices.pc_gb_s,
    )
    times = sorted(run.spawn_times)
    return SimResult(
        wall_s=end,
        wedged=wedged,
        wedge_at_s=run.wedge_at,
        peak_spawn_rate=_peak_rate(times, cfg.rate_window_s),
        peak_concurrency=run.peak_running,
        spawns=len(times),
        invocations=run.invocations,
        leaves_done=run.leaves_done,
        cost=cost,
        bin_s=cfg.bin_s,
        spawn_series=_spawn_series(times, cfg.bin_s, end),
        mean_conquer_hold_s=sum(run.holds) / len(run.holds) if run.holds else None,
    )


def local_config(
    n_rows: int,
    n_layers: int,
    tau: int,
    workers: int,
    t_divide_s: float,
    leaf_base_s: float,
    leaf_per_row_s: float,
    divide_per_row_s: float = 0.0,
    dispatch_s: float = 0.001,
    load_s: float = 0.0,
    completion: str = "queue",
) -> SimConfig:
    """The local mesh: ``workers`` processes, each loading the population once
    (``load_s``, its cold start), no spawn quota."""
    return SimConfig(
        n_rows=n_rows,
        n_layers=n_layers,
        tau=tau,
        completion=completion,
        t_divide_s=t_divide_s,
        divide_per_row_s=divide_per_row_s,
        leaf_base_s=leaf_base_s,
        leaf_per_row_s=leaf_per_row_s,
        cold_start_s=load_s,
        dispatch_s=dispatch_s,
        dispatch_jitter=0.0,
        concurrency=workers,
        scaling_rate=None,
    )
