"""The predecessor's feasibility and cost model (§8.1, §8.2) as functions of explicit parameters.

FEASIBLE(N, L, τ, slots) ≡ L·⌈N/τ⌉ / spawn_window ≤ rate + slots / t_slot

``t_slot`` is the slot time of one leaf's chain for the completion mode
(``Timings.slot_seconds``): the predecessor's 0.71 s for queue completion, 3.98 s for the
predecessor's blocking conquer, which holds its slot while its leaf is dispatched and runs.
``slot_s`` overrides it; the predecessor's own figures (81 slots for 1M x 5L) are its conquer
billing with its 0.71 s, ``plan(..., completion="conquer", slot_s=0.71)``.

``spawn_window`` grows with the depth of the divide tree (levels x level latency),
which is where the predecessor's N_slots = O(L·N / log N) comes from. Averaging the leaves
over the levels dips right after each depth step (8,001 rows look easier than 8,000),
so the planner uses the running maximum of the predecessor's rate over smaller trees: a
bigger job never plans fewer slots than a smaller one needed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from snakebatch.engine.params import COMPLETIONS
from snakebatch.ops.prices import PREDECESSOR_PRICES, Prices
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS, Quotas
from snakebatch.ops.timings import PREDECESSOR_TIMINGS, Timings

# Lambda keeps 100 units of account concurrency unreserved; PC slots cannot take them.
UNRESERVED_MINIMUM = 100
_EPS = 1e-9


class PlanInputError(ValueError):
    """Rows, layers, τ, slots, slot time or completion mode out of range."""


def _check(n_rows: int, n_layers: int, tau: int) -> None:
    for name, value in (("rows", n_rows), ("layers", n_layers), ("tau", tau)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise PlanInputError(f"{name} must be a positive integer, got {value!r}")


def leaves_per_layer(n_rows: int, tau: int) -> int:
    return -(-n_rows // tau)


def tree_depth(n_rows: int, tau: int) -> int:
    """Levels of divides above the leaves: ⌈log2 ⌈N/τ⌉⌉."""
    return (leaves_per_layer(n_rows, tau) - 1).bit_length()


def spawn_window_s(n_rows: int, tau: int, timings: Timings = PREDECESSOR_TIMINGS) -> float:
    return max(1, tree_depth(n_rows, tau)) * timings.level_latency_s


def predecessor_rate(
    n_rows: int, n_layers: int, tau: int, timings: Timings = PREDECESSOR_TIMINGS
) -> float:
    """The predecessor's left-hand side, L·⌈N/τ⌉ / spawn_window, in spawns per second."""
    _check(n_rows, n_layers, tau)
    return n_layers * leaves_per_layer(n_rows, tau) / spawn_window_s(n_rows, tau, timings)


def required_rate(
    n_rows: int, n_layers: int, tau: int, timings: Timings = PREDECESSOR_TIMINGS
) -> float:
    """Spawn rate to budget for: the predecessor's rate, or the largest a smaller tree needed.

    A tree of depth k peaks at its largest size, 2^k leaves per layer, so the envelope
    only has to look at those points.
    """
    rate = predecessor_rate(n_rows, n_layers, tau, timings)
    for k in range(1, tree_depth(n_rows, tau)):
        rate = max(rate, n_layers * 2**k / (k * timings.level_latency_s))
    return rate


def slot_seconds(
    timings: Timings = PREDECESSOR_TIMINGS, completion: str = "queue", slot_s: float | None = None
) -> float:
    """The slot time the planner sizes with: ``slot_s`` when given, else the mode's."""
    if completion not in COMPLETIONS:
        raise PlanInputError(f"completion must be 'queue' or 'conquer', got {completion!r}")
    if slot_s is None:
        return timings.slot_seconds(completion)
    if isinstance(slot_s, bool) or not isinstance(slot_s, int | float):
        raise PlanInputError(f"slot_s must be a number, got {slot_s!r}")
    if not (slot_s > 0 and math.isfinite(slot_s)):
        raise PlanInputError(f"slot_s must be a finite number > 0, got {slot_s!r}")
    return float(slot_s)


def capacity(
    slots: int,
    quotas: Quotas = PREDECESSOR_QUOTAS,
    timings: Timings = PREDECESSOR_TIMINGS,
    completion: str = "queue",
    slot_s: float | None = None,
) -> float:
    """Spawns per second the account absorbs: the scaling quota plus warm slots."""
    return quotas.scaling_rate_per_s + slots / slot_seconds(timings, completion, slot_s)


