"""Validation pruning (§5.11): keep the layers that predict a labelled set best.

Rows are normalised like every other query (the reference scores them raw); the
comparison with the given target is plain ``==``, so ``"1"`` does not match ``1``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from snakebatch.engine.errors import ParameterError, QueryError
from snakebatch.engine.inference import CompiledModel, Entry
from snakebatch.engine.queries import as_mapping, batch_items, is_batch, normalise


def layer_vote(entries: Sequence[Entry], targets: Sequence[Any]) -> Any:
    """The most frequent vote of one layer; ties go to the vote reached first."""
    counts: dict[int, int] = {}
    first: dict[int, int] = {}
    for i, e in enumerate(entries):
        counts[e.klass] = counts.get(e.klass, 0) + 1
        first.setdefault(e.klass, i)
    best = max(counts, key=lambda k: (counts[k], -first[k]))
    return targets[entries[first[best]].row]


def layer_accuracies(compiled: CompiledModel, rows: Sequence[Mapping]) -> list[float]:
    model = compiled.model
    labelled = [r for r in rows if model.target in r]
    correct = [0] * len(compiled.chains)
    for row in labelled:
        x = normalise(row, model.header, model.datatypes)
        for layer in range(len(compiled.chains)):
            entries = compiled.layer_entries(layer, x)
            if entries and layer_vote(entries, model.targets) == row[model.target]:
                correct[layer] += 1
    if not labelled:
        return [0.0] * len(correct)
    return [c / len(labelled) for c in correct]


def layers_to_keep(accuracies: Sequence[float], pruning_coef: float) -> list[int]:
    """Indices of the best ``max(1, floor(L·coef))`` layers, in their original order."""
    if isinstance(pruning_coef, bool) or not isinstance(pruning_coef, int | float):
        raise QueryError(f"pruning_coef must be a number, got {type(pruning_coef).__name__}")
    if not math.isfinite(pruning_coef) or pruning_coef <= 0:
        raise ParameterError(f"pruning_coef must be a positive finite number, got {pruning_coef!r}")
    keep = max(1, math.floor(len(accuracies) * pruning_coef))
    ranked = sorted(range(len(accuracies)), key=lambda i: -accuracies[i])
    return sorted(ranked[:keep])


def validation_rows(xs: Any) -> list[Mapping]:
    """A single mapping counts as a batch of one; lists and frames are batches."""
    if not is_batch(xs):
        return [as_mapping(xs)]
    return [as_mapping(x) for x in batch_items(xs)]
