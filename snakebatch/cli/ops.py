"""``snakebatch plan`` and ``snakebatch pc on|off|status``: thin shells over ``snakebatch.ops``.

``plan`` sizes a run and prints the ``pc on`` command that provisions it; ``pc on``
takes its slots and TTL from the same planner (``--rows/--layers`` or
``--from-plan``), so the two never disagree. Every ``pc`` command names its target
(``cli.target``) before it changes anything.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from snakebatch.cli import options as o
from snakebatch.cli import target as t
from snakebatch.cli.app import app
from snakebatch.cli.exits import CLOUD, FAILED, NOT_FOUND, CliError, emit_json, note, reporting
from snakebatch.engine.params import PARAMS
from snakebatch.ops.chart import sparkline, write_png
from snakebatch.ops.forecast import Forecast, default_params, forecast, predecessor_params
from snakebatch.ops.prices import prices_for
from snakebatch.ops.quotas import PREDECESSOR_QUOTAS, read_quotas
from snakebatch.ops.timings import PREDECESSOR_TIMINGS
from snakebatch.ops.toggle import (
    ROLE_ENV,
    PcToggle,
    TogglePlan,
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

#: Slots stay on this long past the planned on-window, for a run that starts late.
PLAN_MARGIN_S = 600

Rows = Annotated[int | None, typer.Option("--rows", help="Rows in the training population.")]
PlanLayers = Annotated[int | None, typer.Option("--layers", "-L", help="Snake layers.")]
RoleArn = Annotated[
    str | None, typer.Option(help=f"Role EventBridge Scheduler assumes (or ${ROLE_ENV}).")
]


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f} min"


def _render(f: Forecast) -> list[str]:
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
            f"peak concurrency {run.peak_concurrency:,}, ${run.cost.total:.2f} "
            "(a check of the plan, not a second cost)"
        )
    lines.append(f"spawns/s       {sparkline(run.spawn_series, ceiling=p.scaling_rate)}")
    lines.extend(f"note           {n}" for n in p.notes)
    return lines


def _quotas(target: t.Target):
    """Live quotas of the target's region, or a loud failure: never a silent fallback."""
    target.require_account()
    quotas = read_quotas(target.client("service-quotas"))
    if quotas is PREDECESSOR_QUOTAS:
        raise CliError(
            f"could not read the Lambda quotas from Service Quotas in {target.settings.region} "
            "(no permission, or no value there); drop --quotas-from-aws to plan with the "
            f"bundled ones: {PREDECESSOR_QUOTAS.source}",
            CLOUD,
        )
    return replace(quotas, source=f"{quotas.source} in {target.settings.region}")


def _provision(f: Forecast, settings: Settings) -> TogglePlan | None:
    """What ``pc on`` would do for this plan: its slots for the on-window plus margin."""
    if f.plan.slots == 0:
        return None
    ttl = max(60, int(f.plan.window_s) + PLAN_MARGIN_S)
    prices = prices_for(settings.region)
    return plan_toggle(
        f.plan.slots, ttl, settings, prices, PREDECESSOR_TIMINGS.memory_gb, datetime.now(UTC)
    )


def _words(*command: str, **flags: Any) -> list[str]:
    words = list(command)
    for flag, value in flags.items():
        if value is True:
            words.append(f"--{flag.replace('_', '-')}")
        elif value not in (None, False):
            words += [f"--{flag.replace('_', '-')}", str(value)]
    return words


def _pc_command(plan_flags: dict[str, Any], target: dict[str, Any], custom: bool) -> str:
    """The ``pc on`` that provisions this plan. ``pc on --rows`` plans with the
    repository's defaults; a plan made otherwise (predecessor parameters or formula, live
    quotas) is handed over as a file instead, so the slots cannot differ."""
    if not custom:
        return shlex.join(_words("snakebatch", "pc", "on", **plan_flags, **target))
    plan = _words("snakebatch", "plan", **plan_flags, **target, json=True)
    on = _words("snakebatch", "pc", "on", from_plan="plan.json", **target)
    return f"{shlex.join(plan)} > plan.json && {shlex.join(on)}"