def feasible(
    n_rows: int,
    n_layers: int,
    tau: int,
    slots: int,
    quotas: Quotas = PREDECESSOR_QUOTAS,
    timings: Timings = PREDECESSOR_TIMINGS,
    completion: str = "queue",
    slot_s: float | None = None,
) -> bool:
    if isinstance(slots, bool) or not isinstance(slots, int) or slots < 0:
        raise PlanInputError(f"slots must be a non-negative integer, got {slots!r}")
    need = required_rate(n_rows, n_layers, tau, timings)
    return need <= capacity(slots, quotas, timings, completion, slot_s) + _EPS


def slots_needed(
    n_rows: int,
    n_layers: int,
    tau: int,
    quotas: Quotas = PREDECESSOR_QUOTAS,
    timings: Timings = PREDECESSOR_TIMINGS,
    completion: str = "queue",
    slot_s: float | None = None,
) -> int:
    """The least slots that make the job FEASIBLE for ``completion``."""
    held = slot_seconds(timings, completion, slot_s)
    excess = required_rate(n_rows, n_layers, tau, timings) - quotas.scaling_rate_per_s
    return max(0, math.ceil(excess * held - _EPS))


def on_window_s(
    n_rows: int, n_layers: int, tau: int, timings: Timings = PREDECESSOR_TIMINGS
) -> float:
    """How long slots stay on: the predecessor sizes it as one divide time per leaf
    (L·⌈N/τ⌉ x 80 ms: 6.7 min for 1M x 5L, 33 min for 1M x 25L)."""
    _check(n_rows, n_layers, tau)
    return n_layers * leaves_per_layer(n_rows, tau) * timings.t_divide_s


@dataclass(frozen=True)
class Cost:
    """The predecessor's three buckets (§8.2), USD."""

    gatherer: float
    on_demand: float
    provisioned: float

    @property
    def total(self) -> float:
        return self.gatherer + self.on_demand + self.provisioned

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "total": self.total}


def cost(
    n_rows: int,
    n_layers: int,
    tau: int,
    slots: int,
    window_s: float,
    prices: Prices = PREDECESSOR_PRICES,
    timings: Timings = PREDECESSOR_TIMINGS,
    completion: str = "queue",
) -> Cost:
    """Gatherer time over the window, every leaf chain billed on demand (the predecessor bills
    it all at the on-demand rate), and the slots over the window."""
    leaves = n_layers * leaves_per_layer(n_rows, tau)
    per_leaf = (
        timings.billed_seconds_per_leaf(completion) * timings.memory_gb * prices.lambda_gb_s
        + timings.invocations_per_leaf(completion) * prices.lambda_request
    )
    return Cost(
        gatherer=window_s / 3600 * prices.gatherer_hourly,
        on_demand=leaves * per_leaf,
        provisioned=slots * timings.memory_gb * window_s * prices.pc_gb_s,
    )


@dataclass(frozen=True)
class Plan:
    n_rows: int
    n_layers: int
    tau: int
    completion: str
    slot_s: float
    leaves: int
    depth: int
    spawn_window_s: float
    required_rate: float
    scaling_rate: float
    feasible_without_slots: bool
    slots: int
    feasible: bool
    window_s: float
    cost: Cost
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["cost"] = self.cost.as_dict()
        d["cost_usd"] = self.cost.total
        return d


def plan(
    n_rows: int,
    n_layers: int,
    tau: int = 1000,
    quotas: Quotas = PREDECESSOR_QUOTAS,
    prices: Prices = PREDECESSOR_PRICES,
    timings: Timings = PREDECESSOR_TIMINGS,
    completion: str = "queue",
    slot_s: float | None = None,
) -> Plan:
    """Slots, on-window and cost for one training under ``completion``; infeasible only
    when the slots it needs exceed what the account's concurrency can reserve."""
    _check(n_rows, n_layers, tau)
    held = slot_seconds(timings, completion, slot_s)
    slots = slots_needed(n_rows, n_layers, tau, quotas, timings, slot_s=held)
    window = on_window_s(n_rows, n_layers, tau, timings)
    reservable = quotas.concurrent_executions - UNRESERVED_MINIMUM
    notes = []
    if slots > reservable:
        notes.append(f"needs {slots} slots but the account can reserve only {reservable}")
    return Plan(
        n_rows=n_rows,
        n_layers=n_layers,
        tau=tau,
        completion=completion,
        slot_s=held,
        leaves=n_layers * leaves_per_layer(n_rows, tau),
        depth=tree_depth(n_rows, tau),
        spawn_window_s=spawn_window_s(n_rows, tau, timings),
        required_rate=required_rate(n_rows, n_layers, tau, timings),
        scaling_rate=quotas.scaling_rate_per_s,
        feasible_without_slots=slots == 0,
        slots=slots,
        feasible=slots <= reservable,
        window_s=window,
        cost=cost(n_rows, n_layers, tau, slots, window, prices, timings, completion),
        notes=notes,
    )
