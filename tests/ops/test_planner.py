"""The predecessor's figures from the predecessor's parameters, and the planner's shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.ops.planner import (
    PlanInputError,
    feasible,
    plan,
    predecessor_rate,
    required_rate,
    slot_seconds,
    slots_needed,
)
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS, Quotas
from snakebatch.ops.timings import PREDECESSOR_TIMINGS, Timings

# The predecessor's published sizing: (rows, layers) → slots, minutes on, total USD.
PREDECESSOR_FIGURES = [(1_000_000, 5, 81, 6.5, 1.75), (1_000_000, 25, 449, 33, 22.81)]


@pytest.mark.parametrize(("rows", "layers", "slots", "minutes", "usd"), PREDECESSOR_FIGURES)
def test_predecessor_figures_within_five_percent(rows, layers, slots, minutes, usd) -> None:
    """The predecessor's figures: its conquer billing with its 0.71 s slot time."""
    p = plan(rows, layers, completion="conquer", slot_s=PREDECESSOR_TIMINGS.slot_seconds_per_leaf)
    assert p.slots == pytest.approx(slots, rel=0.05)
    assert p.window_s / 60 == pytest.approx(minutes, rel=0.05)
    assert p.cost.total == pytest.approx(usd, rel=0.05)
    assert p.cost.provisioned > 0 and p.cost.on_demand > 0 and p.cost.gatherer > 0


def test_predecessor_wedge_at_7500_rows_25_layers() -> None:
    assert predecessor_rate(7500, 25, 1000) == pytest.approx(17.40, rel=0.01)
    assert not feasible(7500, 25, 1000, 0)
    assert feasible(7000, 25, 1000, 0)
    assert feasible(7500, 25, 1000, slots_needed(7500, 25, 1000))


def test_conquer_slot_time_is_the_conquers_hold() -> None:
    """t_hold = t_conquer + (t_level - cold - t_divide) + t_leaf + t_poll; the chain adds
    two divides and its leaf. Round numbers, so the formula (not the defaults) is tested."""
    t = Timings(
        t_divide_s=0.1,
        t_conquer_s=0.2,
        t_leaf_s=0.5,
        cold_start_s=1.0,
        level_latency_s=3.0,
        poll_interval_s=0.5,
    )
    assert t.dispatch_s == pytest.approx(1.9)
    assert t.conquer_hold_s == pytest.approx(0.2 + 1.9 + 0.5 + 0.5)
    assert t.slot_seconds("conquer") == pytest.approx(2 * 0.1 + 3.1 + 0.5)
    assert t.slot_seconds("queue") == t.slot_seconds_per_leaf == pytest.approx(0.9)
    assert Timings(cold_start_s=5.0).dispatch_s == 0.0


def test_predecessor_times_give_a_3_98_s_conquer_slot() -> None:
    t = PREDECESSOR_TIMINGS
    assert t.dispatch_s == pytest.approx(200 / 17.40 / 3 - 1.135 - 0.08)
    assert t.conquer_hold_s == pytest.approx(3.416, abs=1e-3)
    assert t.slot_seconds("conquer") == pytest.approx(3.976, abs=1e-3)


@pytest.mark.parametrize(("rows", "layers"), [(1_000_000, 5), (1_000_000, 25), (2_000_000, 5)])
def test_conquer_plans_slots_for_its_hold(rows, layers) -> None:
    excess = required_rate(rows, layers, 1000) - PREDECESSOR_QUOTAS.scaling_rate_per_s
    queue, conquer = plan(rows, layers), plan(rows, layers, completion="conquer")
    theirs = plan(rows, layers, completion="conquer", slot_s=0.71)
    assert queue.completion == "queue" and queue.slot_s == 0.71
    assert queue.slots == theirs.slots == math.ceil(excess * 0.71)
    assert conquer.slot_s == PREDECESSOR_TIMINGS.slot_seconds("conquer")
    assert conquer.slots == math.ceil(excess * conquer.slot_s)
    assert conquer.slots / theirs.slots == pytest.approx(conquer.slot_s / 0.71, rel=0.01)
    # More slots over the same window: only the PC bucket grows.
    assert conquer.window_s == theirs.window_s
    assert conquer.cost.on_demand == theirs.cost.on_demand
    assert conquer.cost.provisioned == pytest.approx(
        theirs.cost.provisioned * conquer.slots / theirs.slots
    )
    assert feasible(rows, layers, 1000, conquer.slots, completion="conquer")
    assert not feasible(rows, layers, 1000, theirs.slots, completion="conquer")
    assert plan(rows, layers).as_dict()["slot_s"] == 0.71