@app.command("plan")
def plan_command(
    rows: Annotated[int, typer.Option("--rows", help="Rows in the training population.")],
    layers: Annotated[int, typer.Option("--layers", "-L", help="Snake layers.")],
    tau: o.Tau = o.DEFAULTS["tau"],
    completion: Annotated[
        str | None,
        o.param(
            "completion",
            help="How leaves complete (default: the mesh's queue; conquer with --predecessor-params). "
            "Conquer holds slots longer, so it plans more.",
        ),
    ] = None,
    predecessor_params_: Annotated[
        bool,
        typer.Option(
            "--predecessor-params", help="The predecessor's parameters (eu-west-3, conquer)."
        ),
    ] = False,
    predecessor_formula: Annotated[
        bool,
        typer.Option(
            "--predecessor-formula",
            help="Size slots with the predecessor's t_slot whatever the completion (reproduces its "
            "figures; under conquer the simulator wedges some large jobs with them).",
        ),
    ] = False,
    quotas_from_aws: Annotated[
        bool,
        typer.Option(
            "--quotas-from-aws",
            help="Read the region's Lambda quotas from Service Quotas; fails (exit 3) if it can't.",
        ),
    ] = False,
    sim_seed: Annotated[int, typer.Option("--sim-seed", help="The simulator's random seed.")] = 0,
    chart: Annotated[
        str | None, typer.Option(help="'-' for a terminal sparkline, or a .png path.")
    ] = None,
    profile: t.Profile = None,
    region: t.Region = None,
    as_json: o.Json = False,
) -> None:
    """Feasibility, slots, on-window, cost, a simulated wall time, the total to budget
    and the `pc on` command that provisions the run."""
    with reporting():
        if quotas_from_aws:
            target = t.resolve(profile, region, None)
            where, quotas = target.settings.region, _quotas(target)
        else:
            where = region or Settings.from_env().region
            quotas = PREDECESSOR_QUOTAS
        settings = replace(Settings.from_env(), region=where)
        if predecessor_params_:
            params = predecessor_params()
            if completion is not None:
                params = replace(params, completion=completion)
        else:
            mode = completion or PARAMS["completion"].default
            params = default_params(where, quotas, mode)
        slot_s = params.timings.slot_seconds_per_leaf if predecessor_formula else None
        f = forecast(rows, layers, tau, params, seed=sim_seed, slot_s=slot_s)
        if chart and chart != "-":
            write_png(f.run.spawn_series, f.run.bin_s, Path(chart), f.plan.scaling_rate)
        toggle = _provision(f, settings)
    c = f.plan.cost
    budget = c.total if toggle is None else c.gatherer + c.on_demand + toggle.cost_usd
    command = None
    if toggle is not None:
        flags = {
            "rows": rows,
            "layers": layers,
            "tau": tau if tau != PARAMS["tau"].default else None,
            "completion": completion,
            "predecessor_params": predecessor_params_,
            "predecessor_formula": predecessor_formula,
            "quotas_from_aws": quotas_from_aws,
        }
        custom = predecessor_params_ or predecessor_formula or quotas_from_aws
        command = _pc_command(flags, {"region": region, "profile": profile}, custom)
    if as_json:
        emit_json(
            f.as_dict()
            | {
                "region": where,
                "budget_usd": budget,
                "pc_on": None
                if toggle is None
                else {"slots": toggle.total, "ttl_s": toggle.ttl_s, "cost_usd": toggle.cost_usd},
                "next": command,
            }
        )
        return
    lines = _render(f)
    if toggle is None:
        lines.append(
            f"budget         ${budget:.2f} (the planned cost; no provisioned slots needed)"
        )
    else:
        lines.append(
            f"budget         ${budget:.2f}: the planned cost with the slots held for pc on's TTL "
            f"({_minutes(toggle.ttl_s)} = on-window + {PLAN_MARGIN_S // 60} min margin, "
            f"${toggle.cost_usd:.2f})"
        )
        lines.append(f"next           {command}")
    typer.echo("\n".join(lines))


def _toggle(target: t.Target, role_arn: str | None) -> PcToggle:
    role = role_arn or os.environ.get(ROLE_ENV)
    if not role:
        prefix = target.settings.function_prefix
        role = f"arn:aws:iam::{target.account}:role/{prefix}-pc-auto-off"
    return PcToggle(target.client("lambda"), target.client("scheduler"), target.settings, role)


def _slots_and_ttl(
    slots: int | None,
    ttl: str | None,
    from_plan: Path | None,
    rows: int | None,
    layers: int | None,
    tau: int,
    completion: str | None,
    region: str,
) -> tuple[int, int]:
    """(slots, ttl seconds) from exactly one of --slots, --from-plan, --rows/--layers."""
    given = [slots is not None, from_plan is not None, rows is not None or layers is not None]
    if sum(given) != 1:
        raise CliError("give exactly one of --slots, --from-plan FILE, or --rows and --layers")
    if slots is not None:
        return slots, parse_ttl(ttl or "30m")
    if ttl is not None:
        raise CliError("--ttl goes with --slots; a plan sets the TTL (on-window + margin)")
    if from_plan is not None:
        if not from_plan.is_file():
            raise CliError(f"plan file not found: {from_plan}", NOT_FOUND)
        try:
            plan = json.loads(from_plan.read_text())
            return int(plan["slots"]), max(60, int(plan["window_s"]) + PLAN_MARGIN_S)
        except (ValueError, KeyError, TypeError) as exc:
            raise CliError(f"{from_plan} is not `snakebatch plan --json` output ({exc})") from None
    if rows is None or layers is None:
        raise CliError("--rows and --layers go together")
    params = default_params(region, PREDECESSOR_QUOTAS, completion or PARAMS["completion"].default)
    f = forecast(rows, layers, tau, params)
    return f.plan.slots, max(60, int(f.plan.window_s) + PLAN_MARGIN_S)


