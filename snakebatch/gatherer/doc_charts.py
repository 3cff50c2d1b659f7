"""Charts the docs can embed by name; each is computed, not drawn by hand.

Figures come from the ops planner (``snakebatch.ops``) where it owns the math, and from
the predecessor document's published measurements where the chart is about those.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from snakebatch.gatherer.charts import bar_chart, line_chart
from snakebatch.ops.planner import required_rate, slots_needed
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS

ROWS = [int(10 ** (k / 8)) for k in range(24, 49)]


def tree_invocations() -> str:
    """Invocations per training job: per layer ⌈N/τ⌉ leaves under ⌈N/τ⌉−1 divides."""
    ns = [10 ** (k / 4) for k in range(12, 29)]
    series = []
    for layers in (5, 25):
        pts = [(n, layers * (2 * math.ceil(n / 1000) - 1)) for n in ns]
        series.append((f"{layers} layers, τ=1000", pts))
    return line_chart(
        series,
        title="Lambda invocations per training job",
        x_label="rows N (log scale)",
        y_label="invocations",
        log_x=True,
        caption="Each layer's divide tree has ⌈N/τ⌉ leaves and ⌈N/τ⌉−1 divides; "
        "the count grows linearly in N and L.",
    )


def predecessor_slots() -> str:
    return bar_chart(
        [("1M rows × 5 layers", 81), ("1M rows × 25 layers", 449)],
        title="Provisioned slots needed to stay under the spawn budget (predecessor §8.1)",
        unit=" slots",
        caption="Predecessor figures: 81 slots for 6.5 min ($1.75) and 449 slots for 33 min ($22.81).",
    )


def predecessor_cost() -> str:
    return bar_chart(
        [
            ("gatherer, per month", 98.0),
            ("1M×25L slot session", 22.81),
            ("1M×5L slot session", 1.75),
        ],
        title="What bills you (predecessor §8.2), US dollars",
        unit=" $",
        caption="The gatherer is a fixed monthly cost; provisioned-concurrency sessions are "
        "per job and small when toggled off on time.",
    )


def spawn_vs_budget() -> str:
    """The planner's required spawn rate against the account's scaling budget."""
    series = [
        (f"{layers} layers", [(n, required_rate(n, layers, 1000)) for n in ROWS])
        for layers in (5, 25)
    ]
    return line_chart(
        series,
        title="Spawn rate a training job needs (τ=1000) vs the account budget",
        x_label="rows N (log scale)",
        y_label="spawns / s",
        log_x=True,
        hlines=[
            (
                f"budget {PREDECESSOR_QUOTAS.scaling_rate_per_s:.2f}/s",
                PREDECESSOR_QUOTAS.scaling_rate_per_s,
            )
        ],
        caption="From snakebatch.ops.planner with the predecessor's parameters. Above the dashed "
        "line a run wedges unless provisioned slots absorb the excess.",
    )


def slots_vs_rows() -> str:
    series = [
        (f"{layers} layers", [(n, slots_needed(n, layers, 1000)) for n in ROWS])
        for layers in (5, 25)
    ]
    return line_chart(
        series,
        title="Provisioned slots needed to stay feasible (τ=1000)",
        x_label="rows N (log scale)",
        y_label="slots",
        log_x=True,
        caption="snakebatch.ops.planner.slots_needed: zero below the wedge, then "
        "growing like L·N / log N.",
    )


CHARTS: dict[str, Callable[[], str]] = {
    "tree-invocations": tree_invocations,
    "predecessor-slots": predecessor_slots,
    "predecessor-cost": predecessor_cost,
    "spawn-vs-budget": spawn_vs_budget,
    "slots-vs-rows": slots_vs_rows,
}
