"""The seed's figures from the seed's parameters, and the planner's shape."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakebatch.ops.planner import (
    PlanInputError,
    feasible,
    plan,
    required_rate,
    seed_rate,
    slots_needed,
)
from snakebatch.ops.quotas import Quotas
from snakebatch.ops.timings import Timings

# Seed §8.1: (rows, layers) → slots, minutes on, total USD.
SEED_FIGURES = [(1_000_000, 5, 81, 6.5, 1.75), (1_000_000, 25, 449, 33, 22.81)]


@pytest.mark.parametrize(("rows", "layers", "slots", "minutes", "usd"), SEED_FIGURES)
def test_seed_figures_within_five_percent(rows, layers, slots, minutes, usd) -> None:
    p = plan(rows, layers)
    assert p.slots == pytest.approx(slots, rel=0.05)
    assert p.window_s / 60 == pytest.approx(minutes, rel=0.05)
    assert p.cost.total == pytest.approx(usd, rel=0.05)
    assert p.cost.provisioned > 0 and p.cost.on_demand > 0 and p.cost.gatherer > 0


def test_seed_wedge_at_7500_rows_25_layers() -> None:
    assert seed_rate(7500, 25, 1000) == pytest.approx(17.40, rel=0.01)
    assert not feasible(7500, 25, 1000, 0)
    assert feasible(7000, 25, 1000, 0)
    assert feasible(7500, 25, 1000, slots_needed(7500, 25, 1000))


def test_slots_grow_like_n_over_log_n() -> None:
    """Seed §8.1: N_slots = O(L·N / log N) at fixed τ — tenfold rows, less than tenfold slots."""
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
        Quotas(scaling_rate_per_s=0)


def test_infeasible_when_account_cannot_reserve_the_slots() -> None:
    p = plan(10_000_000, 25, quotas=Quotas(concurrent_executions=1000))
    assert not p.feasible and p.notes


rows = st.integers(min_value=1, max_value=20_000_000)
layers = st.integers(min_value=1, max_value=50)
taus = st.sampled_from([100, 500, 1000, 5000])


@settings(max_examples=300, deadline=None)
@given(rows, rows, layers, taus)
def test_monotone_in_rows(a, b, n_layers, tau) -> None:
    lo, hi = sorted((a, b))
    p, q = plan(lo, n_layers, tau), plan(hi, n_layers, tau)
    assert required_rate(lo, n_layers, tau) <= required_rate(hi, n_layers, tau) + 1e-9
    assert p.slots <= q.slots
    assert p.window_s <= q.window_s
    assert p.cost.total <= q.cost.total + 1e-12


@settings(max_examples=300, deadline=None)
@given(rows, layers, layers, taus)
def test_monotone_in_layers(n_rows, a, b, tau) -> None:
    lo, hi = sorted((a, b))
    p, q = plan(n_rows, lo, tau), plan(n_rows, hi, tau)
    assert p.slots <= q.slots and p.window_s <= q.window_s
    assert p.cost.total <= q.cost.total + 1e-12


@settings(max_examples=200, deadline=None)
@given(rows, layers, taus, st.integers(min_value=0, max_value=5000))
def test_planned_slots_are_the_least_that_suffice(n_rows, n_layers, tau, extra) -> None:
    need = slots_needed(n_rows, n_layers, tau)
    assert feasible(n_rows, n_layers, tau, need + extra)
    if need:
        assert not feasible(n_rows, n_layers, tau, need - 1)
