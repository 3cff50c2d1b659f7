"""A plan and the simulator's view of it, side by side: what ``snakebatch plan`` prints.

The planner answers with the predecessor's closed form; the simulator runs the same job with
the planned slots and, when the quota is short or completion is conquer, the planned
governor, to estimate wall time and peak spawn rate, and says whether the ungoverned
run would wedge.
"""

from __future__ import annotations

from dataclasses import dataclass

from snakebatch.ops.governor import from_plan
from snakebatch.ops.planner import Plan, plan
from snakebatch.ops.prices import PREDECESSOR_PRICES, Prices, prices_for
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS, Quotas
from snakebatch.ops.simulator import SimConfig, SimResult, simulate
from snakebatch.ops.timings import PREDECESSOR_TIMINGS, Timings


@dataclass(frozen=True)
class Params:
    quotas: Quotas
    prices: Prices
    timings: Timings
    completion: str


def predecessor_params() -> Params:
    """Everything as the predecessor ran it: eu-west-3, its quotas and times, conquer polling."""
    return Params(PREDECESSOR_QUOTAS, PREDECESSOR_PRICES, PREDECESSOR_TIMINGS, "conquer")


def default_params(
    region: str, quotas: Quotas = PREDECESSOR_QUOTAS, completion: str = "queue"
) -> Params:
    """This repository's defaults: the region's prices and queue-as-truth completion."""
    return Params(quotas, prices_for(region), PREDECESSOR_TIMINGS, completion)


@dataclass
class Forecast:
    plan: Plan
    governor_rate: float | None
    run: SimResult
    ungoverned: SimResult | None
    quotas_source: str = ""

    def as_dict(self) -> dict:
        p = self.plan
        return {
            "feasible": p.feasible,
            "feasible_without_slots": p.feasible_without_slots,
            "completion": p.completion,
            "slot_s": p.slot_s,
            "slots": p.slots,
            "window_s": p.window_s,
            "cost_usd": p.cost.total,
            "cost": p.cost.as_dict(),
            "required_spawn_rate": p.required_rate,
            "scaling_rate": p.scaling_rate,
            "quotas_source": self.quotas_source,
            "peak_spawn_rate": self.run.peak_spawn_rate,
            "wall_s": None if self.run.wedged else self.run.wall_s,
            "wedged": self.run.wedged,
            "wedge_at_s": self.run.wedge_at_s,
            "governor_rate": self.governor_rate,
            "simulated": self.run.as_dict(),
            "wedges_without_governor": None if self.ungoverned is None else self.ungoverned.wedged,
            "wedge_at_s_without_governor": None
            if self.ungoverned is None
            else self.ungoverned.wedge_at_s,
            "plan": p.as_dict(),
        }


def _sim(p: Plan, params: Params, seed: int, governor_rate: float | None) -> SimResult:
    t = params.timings
    return simulate(
        SimConfig(
            n_rows=p.n_rows,
            n_layers=p.n_layers,
            tau=p.tau,
            completion=params.completion,
            t_divide_s=t.t_divide_s,
            t_conquer_s=t.t_conquer_s,
            leaf_per_row_s=t.t_leaf_s / p.tau,
            cold_start_s=t.cold_start_s,
            dispatch_s=t.dispatch_s,
            poll_interval_s=t.poll_interval_s,
            concurrency=params.quotas.concurrent_executions,
            scaling_rate=params.quotas.scaling_rate_per_s,
            quota_window_s=params.quotas.quota_window_s,
            pc_slots=p.slots,
            governor_rate=governor_rate,
            governor_burst=max(1.0, governor_rate or 1.0),
            memory_gb=t.memory_gb,
            prices=params.prices,
            seed=seed,
        )
    )


def forecast(
    n_rows: int,
    n_layers: int,
    tau: int,
    params: Params,
    seed: int = 0,
    slot_s: float | None = None,
    govern: bool | None = None,
) -> Forecast:
    """``slot_s`` overrides the completion mode's slot time (the predecessor's own figures).

    ``govern`` paces the fan-out with the planned governor. By default it does when the
    job needs slots, and always under conquer: a blocking conquer can wedge on the burst
    of the tree's last level even when the predecessor's average rate is under the quota
    (docs/math.md §6), and the governor is what turns that into a slower run.
    """
    p = plan(
        n_rows,
        n_layers,
        tau,
        params.quotas,
        params.prices,
        params.timings,
        params.completion,
        slot_s,
    )
    if govern is None:
        govern = params.completion == "conquer" or not p.feasible_without_slots
    if not govern:
        return Forecast(p, None, _sim(p, params, seed, None), None, params.quotas.source)
    gov = from_plan(p.scaling_rate, p.slots, p.slot_s)
    governed = _sim(p, params, seed, gov.rate)
    # Without a blocking conquer nothing times out, so only conquer mode can wedge.
    ungoverned = _sim(p, params, seed, None) if params.completion == "conquer" else None
    return Forecast(p, gov.rate, governed, ungoverned, params.quotas.source)