@pytest.mark.parametrize(
    "kwargs",
    [
        {"completion": "poll"},
        {"slot_s": 0},
        {"slot_s": -1.0},
        {"slot_s": float("nan")},
        {"slot_s": float("inf")},
        {"slot_s": True},
        {"slot_s": "0.71"},
    ],
)
def test_bad_completion_or_slot_time_is_a_typed_error(kwargs) -> None:
    with pytest.raises(PlanInputError):
        plan(1_000_000, 5, **kwargs)
    with pytest.raises(PlanInputError):
        slots_needed(1_000_000, 5, 1000, **kwargs)
    with pytest.raises(PlanInputError):
        slot_seconds(**kwargs)


def test_slots_grow_like_n_over_log_n() -> None:
    """The predecessor's scaling: N_slots = O(L·N / log N) at fixed τ — tenfold rows, less than tenfold slots."""
    small, big = slots_needed(1_000_000, 25, 1000), slots_needed(10_000_000, 25, 1000)
    assert 5 < big / small < 10


def test_faster_quota_needs_fewer_slots() -> None:
    aws_2023 = Quotas(scaling_rate_per_s=100.0, source="1,000 per 10 s")
    assert slots_needed(1_000_000, 5, 1000, aws_2023) < slots_needed(1_000_000, 5, 1000)


@pytest.mark.parametrize(
    "bad", [(0, 5, 1000), (10, 0, 1000), (10, 5, 0), (10.5, 5, 1000), (True, 5, 1000)]
)
def test_bad_inputs_are_typed_errors(bad) -> None:
    with pytest.raises(PlanInputError):
        plan(*bad)
    with pytest.raises(PlanInputError):
        feasible(10, 5, 1000, -1)


def test_bad_parameters_are_typed_errors() -> None:
    with pytest.raises(ValueError):
        Timings(t_leaf_s=-1)
    with pytest.raises(ValueError):
        Timings(poll_interval_s=0)
    with pytest.raises(ValueError):
        Quotas(scaling_rate_per_s=0)


def test_infeasible_when_account_cannot_reserve_the_slots() -> None:
    p = plan(10_000_000, 25, quotas=Quotas(concurrent_executions=1000))
    assert not p.feasible and p.notes


rows = st.integers(min_value=1, max_value=20_000_000)
layers = st.integers(min_value=1, max_value=50)
taus = st.sampled_from([100, 500, 1000, 5000])
modes = st.sampled_from(["queue", "conquer"])


@settings(max_examples=300, deadline=None)
@given(rows, rows, layers, taus, modes)
def test_monotone_in_rows(a, b, n_layers, tau, mode) -> None:
    lo, hi = sorted((a, b))
    p, q = plan(lo, n_layers, tau, completion=mode), plan(hi, n_layers, tau, completion=mode)
    assert required_rate(lo, n_layers, tau) <= required_rate(hi, n_layers, tau) + 1e-9
    assert p.slots <= q.slots
    assert p.window_s <= q.window_s
    assert p.cost.total <= q.cost.total + 1e-12


@settings(max_examples=300, deadline=None)
@given(rows, layers, layers, taus, modes)
def test_monotone_in_layers(n_rows, a, b, tau, mode) -> None:
    lo, hi = sorted((a, b))
    p, q = plan(n_rows, lo, tau, completion=mode), plan(n_rows, hi, tau, completion=mode)
    assert p.slots <= q.slots and p.window_s <= q.window_s
    assert p.cost.total <= q.cost.total + 1e-12


@settings(max_examples=200, deadline=None)
@given(rows, layers, taus, st.integers(min_value=0, max_value=5000), modes)
def test_planned_slots_are_the_least_that_suffice(n_rows, n_layers, tau, extra, mode) -> None:
    need = slots_needed(n_rows, n_layers, tau, completion=mode)
    assert feasible(n_rows, n_layers, tau, need + extra, completion=mode)
    if need:
        assert not feasible(n_rows, n_layers, tau, need - 1, completion=mode)
    assert need >= slots_needed(n_rows, n_layers, tau)
