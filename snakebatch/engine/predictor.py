"""The serving API: a compiled model that answers single queries and batches.

:class:`Predictor` is the clean interface beside the reference-style ``Snake``
facade; both give identical answers. Batches go through the vectorised path, single
queries through the plain one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from snakebatch.engine.audit import audit_text
from snakebatch.engine.candles import Candle, compute_candle
from snakebatch.engine.columns import ColumnStore
from snakebatch.engine.errors import QueryError
from snakebatch.engine.inference import CompiledModel, Entry, labeled_list, lookalike_list
from snakebatch.engine.model import SnakeModel
from snakebatch.engine.modelio import load_model
from snakebatch.engine.queries import normalise
from snakebatch.engine.vectorised import BatchModel, MaskFn


@dataclass(frozen=True)
class Prediction:
    """One answer: the predicted class, the class probabilities and the confidence."""

    prediction: Any
    probability: dict[Any, float]
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "prediction": self.prediction,
            "probability": self.probability,
            "confidence": self.confidence,
        }


class Predictor:
    """Serves one model. Build it once; it precomputes per-bucket indexes and matrices."""

    def __init__(self, model: SnakeModel) -> None:
        self.model = model
        self.compiled = CompiledModel(model)
        self.batch_model = BatchModel(self.compiled)

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Predictor:
        return cls(load_model(path))

    # -- single queries (plain path) --------------------------------------------------

    def normalise(self, x: Any) -> dict[str, Any]:
        return normalise(x, self.model.header, self.model.datatypes)

    def entries(self, x: Any) -> list[Entry]:
        return self.compiled.entries(self.normalise(x))

    def answer(self, entries: Sequence[Entry]) -> Prediction:
        return self._answer(self.compiled.counts(entries))

    def _answer(self, counts: Sequence[int]) -> Prediction:
        index = self.model.class_index
        probability = index.probability(counts)
        best = index.best(counts)
        return Prediction(index.classes[best], probability, max(probability.values(), default=0.0))

    def predict_one(self, x: Any) -> Prediction:
        return self.answer(self.entries(x))

    def lookalikes(self, x: Any) -> list[list]:
        return lookalike_list(self.entries(x), self.model.targets)

    def lookalikes_labeled(self, x: Any) -> list[list]:
        return labeled_list(self.entries(x), self.model.targets)

    def candle(self, x: Any) -> Candle:
        targets = self.model.targets
        return compute_candle(targets[e.row] for e in self.entries(x))

    def audit(self, x: Any) -> str:
        return audit_text(self.compiled, self.normalise(x))

    # -- batches (vectorised path) ----------------------------------------------------

    def _batch(
        self, rows: Iterable[Any], want_entries: bool
    ) -> tuple[np.ndarray, list[list[Entry]] | None]:
        if isinstance(rows, Mapping) or not isinstance(rows, Iterable):
            raise QueryError("a batch is an iterable of queries; use predict_one for one query")
        normalised = [self.normalise(x) for x in rows]
        mask = self.masks(normalised)
        return self.batch_model.evaluate(normalised, mask, want_entries=want_entries)

    def masks(self, rows: list[dict[str, Any]]) -> MaskFn:
        """Literal masks over a batch: each distinct feature value is evaluated once."""
        return ColumnStore(self.model.header, self.model.datatypes, rows).mask

    def predict(self, rows: Iterable[Any]) -> list[Prediction]:
        counts, _ = self._batch(rows, want_entries=False)
        return [self._answer(c) for c in counts.tolist()]

    def batch_entries(self, rows: Iterable[Any]) -> list[list[Entry]]:
        _, per_row = self._batch(rows, want_entries=True)
        assert per_row is not None  # asked for
        return per_row

    def batch_counts(self, rows: Iterable[Any]) -> np.ndarray:
        counts, _ = self._batch(rows, want_entries=False)
        return counts
