"""A model's shape at a glance, for ``snakebatch info`` and for logs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from snakebatch.engine.model import SnakeModel


def literal_types(model: SnakeModel) -> dict[str, int]:
    """How often each literal type appears, in routing conditions and clauses."""
    counts: Counter[str] = Counter()
    for chain in model.layers:
        for bucket in chain:
            for lit in bucket.get("condition") or []:
                counts[lit[3]] += 1
            for clause in bucket.get("clauses", []):
                counts.update(lit[3] for lit in clause)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def summarise(model: SnakeModel) -> dict[str, Any]:
    return {
        "version": model.version,
        "target": model.target,
        "features": len(model.header) - 1,
        "population": len(model.targets),
        "stripped": model.stripped,
        "layers": len(model.layers),
        "buckets_per_layer": [len(chain) for chain in model.layers],
        "clauses": sum(len(b.get("clauses", [])) for chain in model.layers for b in chain),
        "classes": model.class_index.keys,
        "literal_types": literal_types(model),
        "profile": model.config.get("oppose_profile"),
    }
