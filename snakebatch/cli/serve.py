"""``snakebatch serve``: the gatherer under gunicorn + uvicorn workers, as in production."""

from __future__ import annotations

import os
import sys
from enum import Enum

import typer

from snakebatch.cli.app import app


class BackendName(str, Enum):
    local = "local"
    aws = "aws"


@app.command()
def serve(
    backend: BackendName = typer.Option(BackendName.local, help="Mesh backend."),
    host: str = typer.Option("127.0.0.1", help="Bind address (non-loopback needs API keys)."),
    port: int = typer.Option(8080, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(2, min=1, max=64, help="Gunicorn worker processes."),
) -> None:
    """Serve the HTTP API, live grid and pages (gunicorn with uvicorn workers)."""
    from snakebatch.gatherer.auth import InsecureBind, KeyRing, check_bind
    from snakebatch.gatherer.config import GathererConfig
    from snakebatch.settings import env_name

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
