"""``snakebatch fit``: train in this process, with a progress bar; ``train`` is the
same command on the local mesh. Errors exit with the codes of ``cli.exits``."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from snakebatch.cli import options as o
from snakebatch.cli.app import app
from snakebatch.cli.exits import reporting
from snakebatch.cli.training import (
    check_paths,
    report,
    require_two_classes,
    result_document,
    stripped_path,
)
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.modelio import save_model
from snakebatch.engine.train import fit


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
    data: o.Data,
    target: o.Target,
    out: o.Out = o.DEFAULT_OUT,
    layers: o.Layers = o.DEFAULTS["n_layers"],
    bucket: o.Bucket = o.DEFAULTS["bucket"],
    noise: o.Noise = o.DEFAULTS["noise"],
    lookahead: o.Lookahead = o.DEFAULTS["lookahead"],
    seed: o.Seed = o.DEFAULTS["seed"],
    workers: o.Workers = o.DEFAULTS["workers"],
    oppose_profile: o.Profile = o.DEFAULTS["profile"],
    exclude: o.Exclude = None,
    as_json: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Train a Snake model in this process; write it and its stripped copy beside it."""
    console = Console(stderr=True)
    start = time.perf_counter()
    with reporting():
        check_paths(data, out)
        ds = Dataset.from_source(
            str(data),
            target=o.column_ref(target),
            excluded=[o.column_ref(e) for e in exclude or []],
            profile=oppose_profile,
            seed=seed,
        )
        require_two_classes(list(ds.classes.keys), target)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet or not console.is_terminal,
            transient=True,
        ) as progress:
            model = fit(
                ds,
                n_layers=layers,
                bucket=bucket,
                noise=noise,
                seed=seed,
                workers=workers,
                lookahead=lookahead,
                progress=Bar(progress, layers),
            )
        save_model(model, out)
        save_model(model, stripped_path(out), stripped=True)
    wall = time.perf_counter() - start
    n_buckets = sum(len(chain) for chain in model.layers)
    params = {
        "n_layers": layers,
        "bucket": bucket,
        "noise": noise,
        "lookahead": lookahead,
        "seed": seed,
        "workers": workers,
        "oppose_profile": model.config["oppose_profile"],
        "target": target,
        "exclude": exclude or [],
    }
    result = result_document(
        job_id=None,
        command="fit",
        params=params,
        out=out,
        rows=len(model.targets),
        layers=len(model.layers),
        buckets=n_buckets,
        timings={"wall_s": round(wall, 3)},
    )
    report(
        result,
        as_json,
        [
            f"wrote {out} (+ {stripped_path(out).name}): population {len(model.targets)}, "
            f"layers {len(model.layers)}, buckets {n_buckets}, "
            f"profile {params['oppose_profile']}, seed {seed}, {wall:.2f}s"
        ],
    )
