"""``snakebatch train``: train through the local mesh, with live progress and a summary."""

from __future__ import annotations

import math
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from snakebatch.backends.base import BackendError
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.cli.app import app
from snakebatch.engine.errors import SnakeError
from snakebatch.mesh.coordinator import Coordinator, CoordinatorError, JobStatus, TrainParams
from snakebatch.mesh.staging import StagingError

console = Console(stderr=True)


class Completion(StrEnum):
    queue = "queue"
    conquer = "conquer"


def stripped_path(out: Path) -> Path:
    """``model.json`` → ``model_stripped.json`` beside it."""
    return out.with_name(f"{out.stem}_stripped{out.suffix}")


class _Live:
    """Feeds the rich progress bar from ``JobStatus`` snapshots."""

    def __init__(self, progress: Progress, params: TrainParams) -> None:
        self.progress = progress
        self.params = params
        self.task = progress.add_task("staging", total=None, leaves="", layers="", rate="")
        self.started = time.monotonic()

    def __call__(self, status: JobStatus) -> None:
        total = status.n_rows * status.n_layers
        covered = sum(status.rows_covered_per_layer)
        leaves = sum(status.leaves_per_layer)
        if covered:
            expected = max(leaves, round(leaves * total / covered))
        else:
            expected = status.n_layers * math.ceil(max(status.n_rows, 1) / self.params.tau)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        layers = " ".join(
            f"{100 * c / status.n_rows:3.0f}%" if status.n_rows else "  0%"
            for c in status.rows_covered_per_layer
        )
        self.progress.update(
            self.task,
            description="training",
            total=total or None,
            completed=covered,
            leaves=f"leaves {leaves}/~{expected}",
            layers=f"layers [{layers}]",
            rate=f"{covered / elapsed:,.0f} rows/s",
        )


def _summary(coord: Coordinator, status: JobStatus, out: Path, workers: int, wall: float) -> Table:
    leaves = coord.jobs.leaves(status.model_id)
    stats = status.backend_stats
    t = status.timings
    table = Table(title="Trained on the local mesh", show_header=False, title_style="bold green")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("model", f"{out}  (+ {stripped_path(out).name})")
    table.add_row("rows × layers", f"{status.n_rows:,} × {status.n_layers}")
    table.add_row("wall time", f"{wall:.2f} s with {workers} worker process(es)")
    table.add_row("leaves", f"{len(leaves)}  ({', '.join(map(str, status.leaves_per_layer))})")
    table.add_row("buckets", f"{sum(e.n_buckets for e in leaves)}")
    table.add_row("peak concurrency", str(stats.get("peak_concurrency", 0)))
    table.add_row("largest event", f"{stats.get('largest_event_bytes', 0):,} bytes")
    table.add_row("invocations", f"{stats.get('invocations', 0):,}")
    overhead = sum(t.get(k, 0.0) for k in ("staging_s", "fanout_s", "assembly_s"))
    table.add_row(
        "mesh overhead",
        f"staging {t.get('staging_s', 0):.2f} s, fan-out {t.get('fanout_s', 0):.3f} s, "
        f"assembly {t.get('assembly_s', 0):.2f} s ({100 * overhead / max(wall, 1e-9):.0f}% of wall)",
    )
    return table


def _abandon(coord: Coordinator, backend: LocalBackend, model_id: str, why: BaseException) -> None:
    """A run the user gave up on: fail the job and drop its queued work."""
    reason = "interrupted" if isinstance(why, KeyboardInterrupt) else str(why)
    coord.jobs.finish(model_id, "failed", error=reason, at=time.time())
    backend.drop_job(model_id)


@app.command("train")
def train(
    data: Annotated[Path, typer.Argument(help="Training data: .csv, .csv.gz or .json rows.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Name of the target column.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the model.")] = Path(
        "model.json"
    ),
    layers: Annotated[int, typer.Option("--layers", "-L", min=1, help="Layers.")] = 5,
    tau: Annotated[
        int, typer.Option(min=1, help="Rows at or below which a slice is a leaf.")
    ] = 1000,
    bucket: Annotated[int, typer.Option("--bucket", "-b", min=1, help="Bucket size.")] = 250,
    noise: Annotated[
        float,
        typer.Option(
            help="Noise members per bucket as a share of its core, in [0, 1), drawn from "
            "the whole population (0 leaves single-class leaves without clauses)."
        ),
    ] = 0.25,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes.")] = 2,
    seed: Annotated[int, typer.Option(help="The same seed gives the same model.")] = 0,
    completion: Annotated[Completion, typer.Option(help="queue or conquer.")] = Completion.queue,
    profile: Annotated[str, typer.Option(help="Oppose profile; auto resolves once.")] = "auto",
    home: Annotated[
        Path | None,
        typer.Option(help="Mesh directory (default $SNAKEBATCH_HOME or ~/.snakebatch)."),
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Give up after this many seconds.")] = None,
) -> None:
    """Train a Snake model through the local mesh (divide → leaf → assemble)."""
    if not data.is_file():
        console.print(f"[red]error:[/] no such file: {data}")
        raise typer.Exit(1)
    try:
        params = TrainParams(
            n_layers=layers,
            tau=tau,
            bucket=bucket,
            noise=noise,
            seed=seed,
            completion=completion.value,
            profile=profile,
        )
        backend = LocalBackend(home, workers=workers)
        coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
        backend.stats_table.reset()
        t0 = time.monotonic()
        with backend:
            progress = Progress(
                TextColumn("[bold blue]{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[leaves]}"),
                TextColumn("{task.fields[layers]}"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            with progress:
                live = _Live(progress, params)
                model_id = coord.submit(str(data), target=target, params=params)
                try:
                    status = coord.run(model_id, on_progress=live, timeout_s=timeout)
                except (CoordinatorError, BackendError, KeyboardInterrupt) as exc:
                    _abandon(coord, backend, model_id, exc)
                    raise
        wall = time.monotonic() - t0
        if status.state != "done":
            backend.drop_job(model_id)
            console.print(f"[red]training failed:[/] {status.error}")
            raise typer.Exit(1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(coord.model_bytes(model_id))
        stripped_path(out).write_bytes(coord.model_bytes(model_id, stripped=True))
    except (SnakeError, StagingError, CoordinatorError, BackendError, OSError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    Console().print(_summary(coord, status, out, workers, wall))
    Console().print(
        f"Next: [bold]snakebatch predict {stripped_path(out)} --rows DATA.csv[/] "
        f"or [bold]snakebatch info {out}[/]"
    )