@pc_app.command("on")
def pc_on(
    slots: Annotated[
        int | None, typer.Option(help="Total slots, spread over the shards by load.")
    ] = None,
    ttl: Annotated[
        str | None, typer.Option(help="With --slots: auto-off after 90s, 30m, 2h (30m).")
    ] = None,
    from_plan: Annotated[
        Path | None,
        typer.Option("--from-plan", help="Slots and TTL from `snakebatch plan --json` output."),
    ] = None,
    rows: Rows = None,
    layers: PlanLayers = None,
    tau: o.Tau = o.DEFAULTS["tau"],
    completion: Annotated[str | None, o.param("completion")] = None,
    by_recent_load: Annotated[
        bool,
        typer.Option("--by-recent-load", help="Spread by each shard's invocations in 24 h."),
    ] = False,
    role_arn: RoleArn = None,
    dry_run: o.DryRun = False,
    profile: t.Profile = None,
    region: t.Region = None,
    env: t.Env = None,
    as_json: o.Json = False,
) -> None:
    """Turn slots on; every shard's off is scheduled on the AWS side before its slots."""
    now = datetime.now(UTC)
    with reporting():
        target = t.resolve(profile, region, env)
        settings = target.settings
        total, ttl_s = _slots_and_ttl(
            slots, ttl, from_plan, rows, layers, tau, completion, settings.region
        )
        if total == 0 and slots is None:
            note("the plan needs no provisioned slots: nothing to turn on")
            return
        weights = None
        if by_recent_load:
            names = [settings.function_name(i) for i in range(settings.shard_count)]
            weights = recent_load(target.client("cloudwatch"), names, now)
        plan = plan_toggle(
            total,
            ttl_s,
            settings,
            prices_for(settings.region),
            PREDECESSOR_TIMINGS.memory_gb,
            now,
            weights,
        )
        summary = (
            f"{plan.total} slots on {len(plan.slots)} functions (alias live) until "
            f"{plan.off_at:%Y-%m-%d %H:%M:%S} UTC: ${plan.cost_usd:.2f}"
        )
        if not dry_run:
            target.require_account()
            _toggle(target, role_arn).on(plan)
    doc = plan.as_dict() | {"dry_run": dry_run, "target": target.as_dict()}
    if as_json:
        emit_json(doc)
    else:
        typer.echo(f"{'dry run' if dry_run else 'on'}: {summary}")


def _confirm(count: int, yes: bool, dry_run: bool) -> None:
    """Deleting slots on several shards needs --yes, or a typed yes at a terminal."""
    if yes or dry_run or count <= 1:
        return
    if not sys.stdin.isatty():
        raise CliError(f"pc off acts on {count} shards: pass --yes to confirm (or --dry-run)")
    if not typer.confirm(f"delete provisioned concurrency on {count} shards?", err=True):
        raise CliError("cancelled", FAILED)


@pc_app.command("off")
def pc_off(
    role_arn: RoleArn = None,
    yes: o.Yes = False,
    dry_run: o.DryRun = False,
    profile: t.Profile = None,
    region: t.Region = None,
    env: t.Env = None,
    as_json: o.Json = False,
) -> None:
    """Delete the slots and pending auto-offs on every shard."""
    with reporting():
        target = t.resolve(profile, region, env)
        settings = target.settings
        functions = [settings.function_name(i) for i in range(settings.shard_count)]
        _confirm(len(functions), yes, dry_run)
        if not dry_run:
            target.require_account()
            functions = _toggle(target, role_arn).off()
    doc = {"dry_run": dry_run, "functions": functions, "target": target.as_dict()}
    if as_json:
        emit_json(doc)
    elif dry_run:
        typer.echo(f"dry run: would delete provisioned concurrency on {len(functions)} functions")
    else:
        typer.echo(f"off: {len(functions)} functions have no provisioned concurrency")


@pc_app.command("status")
def pc_status(
    role_arn: RoleArn = None,
    profile: t.Profile = None,
    region: t.Region = None,
    env: t.Env = None,
    as_json: o.Json = False,
) -> None:
    """Slots on, time left before the auto-off, money spent so far."""
    with reporting():
        target = t.resolve(profile, region, env)
        target.require_account()
        status = _toggle(target, role_arn).status(
            prices_for(target.settings.region), PREDECESSOR_TIMINGS.memory_gb
        )
    if as_json:
        emit_json(status.as_dict() | {"target": target.as_dict()})
        return
    text = (
        f"{status.slots} slots on {len(status.shards)} functions; auto-off in "
        f"{_minutes(status.seconds_left)}; spent ${status.spent_usd:.2f}"
    )
    typer.echo(text + "".join(f"\n  {line}" for line in status.shard_lines()))
    if status.unscheduled:
        note(f"WARNING: no auto-off scheduled for {', '.join(status.unscheduled)}")
