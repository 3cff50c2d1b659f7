"""``snakebatch plan`` and ``snakebatch pc on|off|status``: thin shells over ``snakebatch.ops``."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from snakebatch.cli.app import app
from snakebatch.mesh.coordinator import TrainParams
from snakebatch.ops.chart import ChartError, sparkline, write_png
from snakebatch.ops.forecast import Forecast, default_params, forecast, seed_params
from snakebatch.ops.planner import PlanInputError
from snakebatch.ops.prices import UnknownRegionError, prices_for
from snakebatch.ops.quotas import SEED_QUOTAS, read_quotas
from snakebatch.ops.timings import SEED_TIMINGS
from snakebatch.ops.toggle import (
    ROLE_ENV,
    PcToggle,
    ToggleError,
    ToggleInputError,
    parse_ttl,
    plan_toggle,
    recent_load,
)
from snakebatch.settings import Settings

pc_app = typer.Typer(
    help="Provisioned concurrency on the shards' aliases, with an AWS-side auto-off.",
    no_args_is_help=True,
)
app.add_typer(pc_app, name="pc")


class Completion(StrEnum):
    queue = "queue"
    conquer = "conquer"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f} min"


def _render(f: Forecast) -> str:
    p, run = f.plan, f.run
    c = p.cost
    lines = [
        f"job            {p.n_rows:,} rows x {p.n_layers} layers, tau={p.tau}: "
        f"{p.leaves:,} leaves, tree depth {p.depth}",
        f"spawn rate     needs {p.required_rate:.2f}/s over a {p.spawn_window_s:.1f} s window; "
        f"quota {p.scaling_rate:.2f}/s from {f.quotas_source}",
        f"feasible       {'yes' if p.feasible else 'NO'}"
        + ("" if p.feasible_without_slots else f" (with {p.slots} provisioned slots)"),
        f"slots          {p.slots} for {_minutes(p.window_s)} "
        f"({p.completion} completion: {p.slot_s:.2f} s of slot per leaf chain)",
        f"cost           ${c.total:.2f} = gatherer ${c.gatherer:.2f} + on-demand "
        f"${c.on_demand:.2f} + provisioned ${c.provisioned:.2f}",
    ]
    if f.governor_rate is not None:
        lines.append(f"governor       {f.governor_rate:.1f} invokes/s on the fan-out")
    if f.ungoverned is not None and f.ungoverned.wedged:
        lines.append(f"ungoverned     wedges at {f.ungoverned.wedge_at_s:.1f} s (simulated)")
    if run.wedged:
        lines.append(f"simulated      WEDGES at {run.wedge_at_s:.1f} s")
    else:
        lines.append(
            f"simulated      wall {_minutes(run.wall_s)}, peak {run.peak_spawn_rate:.1f} spawns/s, "
            f"peak concurrency {run.peak_concurrency:,}, ${run.cost.total:.2f}"
        )
    lines.append(f"spawns/s       {sparkline(run.spawn_series, ceiling=p.scaling_rate)}")
    lines.extend(f"note           {n}" for n in p.notes)
    return "\n".join(lines)


def _live_quotas(region: str):
    from snakebatch.backends.aws_clients import make_client

    return read_quotas(make_client("service-quotas", region))


@app.command("plan")
def plan_command(
    rows: Annotated[int, typer.Option("--rows", help="Rows in the training population.")],
    layers: Annotated[int, typer.Option("--layers", help="Snake layers.")],
    tau: Annotated[int, typer.Option("--tau", help="Leaf size: divide until ≤ tau rows.")] = 1000,
    seed_params_: Annotated[
        bool, typer.Option("--seed-params", help="The seed's parameters (eu-west-3, conquer).")
    ] = False,
    completion: Annotated[
        Completion | None,
        typer.Option(
            help=f"How leaves complete (default: the mesh's, {TrainParams().completion}; "
            "conquer with --seed-params). Conquer holds slots longer, so it plans more."
        ),
    ] = None,
    seed_formula: Annotated[
        bool,
        typer.Option(
            "--seed-formula",
            help="Size slots with the seed's t_slot whatever the completion (reproduces its "
            "figures; under conquer the simulator wedges some large jobs with them).",
        ),
    ] = False,
    region: Annotated[str | None, typer.Option(help="Price region (default: settings).")] = None,
    quotas_from_aws: Annotated[
        bool, typer.Option("--quotas-from-aws", help="Read Lambda quotas from Service Quotas.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Simulator seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    chart: Annotated[
        str | None, typer.Option(help="'-' for a terminal sparkline, or a .png path.")
    ] = None,
) -> None:
    """Feasibility, slots, on-window, cost (three buckets) and a simulated wall time."""
    try:
        if seed_params_:
            params = seed_params()
            if completion is not None:
                params = replace(params, completion=completion.value)
        else:
            where = region or Settings.from_env().region
            quotas = _live_quotas(where) if quotas_from_aws else SEED_QUOTAS
            mode = completion.value if completion is not None else TrainParams().completion
            params = default_params(where, quotas, mode)
        slot_s = params.timings.slot_seconds_per_leaf if seed_formula else None
        f = forecast(rows, layers, tau, params, seed=seed, slot_s=slot_s)
    except (PlanInputError, UnknownRegionError, ValueError) as error:
        raise _fail(str(error)) from None
    if chart and chart != "-":
        try:
            write_png(f.run.spawn_series, f.run.bin_s, Path(chart), f.plan.scaling_rate)
        except (ChartError, OSError, ValueError) as error:
            raise _fail(str(error)) from None
    if as_json:
        typer.echo(json.dumps(f.as_dict()))
    else:
        typer.echo(_render(f))


def _toggle(settings: Settings, role_arn: str | None) -> PcToggle:
    from snakebatch.backends.aws_clients import make_client

    region = settings.region
    role = role_arn or os.environ.get(ROLE_ENV)
    if not role:
        account = make_client("sts", region).get_caller_identity()["Account"]
        role = f"arn:aws:iam::{account}:role/{settings.function_prefix}-pc-auto-off"
    return PcToggle(make_client("lambda", region), make_client("scheduler", region), settings, role)


def _aws_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def _echo(data: dict[str, Any], as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data) if as_json else text)


@pc_app.command("on")
def pc_on(
    slots: Annotated[int, typer.Option(help="Total slots, spread over the shards by load.")],
    ttl: Annotated[str, typer.Option(help="Auto-off after this long: 90s, 30m, 2h.")] = "30m",
    role_arn: Annotated[
        str | None, typer.Option(help=f"Role EventBridge Scheduler assumes (or ${ROLE_ENV}).")
    ] = None,
    by_recent_load: Annotated[
        bool,
        typer.Option("--by-recent-load", help="Spread by each shard's invocations in 24 h."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and cost only.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Turn slots on; every shard's off is scheduled on the AWS side before its slots."""
    settings = Settings.from_env()
    now = datetime.now(UTC)
    try:
        weights = None
        if by_recent_load:
            from snakebatch.backends.aws_clients import make_client

            names = [settings.function_name(i) for i in range(settings.shard_count)]
            weights = recent_load(make_client("cloudwatch", settings.region), names, now)
        plan = plan_toggle(
            slots,
            parse_ttl(ttl),
            settings,
            prices_for(settings.region),
            SEED_TIMINGS.memory_gb,
            now,
            weights,
        )
    except (ToggleInputError, UnknownRegionError, *_aws_errors()) as error:
        raise _fail(str(error)) from None
    summary = (
        f"{plan.total} slots on {len(plan.slots)} functions (alias live) until "
        f"{plan.off_at:%Y-%m-%d %H:%M:%S} UTC: ${plan.cost_usd:.2f}"
    )
    if dry_run:
        _echo({**plan.as_dict(), "dry_run": True}, as_json, f"dry run: {summary}")
        return
    try:
        _toggle(settings, role_arn).on(plan)
    except ToggleError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    except (ToggleInputError, *_aws_errors()) as error:
        raise _fail(str(error)) from None
    _echo(plan.as_dict(), as_json, f"on: {summary}")


