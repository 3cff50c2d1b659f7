"""``snakebatch serve``: the gatherer under gunicorn + uvicorn workers, as in production."""

from __future__ import annotations

import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from snakebatch.cli import target as t
from snakebatch.cli.app import app
from snakebatch.cli.exits import reporting


class BackendName(StrEnum):
    local = "local"
    aws = "aws"


@app.command()
def serve(
    backend: Annotated[BackendName, typer.Option(help="Mesh backend.")] = BackendName.local,
    host: Annotated[
        str, typer.Option(help="Bind address (non-loopback needs API keys).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Gunicorn worker processes.")] = 2,
    profile: t.Profile = None,
    region: t.Region = None,
    env: t.Env = None,
) -> None:
    """Serve the HTTP API, live grid and pages (gunicorn with uvicorn workers)."""
    from snakebatch.gatherer.auth import InsecureBind, KeyRing, check_bind
    from snakebatch.gatherer.config import GathererConfig
    from snakebatch.settings import env_name

    with reporting():
        # The workers inherit the target: a deployment's own environment (its
        # Terraform outputs), then the AWS profile and region boto3 reads.
        if env is not None:
            os.environ.update(t.env_outputs(env)["shard_environment"])
        for key, value in (("AWS_PROFILE", profile), ("AWS_REGION", region)):
            if value is not None:
                os.environ[key] = value
    os.environ[env_name("backend")] = backend.value
    os.environ["SNAKEBATCH_HOST"] = host
    os.environ["SNAKEBATCH_PORT"] = str(port)
    os.environ["SNAKEBATCH_WORKERS"] = str(workers)
    config = GathererConfig.from_env()
    try:
        check_bind(host, KeyRing.load(config.api_keys, config.keys_file))
    except (InsecureBind, OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"serving {backend.value} backend on http://{host}:{port} with {workers} workers")
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:snakebatch.gatherer.gunicorn_conf"]
    os.execv(sys.executable, argv)


@app.command()
def apikey(
    name: Annotated[str, typer.Argument(help="Who the key is for (logs, rate limits).")],
    file: Annotated[Path, typer.Option("--file", "-f", help="Keys file to append the hash to.")],
) -> None:
    """Create an API key: prints it once and stores only its SHA-256 in the keys file."""
    from snakebatch.gatherer.auth import hash_key, new_key, parse_keys_file

    if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", name):
        typer.echo("error: name must be 1-64 characters of letters, digits, _ . @ -", err=True)
        raise typer.Exit(2)
    try:
        existing = parse_keys_file(file.read_text()) if file.exists() else {}
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    if name in existing.values():
        typer.echo(f"error: {file} already has a key named {name!r}", err=True)
        raise typer.Exit(2)
    key = new_key()
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as out:
        out.write(f"{name}:{hash_key(key)}\n")
    typer.echo(key)
