"""``snakebatch train``: ``fit``'s grammar, trained through the local mesh, with live
progress; ends with the same report as ``fit`` plus the mesh's figures."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from snakebatch.backends.base import BackendError, JobStore
from snakebatch.backends.factory import open_backend
from snakebatch.backends.local import LocalBackend
from snakebatch.cli import options as o
from snakebatch.cli.app import app
from snakebatch.cli.exits import FAILED, CliError, note, reporting
from snakebatch.cli.training import check_paths, report, result_document, stripped_path
from snakebatch.mesh.coordinator import (
    Coordinator,
    JobStatus,
    JobTimeout,
    TrainParams,
)
from snakebatch.mesh.errors import MeshError
from snakebatch.settings import Settings

console = Console(stderr=True)


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


def _abandon(coord: Coordinator, backend: LocalBackend, model_id: str, reason: str) -> str:
    """A run given up on: fail the job, drop its queued work, say exactly that."""
    coord.jobs.finish(model_id, "failed", error=reason, at=time.time())
    dropped = backend.drop_job(model_id)
    return (
        f"{reason}: job {model_id} marked failed, {dropped} queued invocation(s) and "
        "report(s) dropped, no model written"
    )


def _open_local(home: Path | None, workers: int) -> tuple[LocalBackend, JobStore]:
    """The local mesh through the one ``open_backend``: ``train`` always runs locally
    (whatever ``$SNAKEBATCH_BACKEND`` says), in ``--home`` when given."""
    settings = Settings.from_env()
    local = replace(settings, backend="local", home=home or settings.home)
    backend, jobs = open_backend(local, workers=workers)
    assert isinstance(backend, LocalBackend)  # narrows the Backend port for drop_job
    return backend, jobs


def _mesh_facts(coord: Coordinator, status: JobStatus, wall: float) -> dict[str, Any]:
    leaves = coord.jobs.leaves(status.model_id)
    stats = status.backend_stats
    return {
        "rows": status.n_rows,
        "layers": status.n_layers,
        "leaves_per_layer": status.leaves_per_layer,
        "buckets": sum(e.n_buckets for e in leaves),
        "peak_concurrency": stats.get("peak_concurrency", 0),
        "largest_event_bytes": stats.get("largest_event_bytes", 0),
        "invocations": stats.get("invocations", 0),
        "timings": {"wall_s": round(wall, 3)}
        | {k: round(v, 3) for k, v in status.timings.items() if k != "wall_s"},
    }


def _lines(result: dict[str, Any]) -> list[str]:
    t = result["timings"]
    overhead = sum(t.get(k, 0.0) for k in ("staging_s", "fanout_s", "assembly_s"))
    paths = result["paths"]
    return [
        f"model             {paths['model']} (+ {Path(paths['stripped']).name})",
        f"job               {result['job_id']}, seed {result['seed']}",
        f"rows x layers     {result['rows']:,} x {result['layers']}",
        f"wall time         {t['wall_s']:.2f} s with {result['parameters']['workers']} worker(s)",
        f"leaves            {', '.join(map(str, result['leaves_per_layer']))}",
        f"buckets           {result['buckets']}",
        f"peak concurrency  {result['peak_concurrency']}",
        f"invocations       {result['invocations']:,}",
        f"mesh overhead     staging {t.get('staging_s', 0):.2f} s, fan-out "
        f"{t.get('fanout_s', 0):.3f} s, assembly {t.get('assembly_s', 0):.2f} s "
        f"({100 * overhead / max(t['wall_s'], 1e-9):.0f}% of wall)",
    ]


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold blue]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[leaves]}"),
        TextColumn("{task.fields[layers]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )


@app.command("train")
def train(
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
    tau: o.Tau = o.DEFAULTS["tau"],
    completion: o.Completion = o.DEFAULTS["completion"],
    home: o.Home = None,
    timeout: o.Timeout = None,
    as_json: o.Json = False,
    quiet: o.Quiet = False,
) -> None:
    """Train a Snake model through the local mesh (divide → leaf → assemble); write it
    and its stripped copy beside it."""
    with reporting():
        check_paths(data, out)
        params = TrainParams(
            n_layers=layers,
            tau=tau,
            bucket=bucket,
            noise=noise,
            seed=seed,
            completion=completion,
            profile=oppose_profile,
            lookahead=lookahead,
        )
        backend, jobs = _open_local(home, workers)
        coord = Coordinator(backend, jobs)
        backend.stats_table.reset()
        t0 = time.monotonic()
        with backend, _progress(quiet) as progress:
            live = _Live(progress, params)
            model_id = coord.submit(
                str(data),
                target=o.column_ref(target),
                params=params,
                excluded=[o.column_ref(e) for e in exclude or []],
            )
            try:
                status = coord.run(model_id, on_progress=live, timeout_s=timeout)
            except JobTimeout:
                why = f"timed out after {timeout:g} s"
                raise CliError(_abandon(coord, backend, model_id, why), FAILED) from None
            except KeyboardInterrupt:
                note(_abandon(coord, backend, model_id, "interrupted"))
                raise
            except (MeshError, BackendError) as exc:
                _abandon(coord, backend, model_id, str(exc))
                raise
        wall = time.monotonic() - t0
        if status.state != "done":
            backend.drop_job(model_id)
            raise CliError(f"training failed: job {model_id}: {status.error}", FAILED)
        out.write_bytes(coord.model_bytes(model_id))
        stripped_path(out).write_bytes(coord.model_bytes(model_id, stripped=True))
    used = {
        "n_layers": layers,
        "bucket": bucket,
        "noise": noise,
        "lookahead": lookahead,
        "seed": seed,
        "workers": workers,
        "oppose_profile": coord.jobs.get(model_id).params["oppose_profile"],
        "target": target,
        "exclude": exclude or [],
        "tau": tau,
        "completion": completion,
    }
    result = result_document(
        job_id=model_id,
        command="train",
        params=used,
        out=out,
        home=str(backend.home),
        **_mesh_facts(coord, status, wall),
    )
    report(result, as_json, _lines(result))