@pc_app.command("off")
def pc_off(
    role_arn: Annotated[str | None, typer.Option(help=f"As for 'on' (or ${ROLE_ENV}).")] = None,
) -> None:
    """Delete the slots and pending auto-offs on every shard."""
    settings = Settings.from_env()
    try:
        done = _toggle(settings, role_arn).off()
    except (ToggleInputError, *_aws_errors()) as error:
        raise _fail(str(error)) from None
    typer.echo(f"off: {len(done)} functions have no provisioned concurrency")


@pc_app.command("status")
def pc_status(
    role_arn: Annotated[str | None, typer.Option(help=f"As for 'on' (or ${ROLE_ENV}).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Slots on, time left before the auto-off, money spent so far."""
    settings = Settings.from_env()
    try:
        status = _toggle(settings, role_arn).status(
            prices_for(settings.region), SEED_TIMINGS.memory_gb
        )
    except (ToggleInputError, UnknownRegionError, *_aws_errors()) as error:
        raise _fail(str(error)) from None
    text = (
        f"{status.slots} slots on {len(status.shards)} functions; auto-off in "
        f"{_minutes(status.seconds_left)}; spent ${status.spent_usd:.2f}"
    )
    text += "".join(f"\n  {line}" for line in status.shard_lines())
    if status.unscheduled:
        text += f"\nWARNING: no auto-off scheduled for {', '.join(status.unscheduled)}"
    _echo(status.as_dict(), as_json, text)
