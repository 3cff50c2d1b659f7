"""``snakebatch fit``: train a model from a CSV file, with a progress bar.

Bad input (unknown file, unknown target, empty data, bad parameters) ends with a
one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from snakebatch.cli.app import app
from snakebatch.engine.errors import SnakeError
from snakebatch.engine.modelio import save_model
from snakebatch.engine.train import fit


def column_ref(text: str) -> int | str:
    """A column given on the command line: a position when it is an integer, else a name."""
    try:
        return int(text)
    except ValueError:
        return text


class Bar:
    """Turns training progress events into a layers bar and a buckets bar."""

    def __init__(self, progress: Progress, n_layers: int) -> None:
        self.progress = progress
        self.layers = progress.add_task("layers", total=n_layers)
        self.buckets = progress.add_task("buckets (layer 1)", total=None)

    def __call__(self, event: dict) -> None:
        if event["event"] == "bucket":
            self.progress.update(
                self.buckets,
                description=f"buckets (layer {event['layer']})",
                total=event["n_buckets"],
                completed=event["bucket"],
            )
        elif event["event"] == "layer":
            self.progress.update(self.layers, completed=event["layer"])


@app.command("fit")
def fit_command(
    data: Annotated[Path, typer.Argument(help="training CSV (.csv or .csv.gz)")],
    target: Annotated[str, typer.Option(help="target column: name or 0-based position")] = "0",
    output: Annotated[Path, typer.Option("--output", "-o", help="model file to write")] = Path(
        "snakeclassifier.json"
    ),
    layers: Annotated[int, typer.Option(help="number of layers")] = 5,
    bucket: Annotated[int, typer.Option(help="bucket size parameter")] = 250,
    noise: Annotated[float, typer.Option(help="noise ratio in [0, 1]")] = 0.25,
    profile: Annotated[str, typer.Option(help="oppose profile, or auto")] = "auto",
    seed: Annotated[int | None, typer.Option(help="random seed (reproducible training)")] = None,
    workers: Annotated[int, typer.Option(help="processes building layers")] = 1,
    lookahead: Annotated[int, typer.Option(help="candidate literals per pick")] = 5,
    exclude: Annotated[
        list[str] | None, typer.Option(help="column to leave out (name or position); repeatable")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Train a Snake model from a CSV file and write it as JSON."""
    console = Console(stderr=True)
    start = time.perf_counter()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
            transient=True,
        ) as progress:
            model = fit(
                str(data),
                target_index=column_ref(target),
                excluded_features_index=[column_ref(e) for e in exclude or []],
                n_layers=layers,
                bucket=bucket,
                noise=noise,
                oppose_profile=profile,
                seed=seed,
                workers=workers,
                lookahead=lookahead,
                progress=Bar(progress, layers),
            )
        save_model(model, output)
    except (SnakeError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    n_buckets = sum(len(chain) for chain in model.layers)
    typer.echo(
        f"wrote {output}: population {len(model.targets)}, layers {len(model.layers)}, "
        f"buckets {n_buckets}, profile {model.config['oppose_profile']}, "
        f"{time.perf_counter() - start:.2f}s"
    )
