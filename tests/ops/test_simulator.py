"""The discrete-event simulator: the predecessor's wedge, the governor, and agreement with FEASIBLE."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from snakebatch.ops.forecast import default_params, forecast, predecessor_params
from snakebatch.ops.governor import from_plan
from snakebatch.ops.planner import capacity, leaves_per_layer, plan, required_rate
from snakebatch.ops.simulator import SimConfig, SimConfigError, local_config, simulate
from snakebatch.ops.timings import PREDECESSOR_TIMINGS


def test_predecessor_wedge_reproduced() -> None:
    wedged = simulate(SimConfig(7500, 25))
    assert wedged.wedged and wedged.wedge_at_s is not None
    assert wedged.leaves_done < 200
    assert wedged.wall_s == wedged.wedge_at_s
    fine = simulate(SimConfig(7000, 25))
    assert not fine.wedged and fine.leaves_done == 175


def test_governor_completes_a_predecessor_wedging_run() -> None:
    p = plan(7500, 25)
    assert not p.feasible_without_slots
    gov = from_plan(p.scaling_rate, 0, PREDECESSOR_TIMINGS.slot_seconds_per_leaf)
    governed = simulate(SimConfig(7500, 25, governor_rate=gov.rate, governor_burst=gov.burst))
    assert not governed.wedged
    assert governed.leaves_done == 200
    assert governed.wall_s > simulate(SimConfig(7000, 25)).wall_s


def test_planned_slots_with_governor_complete_1m_rows() -> None:
    p = plan(1_000_000, 5)
    gov = from_plan(p.scaling_rate, p.slots, PREDECESSOR_TIMINGS.slot_seconds_per_leaf)
    run = simulate(
        SimConfig(1_000_000, 5, pc_slots=p.slots, governor_rate=gov.rate, governor_burst=gov.burst)
    )
    assert not run.wedged and run.leaves_done == 5000
    assert simulate(SimConfig(1_000_000, 5)).wedged


def test_queue_completion_does_not_wedge_on_the_quota() -> None:
    """No blocking conquer: throttled invokes wait for their retry instead of timing out."""
    run = simulate(SimConfig(7500, 25, completion="queue"))
    assert not run.wedged and run.leaves_done == 200


def test_concurrency_quota_caps_and_delays() -> None:
    free = simulate(SimConfig(50_000, 4, completion="queue", scaling_rate=None))
    capped = simulate(SimConfig(50_000, 4, completion="queue", scaling_rate=None, concurrency=8))
    assert free.peak_concurrency > 8 and capped.peak_concurrency == 8
    assert not capped.wedged and capped.leaves_done == free.leaves_done == 200
    assert capped.wall_s > free.wall_s


def test_outputs_are_consistent() -> None:
    run = simulate(SimConfig(20_000, 10, seed=3))
    assert run.leaves_done == 10 * leaves_per_layer(20_000, 1000)
    assert run.spawns == pytest.approx(sum(run.spawn_series) * run.bin_s)
    assert run.peak_concurrency >= 1 and run.cost.total > 0
    assert run.invocations == 10 * leaves_per_layer(20_000, 1000) * 4 - 10
    assert simulate(SimConfig(20_000, 10, seed=3)).as_dict() == run.as_dict()


def test_local_mesh_matches_work_over_workers() -> None:
    def run(load_s: float):
        return simulate(
            local_config(
                64_000,
                4,
                1000,
                workers=2,
                t_divide_s=0.01,
                leaf_base_s=0.0,
                leaf_per_row_s=0.0001,
                load_s=load_s,
            )
        )

    warm, loading = run(0.0), run(1.0)
    work = 4 * (63 * 0.01 + 64 * 0.1)
    assert not warm.wedged and warm.peak_concurrency == 2 and warm.spawns == 2
    assert work / 2 <= warm.wall_s <= work / 2 * 1.1
    assert loading.wall_s == pytest.approx(warm.wall_s + 1.0, abs=0.2)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_rows": 0},
        {"tau": -3},
        {"completion": "poll"},
        {"t_leaf_s": 1},
        {"cold_start_s": -1.0},
        {"poll_timeout_s": 0.0},
        {"scaling_rate": 0.0},
        {"pc_slots": -1},
        {"dispatch_jitter": 2.0},
        {"leaf_per_row_s": float("nan")},
    ],
)
def test_bad_config_is_a_typed_error(kwargs) -> None:
    base = {"n_rows": 1000, "n_layers": 1}
    with pytest.raises((SimConfigError, TypeError)):
        SimConfig(**{**base, **kwargs})


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1000, max_value=150_000),
    st.integers(min_value=1, max_value=25),
    st.integers(min_value=0, max_value=5),
)
def test_feasible_agrees_with_the_simulator(n_rows, n_layers, seed) -> None:
    """Away from the boundary the predecessor's averaged formula and the event model agree.

    Within 0.45x-1.5x of capacity they may not: the simulator's last level arrives as a
    burst that the predecessor's average over the spawn window smooths out (docs/math.md).
    """
    ratio = required_rate(n_rows, n_layers, 1000) / capacity(0)
    assume(ratio <= 0.45 or ratio >= 1.5)
    run = simulate(SimConfig(n_rows, n_layers, seed=seed))
    assert run.wedged == (ratio > 1)


def _planned_run(p, seed: int = 0):
    """The job with its planned slots and governor, as ``snakebatch plan`` simulates it."""
    gov = from_plan(p.scaling_rate, p.slots, p.slot_s)
    cfg = SimConfig(
        p.n_rows,
        p.n_layers,
        completion="conquer",
        pc_slots=p.slots,
        governor_rate=gov.rate,
        governor_burst=gov.burst,
        seed=seed,
    )
    return simulate(cfg)


def test_conquer_job_that_wedged_under_the_predecessors_slots_completes() -> None:
    """125K x 20L, the smallest wedge of the predecessor's conquer plan found in a scan of
    10K-400K rows x 1-25 layers (docs/math.md §6)."""
    predecessor_plan = plan(
        125_000, 20, completion="conquer", slot_s=PREDECESSOR_TIMINGS.slot_seconds_per_leaf
    )
    before = _planned_run(predecessor_plan)
    assert before.wedged and before.leaves_done < 20 * 125
    sized = plan(125_000, 20, completion="conquer")
    assert sized.slots > 5 * predecessor_plan.slots
    for seed in range(3):
        after = _planned_run(sized, seed)
        assert not after.wedged and after.leaves_done == 20 * 125
        # The planner's hold (one whole poll) bounds the simulated mean (half a poll).
        hold = after.mean_conquer_hold_s
        assert (
            0.9 * PREDECESSOR_TIMINGS.conquer_hold_s <= hold <= PREDECESSOR_TIMINGS.conquer_hold_s
        )


def test_conquer_forecast_governs_jobs_that_need_no_slots() -> None:
    """57,964 x 4L is under the quota by the predecessor's average, so it needs no slots, but the
    last level's burst wedges a blocking conquer; the planned governor completes it."""
    p = plan(57_964, 4, completion="conquer")
    assert p.slots == 0
    assert simulate(SimConfig(57_964, 4)).wedged
    f = forecast(57_964, 4, 1000, predecessor_params())
    assert f.governor_rate == pytest.approx(0.9 * p.scaling_rate)
    assert not f.run.wedged and f.run.leaves_done == 4 * 58
    assert f.ungoverned is not None and f.ungoverned.wedged
    queue = forecast(57_964, 4, 1000, default_params("eu-west-3"))
    assert queue.governor_rate is None and not queue.run.wedged
    assert queue.run.mean_conquer_hold_s is None
