"""What ``fit`` and ``train`` share: checks before training, where the models go, and
the report both print, so the two commands differ only in where training runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from snakebatch.cli.exits import FAILED, NOT_FOUND, CliError, emit_json


def stripped_path(out: Path) -> Path:
    """``model.json`` → ``model_stripped.json`` beside it."""
    return out.with_name(f"{out.stem}_stripped{out.suffix}")


def check_paths(data: Path, out: Path) -> None:
    """Fail before any training: no data, or no place to write the models."""
    if not data.is_file():
        raise CliError(f"no such file: {data}", NOT_FOUND)
    if out.is_dir():
        raise CliError(f"--out is a directory: {out}; name a file such as {out / 'model.json'}")
    out.parent.mkdir(parents=True, exist_ok=True)


def require_two_classes(classes: list[Any], target: str) -> None:
    if len(classes) < 2:
        only = classes[0] if classes else "none"
        raise CliError(
            f"target {target!r} has a single class ({only}); a classifier needs at least two",
            FAILED,
        )


def report(result: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    """The result: one JSON document, or plain lines (no boxes, so pipes see one line
    per fact whatever the terminal width), then the next commands to run."""
    if as_json:
        emit_json(result)
        return
    for line in lines:
        typer.echo(line)
    out = Path(result["paths"]["model"])
    typer.echo(
        f"next: snakebatch predict {stripped_path(out)} --rows DATA.csv | snakebatch info {out}",
        err=True,
    )


def result_document(
    *, job_id: str | None, command: str, params: dict[str, Any], out: Path, **facts: Any
) -> dict[str, Any]:
    """The ``--json`` document of a training command: job id, seed, parameters,
    timings and paths (``facts`` adds the command's own figures)."""
    return {
        "command": command,
        "job_id": job_id,
        "seed": params["seed"],
        "parameters": params,
        "paths": {"model": str(out), "stripped": str(stripped_path(out))},
        **facts,
    }
