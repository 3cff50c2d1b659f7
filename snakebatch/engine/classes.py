"""The class list of a model: distinct target values, their order, their keys (§5.4–§5.5).

Probabilities are reported over the sorted distinct values of the *whole* target list,
so this is computed once per model, together with the class position of every
training row, which turns vote counting into integer indexing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def canonical_json(value: Any) -> str:
    """The canonical JSON text of a ``J`` class: sorted keys, ``", "`` / ``": "``, ASCII."""
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), ensure_ascii=True)


def is_structured(value: Any) -> bool:
    return isinstance(value, dict | list)


def _identity_key(value: Any) -> Any:
    """A hashable key under which equal targets (``1 == 1.0 == True``) collide.

    Mappings and lists use their canonical JSON; every NaN is one class, a choice of
    this engine (NaN never equals itself, so the reference cannot count its votes).
    """
    if is_structured(value):
        return ("json", canonical_json(value))
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return ("value", value)


def _order(values: list[Any]) -> list[Any]:
    """Native order; else mappings/lists by canonical JSON; else by type name then text.

    The reference raises at the third step; answering with a deterministic order is
    this engine's documented choice.
    """
    try:
        return sorted(values)
    except TypeError:
        pass
    try:
        return sorted(values, key=lambda v: canonical_json(v) if is_structured(v) else v)
    except TypeError:
        pass
    return sorted(
        values,
        key=lambda v: (type(v).__name__, canonical_json(v) if is_structured(v) else repr(v)),
    )


@dataclass(frozen=True)
class ClassIndex:
    """Sorted classes, their probability keys, and the class position of each target."""

    classes: tuple[Any, ...]
    keys: tuple[Any, ...]
    of_target: tuple[int, ...]

    @classmethod
    def from_targets(cls, targets: Sequence[Any]) -> ClassIndex:
        first: dict[Any, Any] = {}
        target_keys = []
        for t in targets:
            k = _identity_key(t)
            first.setdefault(k, t)
            target_keys.append(k)
        classes = _order(list(first.values()))
        position = {_identity_key(c): i for i, c in enumerate(classes)}
        structured = any(is_structured(c) for c in classes)
        keys = tuple(canonical_json(c) if structured and is_structured(c) else c for c in classes)
        return cls(tuple(classes), keys, tuple(position[k] for k in target_keys))

    def __len__(self) -> int:
        return len(self.classes)

    def probability(self, counts: Sequence[int]) -> dict[Any, float]:
        """Votes per class → probability mapping; uniform only when there are no votes."""
        total = sum(counts)
        if total == 0:
            share = 1 / len(self.classes) if self.classes else 0.0
            return dict.fromkeys(self.keys, share)
        return {k: c / total for k, c in zip(self.keys, counts, strict=True)}

    def best(self, counts: Sequence[int]) -> int:
        """Position of the predicted class: the first class with the most votes."""
        best = 0
        for i, c in enumerate(counts):
            if c > counts[best]:
                best = i
        return best
