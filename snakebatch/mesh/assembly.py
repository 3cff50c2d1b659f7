"""Assembly: leaf reports → one model in the reference shape (pure, no I/O).

A layer's chain is the concatenation of its leaves' buckets. Inside a leaf the order
is the chain order (first match wins); between leaves any order routes the same,
because their paths exclude each other, so leaves are sorted by path (pre-order) to
make the same seed give a byte-identical ``model.json`` whatever order reports
arrived in. The assembler never trains anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from snakebatch.engine.model import BANNER, SnakeModel


class AssemblyError(ValueError):
    """The reports do not make a whole model (a layer missing or not covering every row)."""


def model_key(model_id: str, *, stripped: bool = False) -> str:
    return f"jobs/{model_id}/model{'_stripped' if stripped else ''}.json"


def order_leaves(leaves: Sequence[dict]) -> list[dict]:
    return sorted(leaves, key=lambda r: (r["order"], r["leaf_id"]))


def chain_of(leaves: Sequence[dict]) -> list[dict]:
    return [bucket for report in order_leaves(leaves) for bucket in report["buckets"]]


def check_layer(layer: int, leaves: Sequence[dict], n_rows: int) -> None:
    """Leaves of a layer partition the rows: their conditional cores cover each row once."""
    covered = sum(r["n_rows"] for r in leaves)
    if covered != n_rows:
        raise AssemblyError(f"layer {layer}: leaves cover {covered} rows of {n_rows}")


def assemble(
    *,
    header: list[str],
    datatypes: list[str],
    targets: list[Any],
    population: list[dict],
    config: dict[str, Any],
    tau: int,
    leaves_by_layer: Sequence[Sequence[dict]],
) -> SnakeModel:
    n_layers = config["n_layers"]
    if len(leaves_by_layer) != n_layers:
        raise AssemblyError(f"expected {n_layers} layers, got {len(leaves_by_layer)}")
    for layer, leaves in enumerate(leaves_by_layer):
        check_layer(layer, leaves, len(targets))
    layers = [chain_of(leaves) for leaves in leaves_by_layer]
    counts = ", ".join(
        f"{len(leaves)} leaves/{len(chain)} buckets"
        for leaves, chain in zip(leaves_by_layer, layers, strict=True)
    )
    log = (
        BANNER + f"Trained on the SnakeBatch mesh: {len(targets)} rows, {n_layers} layers "
        f"(tau={tau}, bucket={config['bucket']}); per layer: {counts}\n"
    )
    return SnakeModel(
        header=list(header),
        datatypes=list(datatypes),
        targets=list(targets),
        layers=layers,
        population=list(population),
        config=dict(config),
        log=log,
    )
