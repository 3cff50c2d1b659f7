"""``snakebatch preflight``: what the AWS account lacks, before ``terraform apply``.

It is aimed like ``pc`` (``--profile/--region/--env``, see :mod:`snakebatch.cli.target`)
and names the account first: a check of the wrong account or region would clear a
deployment that then fails halfway through its apply.
"""

from __future__ import annotations

from typing import Annotated

import typer

from snakebatch.cli import options as o
from snakebatch.cli import target as t
from snakebatch.cli.app import app
from snakebatch.cli.exits import FAILED, emit_json, reporting
from snakebatch.settings import defaults


@app.command()
def preflight(
    rows: Annotated[
        int, typer.Option(help="Rows of the largest training you plan (sizes the PC slots).")
    ] = 1_000_000,
    layers: Annotated[int, typer.Option(help="Layers of that training.")] = 5,
    reserved: Annotated[
        int | None,
        typer.Option(min=1, help="reserved_concurrency per shard you will set, if any."),
    ] = None,
    certificate_arn: Annotated[
        str | None, typer.Option(help="ACM certificate of the gatherer's HTTPS listener.")
    ] = None,
    state_bucket: Annotated[
        str | None, typer.Option(help="S3 bucket holding the Terraform state.")
    ] = None,
    lock_table: Annotated[
        str | None, typer.Option(help="DynamoDB table locking the Terraform state.")
    ] = None,
    profile: t.Profile = None,
    region: t.Region = None,
    env: t.Env = None,
    as_json: o.Json = False,
) -> None:
    """Check the account's Lambda memory and concurrency quotas, the ACM certificate and the
    Terraform state bucket; print what is missing and how to request it (exit 1 if any)."""
    from snakebatch.ops.planner import plan
    from snakebatch.ops.preflight import Needs
    from snakebatch.ops.preflight import preflight as run_checks

    with reporting():
        slots = plan(rows, layers).slots
        target = t.resolve(profile, region, env)
        target.require_account()
        needs = Needs(
            region=target.settings.region,
            memory_mb=int(defaults()["lambda_memory_mb"]),
            shard_count=target.settings.shard_count,
            slots=slots,
            reserved_per_shard=reserved,
            certificate_arn=certificate_arn,
            state_bucket=state_bucket,
            lock_table=lock_table,
        )
        findings = run_checks(needs, target.client)
    missing = [f for f in findings if not f.ok]
    if as_json:
        emit_json(
            {
                "ok": not missing,
                "target": target.as_dict(),
                "findings": [f.as_dict() for f in findings],
            }
        )
    else:
        typer.echo("\n".join(f.line() for f in findings))
        typer.echo(
            f"{len(missing)} missing: fix them before terraform apply"
            if missing
            else "account ready for terraform apply"
        )
    if missing:
        raise typer.Exit(FAILED)
