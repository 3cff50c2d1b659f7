"""Training (spec §4): ingest, resolve, build and verify layers, return a ``SnakeModel``.

Layers are independent restarts. Layer ``j`` draws from its own ``random.Random``
seeded from ``sha256(seed, j)``, so a layer's content depends only on the data, the
parameters, the seed and ``j`` — never on the worker count, the worker that built it
or completion order; parallel layers are assembled in index order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import random
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from snakebatch.engine.chain import build_chain
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.errors import EmptyDataError
from snakebatch.engine.model import BANNER, SnakeModel
from snakebatch.engine.params import PARAMS, check_all, model_config

DEFAULT_FILE = "snakeclassifier.json"
Progress = Callable[[dict], None]


def layer_seed(seed: int, layer: int) -> int:
    digest = hashlib.sha256(f"snakebatch-layer:{seed}:{layer}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def check_parameters(
    n_layers: int, bucket: int, noise: float, lookahead: int, workers: int, seed: int | None = None
) -> None:
    """``ParameterError`` unless every value is within the bounds of ``engine.params``."""
    check_all(
        {"n_layers": n_layers, "bucket": bucket, "noise": noise, "lookahead": lookahead}
        | {"workers": workers}
        | ({} if seed is None else {"seed": seed})
    )


def train_layer(
    ds: Dataset,
    layer: int,
    *,
    seed: int,
    bucket: int,
    noise: float,
    lookahead: int,
    on_bucket: Callable[[int, int], None] | None = None,
) -> list[dict]:
    rng = random.Random(layer_seed(seed, layer))
    return build_chain(
        ds,
        np.arange(ds.n),
        bucket=bucket,
        noise=noise,
        lookahead=lookahead,
        rng=rng,
        on_bucket=on_bucket,
    )


_WORKER_DS: Dataset | None = None


def _worker_layer(args: tuple[int, int, int, float, int]) -> list[dict]:
    layer, seed, bucket, noise, lookahead = args
    assert _WORKER_DS is not None  # set by fork before the pool starts
    return train_layer(
        _WORKER_DS, layer, seed=seed, bucket=bucket, noise=noise, lookahead=lookahead
    )


def _parallel_layers(ds: Dataset, n_layers: int, workers: int, params: dict, done: Callable):
    """Layers in forked workers that inherit ``ds``; results kept in index order."""
    global _WORKER_DS
    _WORKER_DS = ds
    try:
        ctx = multiprocessing.get_context("fork")
        jobs = [
            (j, params["seed"], params["bucket"], params["noise"], params["lookahead"])
            for j in range(n_layers)
        ]
        layers: list[list[dict] | None] = [None] * n_layers
        with ctx.Pool(min(workers, n_layers)) as pool:
            for j, chain in enumerate(pool.imap(_worker_layer, jobs)):
                layers[j] = chain
                done(j, chain)
        return layers
    finally:
        _WORKER_DS = None


class Log:
    """The model's training log; timings are printed, never saved, so that a fixed seed
    gives a byte-identical model file."""

    def __init__(self, vocal: bool | int) -> None:
        self.lines = [BANNER.rstrip("\n")]
        self.vocal = vocal

    def __call__(self, line: str, timing: str = "") -> None:
        self.lines.append(line)
        if self.vocal:
            print(line + timing, flush=True)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _write_progress(path: str | os.PathLike | None, payload: dict) -> None:
    if not path:
        return
    with contextlib.suppress(OSError):  # progress is advisory (spec §4.11)
        Path(path).write_text(json.dumps(payload))


def fit(
    knowledge: Any,
    *,
    target_index: int | str = 0,
    excluded_features_index: Sequence[int | str] = (),
    n_layers: int = PARAMS["n_layers"].default,
    bucket: int = PARAMS["bucket"].default,
    noise: float = PARAMS["noise"].default,
    vocal: bool | int = False,
    saved: bool = False,
    progress_file: str | os.PathLike | None = None,
    workers: int = 1,
    oppose_profile: str = PARAMS["profile"].default,
    lookahead: int = PARAMS["lookahead"].default,
    datatypes: Sequence[str] | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> SnakeModel:
    """Train a Snake model; the same data, parameters and ``seed`` give the same layers."""
    check_parameters(n_layers, bucket, noise, lookahead, workers, seed)
    if seed is None:
        seed = secrets.randbits(63)
    log = Log(vocal)
    start = time.perf_counter()
    ds = (
        knowledge
        if isinstance(knowledge, Dataset)
        else Dataset.from_source(
            knowledge,
            target=target_index,
            excluded=excluded_features_index,
            datatypes=datatypes,
            profile=oppose_profile,
            seed=seed,
        )
    )
    if ds.n == 0:
        raise EmptyDataError("the training data has no rows")
    for note in ds.notes:
        log(note)
    log(
        f"population {ds.n} rows, {len(ds.header) - 1} features, {len(ds.classes)} classes; "
        f"datatypes {''.join(ds.datatypes)}; profile {ds.profile}; seed {seed}"
    )
    emit = progress or (lambda event: None)
    params: dict[str, Any] = {
        "seed": seed,
        "bucket": bucket,
        "noise": noise,
        "lookahead": lookahead,
    }

    def layer_done(j: int, chain: list[dict]) -> None:
        elapsed = time.perf_counter() - start
        eta = elapsed / (j + 1) * (n_layers - j - 1)
        n_clauses = sum(len(b["clauses"]) for b in chain)
        log(
            f"layer {j + 1}/{n_layers}: {len(chain)} buckets, {n_clauses} clauses",
            f", {elapsed:.2f}s",
        )
        emit({"event": "layer", "layer": j + 1, "n_layers": n_layers, "elapsed": elapsed})
        _write_progress(
            progress_file,
            {"layer": j + 1, "n_layers": n_layers, "elapsed_seconds": elapsed, "eta_seconds": eta},
        )

    if workers > 1 and n_layers > 1 and "fork" in multiprocessing.get_all_start_methods():
        layers = _parallel_layers(ds, n_layers, workers, params, layer_done)
    else:
        layers = []
        for j in range(n_layers):

            def on_bucket(k: int, total: int, j: int = j) -> None:
                emit({"event": "bucket", "layer": j + 1, "bucket": k, "n_buckets": total})

            chain = train_layer(ds, j, on_bucket=on_bucket, **params)
            layers.append(chain)
            layer_done(j, chain)
    log(f"trained {n_layers} layers", f" in {time.perf_counter() - start:.2f}s")
    model = SnakeModel(
        header=ds.header,
        datatypes=ds.datatypes,
        targets=ds.targets,
        layers=layers,
        population=ds.rows,
        config=model_config(
            n_layers=n_layers,
            bucket=bucket,
            noise=noise,
            vocal=vocal,
            workers=workers,
            oppose_profile=ds.profile,
            lookahead=lookahead,
            seed=seed,
        ),
        log=log.text(),
    )
    if saved:
        from snakebatch.engine.modelio import save_model

        save_model(model, DEFAULT_FILE)
    return model
