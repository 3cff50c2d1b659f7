"""The tables in docs/economics.md and docs/math.md, computed from the code.

Each table sits between ``<!-- ops:NAME -->`` and ``<!-- /ops:NAME -->``; ``render``
recomputes them all, ``python -m snakebatch.ops.figures`` rewrites the docs, and a
test fails when a doc's numbers and the code disagree.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

from snakebatch.ops.forecast import default_params, forecast, predecessor_params
from snakebatch.ops.governor import from_plan
from snakebatch.ops.planner import plan, predecessor_rate, required_rate
from snakebatch.ops.prices import PREDECESSOR_PRICES, US_EAST_1_PRICES
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS
from snakebatch.ops.simulator import SimConfig, simulate
from snakebatch.ops.timings import PREDECESSOR_TIMINGS

DOCS = Path(__file__).resolve().parents[2] / "docs"
#: The predecessor's slot time per leaf chain (0.71 s): its figures are sized with it.
PREDECESSOR_SLOT_S = PREDECESSOR_TIMINGS.slot_seconds_per_leaf
_BLOCK = re.compile(r"(<!-- ops:([a-z-]+) -->\n).*?(<!-- /ops:\2 -->)", re.S)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _pct(ours: float, predecessor: float) -> str:
    return f"{100 * (ours - predecessor) / predecessor:+.1f}%"


def predecessor_figures() -> str:
    rows = []
    for n, layers, slots, minutes, usd in (
        (1_000_000, 5, 81, 6.5, 1.75),
        (1_000_000, 25, 449, 33, 22.81),
    ):
        p = plan(n, layers, completion="conquer", slot_s=PREDECESSOR_SLOT_S)
        label = f"{n // 1_000_000}M x {layers}L"
        rows.append([label, "slots", str(slots), str(p.slots), _pct(p.slots, slots)])
        rows.append(
            [
                label,
                "minutes on",
                f"{minutes}",
                f"{p.window_s / 60:.2f}",
                _pct(p.window_s / 60, minutes),
            ]
        )
        rows.append(
            [label, "total $", f"{usd:.2f}", f"{p.cost.total:.2f}", _pct(p.cost.total, usd)]
        )
    rate = predecessor_rate(7500, 25, 1000)
    rows.append(["7.5K x 25L", "peak spawns/s", "17.40", f"{rate:.2f}", _pct(rate, 17.40)])
    return _table(["job", "figure", "predecessor", "planner, predecessor's t_slot", "diff"], rows)


def parameters() -> str:
    t, q, pr = PREDECESSOR_TIMINGS, PREDECESSOR_QUOTAS, PREDECESSOR_PRICES
    rows = [
        [
            "scaling rate",
            f"{q.scaling_rate_per_s:.2f} /s",
            "predecessor §8.1: L-A1AFA3CF 1,000/min, eu-west-3, 2026-05-21",
        ],
        ["concurrent executions", f"{q.concurrent_executions:,}", "predecessor §8.1: L-B99A9384"],
        ["t_divide", f"{t.t_divide_s * 1e3:.0f} ms", "predecessor §1 (divide ~80 ms)"],
        ["t_conquer", f"{t.t_conquer_s * 1e3:.0f} ms", "predecessor §1 (conquer ~150 ms)"],
        ["t_leaf (warm)", f"{t.t_leaf_s * 1e3:.0f} ms", "predecessor §1 (leaf ~400 ms warm)"],
        [
            "t_slot = 2 t_divide + t_conquer + t_leaf",
            f"{t.slot_seconds_per_leaf:.2f} s",
            "derived (the predecessor's; queue completion)",
        ],
        [
            "level latency",
            f"{t.level_latency_s:.3f} s",
            "fitted: 200 leaves / 17.40 per s / 3 levels",
        ],
        [
            "cold start (billed)",
            f"{t.cold_start_s:.3f} s",
            "fitted to the predecessor's two $ figures",
        ],
        [
            "poll interval (conquer)",
            f"{t.poll_interval_s * 1e3:.0f} ms",
            "the simulator's; predecessor §2.2 polls DDB without an interval",
        ],
        ["dispatch = t_level - cold - t_divide", f"{t.dispatch_s:.2f} s", "derived"],
        [
            "t_hold = t_conquer + dispatch + t_leaf + poll",
            f"{t.conquer_hold_s:.2f} s",
            "derived: a conquer's slot time",
        ],
        [
            "t_slot (conquer) = 2 t_divide + t_hold + t_leaf",
            f"{t.slot_seconds('conquer'):.2f} s",
            "derived",
        ],
        ["memory", f"{t.memory_gb:.0f} GB", "settings.json lambda_memory_mb = 4096"],
        ["Lambda on demand", f"${pr.lambda_gb_s:.10f} /GB-s", "AWS Lambda pricing, x86, 2026"],
        ["Lambda requests", f"${pr.lambda_request * 1e6:.2f} /M", "AWS Lambda pricing, 2026"],
        [
            "provisioned concurrency",
            f"${pr.pc_gb_s:.10f} /GB-s",
            "predecessor §8.2: $168/day for 100 x 4 GB",
        ],
        ["gatherer", f"${pr.gatherer_hourly:.4f} /h", "predecessor §8.2: $98/month"],
        [
            "PC, us-east-1 (for comparison)",
            f"${US_EAST_1_PRICES.pc_gb_s:.10f} /GB-s",
            "AWS pricing page",
        ],
    ]
    return _table(["parameter", "value", "source"], rows)


def wedge() -> str:
    rows = []
    for n in (6000, 7000, 7500, 8000):
        rate = predecessor_rate(n, 25, 1000)
        ungoverned = simulate(SimConfig(n, 25))
        gov = from_plan(
            PREDECESSOR_QUOTAS.scaling_rate_per_s, 0, PREDECESSOR_TIMINGS.slot_seconds_per_leaf
        )
        governed = simulate(SimConfig(n, 25, governor_rate=gov.rate, governor_burst=gov.burst))
        rows.append(
            [
                f"{n:,} x 25L",
                f"{rate:.2f}",
                "yes" if rate <= PREDECESSOR_QUOTAS.scaling_rate_per_s else "no",
                f"wedges at {ungoverned.wedge_at_s:.1f} s"
                if ungoverned.wedged
                else f"done in {ungoverned.wall_s:.1f} s",
                "wedges" if governed.wedged else f"done in {governed.wall_s:.1f} s",
            ]
        )
    return _table(
        [
            "job",
            "predecessor rate /s",
            "FEASIBLE (0 slots)",
            "simulated",
            f"governed ({gov.rate:.1f}/s)",
        ],
        rows,
    )


def scale() -> str:
    rows = []
    for n in (1_000_000, 2_000_000, 5_000_000, 10_000_000):
        for layers in (5, 25):
            f = forecast(n, layers, 1000, default_params("eu-west-3"))
            p, run = f.plan, f.run
            rows.append(
                [
                    f"{n // 1_000_000}M x {layers}L",
                    str(p.slots),
                    f"{p.window_s / 60:.1f}",
                    f"{p.cost.gatherer:.2f} / {p.cost.on_demand:.2f} / {p.cost.provisioned:.2f}",
                    f"{p.cost.total:.2f}",
                    "wedges" if run.wedged else f"{run.wall_s / 60:.1f}",
                    f"{run.cost.total:.2f}",
                ]
            )
    return _table(
        [
            "job",
            "slots",
            "window min",
            "gatherer / on-demand / PC $",
            "total $",
            "simulated min",
            "simulated $",
        ],
        rows,
    )


def _outcome(f) -> str:
    run = f.run
    done = (
        f"wedges at {run.wedge_at_s:.0f} s" if run.wedged else f"done in {run.wall_s / 60:.1f} min"
    )
    return f"{f.plan.slots} slots, ${f.plan.cost.total:.2f}: {done}"


def conquer_vs_queue() -> str:
    rows = []
    for n, layers in ((1_000_000, 5), (1_000_000, 25), (2_000_000, 5)):
        before = forecast(n, layers, 1000, predecessor_params(), slot_s=PREDECESSOR_SLOT_S)
        after = forecast(n, layers, 1000, predecessor_params())
        queue = forecast(n, layers, 1000, default_params("eu-west-3"))
        extra = after.plan.cost.total - before.plan.cost.total
        rows.append(
            [
                f"{n // 1_000_000}M x {layers}L",
                _outcome(before),
                _outcome(after),
                f"+${extra:.2f} (x{after.plan.cost.total / before.plan.cost.total:.1f})",
                _outcome(queue),
            ]
        )
    t = PREDECESSOR_TIMINGS
    return _table(
        [
            "job (planned slots + governor)",
            f"conquer, predecessor's t_slot {t.slot_seconds_per_leaf:.2f} s",
            f"conquer, t_slot {t.slot_seconds('conquer'):.2f} s",
            "conquer cost",
            f"queue completion, t_slot {t.slot_seconds('queue'):.2f} s",
        ],
        rows,
    )


def sample_jobs(n_jobs: int = 100, seed: int = 0, need_slots: bool = True) -> list[tuple[int, int]]:
    """``n_jobs`` jobs of 1K-400K rows x 1-25 layers, drawn with ``seed``, that need
    provisioned slots (the predecessor's rate above the quota), or with ``need_slots=False``
    that do not."""
    rng = random.Random(seed)
    jobs: list[tuple[int, int]] = []
    while len(jobs) < n_jobs:
        n_rows, n_layers = rng.randint(1000, 400_000), rng.randint(1, 25)
        over = required_rate(n_rows, n_layers, 1000) > PREDECESSOR_QUOTAS.scaling_rate_per_s
        if over == need_slots:
            jobs.append((n_rows, n_layers))
    return jobs


def conquer_sample() -> str:
    """Two samples under conquer: jobs that need slots, planned with each slot time
    and the planned governor; jobs that do not, without and with the governor."""
    need, free = sample_jobs(), sample_jobs(need_slots=False)
    conquer_slot = f"{PREDECESSOR_TIMINGS.slot_seconds('conquer'):.2f} s"
    rows = []
    for label, jobs, slot_s, govern in (
        (
            f"need slots; predecessor's t_slot {PREDECESSOR_SLOT_S:.2f} s, governor",
            need,
            PREDECESSOR_SLOT_S,
            None,
        ),
        (f"need slots; t_slot (conquer) {conquer_slot}, governor", need, None, None),
        ("need none; no governor", free, None, False),
        ("need none; governor", free, None, None),
    ):
        runs = [
            (job, forecast(*job, 1000, predecessor_params(), slot_s=slot_s, govern=govern))
            for job in jobs
        ]
        wedged = [job for job, f in runs if f.run.wedged]
        smallest = min(wedged, key=lambda job: job[0] * job[1], default=None)
        rows.append(
            [
                label,
                str(len(jobs)),
                f"{sum(f.plan.slots for _, f in runs):,}",
                f"{sum(f.plan.cost.total for _, f in runs):,.2f}",
                str(len(wedged)),
                "-" if smallest is None else f"{smallest[0]:,} x {smallest[1]}L",
            ]
        )
    header = ["conquer jobs (plan)", "jobs", "slots (sum)", "plan $ (sum)", "wedged"]
    return _table([*header, "smallest wedged"], rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "predecessor-figures": predecessor_figures,
    "parameters": parameters,
    "wedge": wedge,
    "scale": scale,
    "conquer-vs-queue": conquer_vs_queue,
    "conquer-sample": conquer_sample,
}


def render(text: str) -> str:
    """``text`` with every ops block recomputed; unknown block names are left alone."""
    cache: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        name = m.group(2)
        if name not in BLOCKS:
            return m.group(0)
        if name not in cache:
            cache[name] = BLOCKS[name]()
        return m.group(1) + cache[name] + m.group(3)

    return _BLOCK.sub(sub, text)


def main(argv: list[str]) -> int:
    """Rewrite the docs' tables (``--check``: only report which are stale)."""
    stale = []
    for name in ("economics.md", "math.md"):
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        fresh = render(text)
        if fresh != text:
            stale.append(name)
            if "--check" not in argv:
                path.write_text(fresh, encoding="utf-8")
    print(("stale: " if "--check" in argv else "updated: ") + (", ".join(stale) or "none"))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
