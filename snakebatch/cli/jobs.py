"""``snakebatch jobs list|show|prune``: the local mesh's state directory.

Every ``train`` keeps its population, leaf reports and model copies under
``$SNAKEBATCH_HOME/store/jobs/<job id>/`` and a row in ``jobs.sqlite``; ``prune``
removes finished jobs older than a cutoff, files and rows together.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from snakebatch.backends.base import OPEN_STATES, JobRecord
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.cli import options as o
from snakebatch.cli.app import app
from snakebatch.cli.exits import NOT_FOUND, CliError, emit_json, note, reporting
from snakebatch.settings import Settings

jobs_app = typer.Typer(
    help="The local mesh's jobs under $SNAKEBATCH_HOME (default ~/.snakebatch): "
    "list, show, prune. `snakebatch info MODEL` prints the directory and its size.",
    no_args_is_help=True,
)
app.add_typer(jobs_app, name="jobs")

_AGE = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> float:
    """``7d``, ``12h``, ``30m``, ``90s``, ``2w`` → seconds."""
    match = _AGE.fullmatch(text.strip())
    if not match:
        raise CliError(f"--older-than must look like 7d, 12h, 30m, 90s or 2w, got {text!r}")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


def home_of(home: Path | None) -> Path:
    return home if home is not None else Settings.from_env().home


def _bytes(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def state_summary(home: Path | None) -> dict[str, Any]:
    where = home_of(home)
    return {"home": str(where), "bytes": _bytes(where)}


def _job_dir(home: Path, model_id: str) -> Path:
    return home / "store" / "jobs" / model_id


def _store(home: Path) -> SqliteJobStore:
    path = home / "jobs.sqlite"
    if not path.is_file():
        raise CliError(f"no local jobs yet: {path} does not exist", NOT_FOUND)
    return SqliteJobStore(path)


def _row(home: Path, job: JobRecord) -> dict[str, Any]:
    return job.to_dict() | {"bytes": _bytes(_job_dir(home, job.model_id))}


@jobs_app.command("list")
def jobs_list(home: o.Home = None, as_json: o.Json = False) -> None:
    """Every local job, oldest first: id, state, age, rows, size on disk."""
    with reporting():
        where = home_of(home)
        store = _store(where)
        rows = [_row(where, store.get(i)) for i in store.all_ids()]
    state = state_summary(home)
    if as_json:
        emit_json({"state": state, "jobs": rows})
        return
    note(f"state: {state['home']} ({state['bytes']:,} bytes)")
    now = time.time()
    for r in rows:
        age_h = (now - r["created_at"]) / 3600
        typer.echo(
            f"{r['model_id']}  {r['state']:<8} {age_h:8.1f} h  {r['n_rows']:>9,} rows  "
            f"{r['bytes']:>12,} bytes"
        )


@jobs_app.command("show")
def jobs_show(
    job_id: Annotated[str, typer.Argument(metavar="JOB_ID", help="A job id from `jobs list`.")],
    home: o.Home = None,
    as_json: o.Json = False,
) -> None:
    """One job: state, parameters, timings, error, files."""
    with reporting():
        where = home_of(home)
        row = _row(where, _store(where).get(job_id))
    row["files"] = str(_job_dir(where, job_id))
    if as_json:
        emit_json(row)
        return
    for key, value in row.items():
        typer.echo(f"{key + ':':<13} {value}")


@jobs_app.command("prune")
def jobs_prune(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age cutoff: 7d, 12h, 30m, 90s, 2w.")
    ] = "7d",
    home: o.Home = None,
    dry_run: o.DryRun = False,
    as_json: o.Json = False,
) -> None:
    """Remove finished jobs (done or failed) older than the cutoff: rows and files.
    Queued or running jobs are never removed."""
    with reporting():
        cutoff = time.time() - parse_age(older_than)
        where = home_of(home)
        store = _store(where)
        old = [
            job
            for job in map(store.get, store.all_ids())
            if job.state not in OPEN_STATES and job.created_at < cutoff
        ]
        freed = sum(_bytes(_job_dir(where, j.model_id)) for j in old)
        if not dry_run:
            for job in old:
                shutil.rmtree(_job_dir(where, job.model_id), ignore_errors=True)
                store.delete(job.model_id)
    ids = [j.model_id for j in old]
    result = {"dry_run": dry_run, "pruned": ids, "bytes_freed": freed, "home": str(where)}
    if as_json:
        emit_json(result)
        return
    verb = "would remove" if dry_run else "removed"
    typer.echo(f"{verb} {len(ids)} job(s), {freed:,} bytes, from {where}")
