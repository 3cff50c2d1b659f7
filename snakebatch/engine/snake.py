"""``Snake``: the reference library's Python surface over this engine (spec §6.1).

Users of the reference keep their code: ``Snake("model.json")`` loads,
``Snake(data, ...)`` trains (through :func:`snakebatch.engine.train.fit`), and the
``get_*`` methods accept one query, a list of queries or a DataFrame. Everything
here delegates to :class:`Predictor`, :mod:`modelio` and :mod:`validation`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from snakebatch.engine.audit import require_population
from snakebatch.engine.candles import Candle, compute_candle
from snakebatch.engine.errors import ModelFormatError, UnsupportedError
from snakebatch.engine.inference import labeled_list, lookalike_list
from snakebatch.engine.literals import clause_holds, holds
from snakebatch.engine.model import SnakeModel
from snakebatch.engine.modelio import check_literal, load_model, save_model
from snakebatch.engine.params import PARAMS
from snakebatch.engine.predictor import Prediction, Predictor
from snakebatch.engine.queries import as_mapping, batch_items, is_batch
from snakebatch.engine.synthetic import summarise_batch
from snakebatch.engine.validation import layer_accuracies, layers_to_keep, validation_rows

DEFAULT_FILE = "snakeclassifier.json"


class Snake:
    """A Snake model: load it from JSON, or train it from data; then query it."""

    def __init__(
        self,
        Knowledge: Any,  # the reference keyword, kept for drop-in use
        target_index: int | str = 0,
        excluded_features_index: Sequence[int] = (),
        n_layers: int = PARAMS["n_layers"].default,
        bucket: int = PARAMS["bucket"].default,
        noise: float = PARAMS["noise"].default,
        vocal: bool | int = False,
        saved: bool = False,
        progress_file: str | None = None,
        workers: int = 1,
        oppose_profile: str = "auto",
        lookahead: int = 5,
        datatypes: Sequence[str] | None = None,
        seed: int | None = None,
    ) -> None:
        if isinstance(Knowledge, SnakeModel):
            model = Knowledge
        elif is_model_path(Knowledge):
            model = load_model(
                Knowledge, n_layers=n_layers, bucket=bucket, noise=noise, vocal=vocal
            )
        else:
            from snakebatch.engine.train import fit  # training is engine II; load it lazily

            model = fit(
                Knowledge,
                target_index=target_index,
                excluded_features_index=excluded_features_index,
                n_layers=n_layers,
                bucket=bucket,
                noise=noise,
                vocal=vocal,
                saved=saved,
                progress_file=progress_file,
                workers=workers,
                oppose_profile=oppose_profile,
                lookahead=lookahead,
                datatypes=datatypes,
                seed=seed,
            )
        self._use(model)

    def _use(self, model: SnakeModel) -> None:
        self.model = model
        self.predictor = Predictor(model)

    # -- attributes of the reference ----------------------------------------------------

    population = property(lambda self: self.model.population)
    header = property(lambda self: self.model.header)
    target = property(lambda self: self.model.target)
    targets = property(lambda self: self.model.targets)
    datatypes = property(lambda self: self.model.datatypes)
    layers = property(lambda self: self.model.layers)
    config = property(lambda self: self.model.config)
    n_layers = property(lambda self: self.model.config.get("n_layers", len(self.model.layers)))
    bucket = property(lambda self: self.model.config.get("bucket"))
    noise = property(lambda self: self.model.config.get("noise"))
    vocal = property(lambda self: self.model.config.get("vocal"))
    workers = property(lambda self: self.model.config.get("workers"))
    oppose_profile = property(lambda self: self.model.config.get("oppose_profile"))
    lookahead = property(lambda self: self.model.config.get("lookahead"))

    @property
    def classes(self) -> list[Any]:
        return self.model.classes

    @property
    def log(self) -> str:
        return self.model.log

    @log.setter
    def log(self, text: str) -> None:
        self.model.log = str(text)

    def __repr__(self) -> str:
        return (
            f"Snake(target={self.model.target!r}, population={len(self.model.targets)}, "
            f"layers={len(self.model.layers)})"
        )

    # -- queries ------------------------------------------------------------------------

    def _each(self, x: Any, one: Callable[[Any], Any]) -> Any:
        if is_batch(x):
            return [one(q) for q in batch_items(x)]
        return one(x)

    def _batch_predictions(self, x: Any) -> list[Prediction] | Prediction:
        if is_batch(x):
            return self.predictor.predict(batch_items(x))
        return self.predictor.predict_one(x)

    def get_prediction(self, X: Any) -> Any:
        answer = self._batch_predictions(X)
        if isinstance(answer, list):
            return [a.prediction for a in answer]
        return answer.prediction

    def get_probability(self, X: Any) -> Any:
        answer = self._batch_predictions(X)
        if isinstance(answer, list):
            return [a.probability for a in answer]
        return answer.probability

    def get_lookalikes(self, X: Any) -> list:
        if is_batch(X):
            targets = self.model.targets
            return [
                lookalike_list(e, targets) for e in self.predictor.batch_entries(batch_items(X))
            ]
        return self.predictor.lookalikes(X)

    def get_lookalikes_labeled(self, X: Any) -> list:
        if is_batch(X):
            targets = self.model.targets
            return [labeled_list(e, targets) for e in self.predictor.batch_entries(batch_items(X))]
        return self.predictor.lookalikes_labeled(X)

    def get_candle(self, X: Any) -> Candle | list[Candle]:
        return self._each(X, self.predictor.candle)

    def get_regression(self, X: Any) -> float | list[float]:
        return self._each(X, lambda q: self.predictor.candle(q).iqr_mean)

    def get_audit(self, X: Any) -> str | list[str]:
        require_population(self.predictor.compiled, "the audit")
        return self._each(X, self.predictor.audit)

    def get_augmented(self, X: Any) -> dict | list[dict]:
        require_population(self.predictor.compiled, "augmented output")
        return self._each(X, self._augment)

    def _augment(self, x: Any) -> dict:
        entries = self.predictor.entries(x)
        answer = self.predictor.answer(entries)
        out = _raw(x)
        out["Lookalikes"] = lookalike_list(entries, self.model.targets)
        out["Probability"] = answer.probability
        out["Prediction"] = answer.prediction
        out["Audit"] = self.predictor.audit(x)
        return out

    def get_batch_prediction(self, Xs: Any) -> list[dict]:
        rows = batch_items(Xs) if is_batch(Xs) else [Xs]
        return [p.to_dict() for p in self.predictor.predict(rows)]

    def get_batch_candles(self, Xs: Any) -> list[Candle]:
        rows = batch_items(Xs) if is_batch(Xs) else [Xs]
        targets = self.model.targets
        entries = self.predictor.batch_entries(rows)
        return [compute_candle(targets[e.row] for e in es) for es in entries]

    def get_batch_regression(self, Xs: Any) -> list[float]:
        return [c.iqr_mean for c in self.get_batch_candles(Xs)]

    def get_synthetic(self, Xs: Any, interpret: bool = False) -> dict:
        """Batch diagnostics (§5.12). Narration by a language model is not offered."""
        if interpret:
            raise UnsupportedError(
                "interpret=True asks an external language-model service for a narration; "
                "this engine does not call one: use interpret=False"
            )
        rows = [as_mapping(x) for x in batch_items(Xs)] if is_batch(Xs) else [as_mapping(Xs)]
        return {"summary": summarise_batch(self.model, rows, self.predictor.predict(rows))}

    # -- validation, persistence, primitives ---------------------------------------------

    def make_validation(self, Xs: Any, pruning_coef: float = 0.5) -> None:
        """Keep the best layers on a labelled set, in their original order (§5.11)."""
        accuracies = layer_accuracies(self.predictor.compiled, validation_rows(Xs))
        keep = layers_to_keep(accuracies, pruning_coef)
        self.model.layers = [self.model.layers[i] for i in keep]
        self.model.config["n_layers"] = len(keep)
        self._use(self.model)

    def to_json(self, fout: str = DEFAULT_FILE, stripped: bool = False) -> None:
        save_model(self.model, fout, stripped=stripped)

    def from_json(self, filepath: str = DEFAULT_FILE) -> None:
        self._use(load_model(filepath))

    def apply_literal(self, X: Any, lit: Sequence) -> bool:
        """One literal on a raw mapping (no normalisation, as in the reference)."""
        check_literal(lit, len(self.model.header))
        return holds(lit, _raw(X), self.model.header)

    def apply_clause(self, X: Any, clause: Sequence[Sequence]) -> bool:
        if not isinstance(clause, list | tuple):
            raise ModelFormatError(f"a clause is a list of literals, got {type(clause).__name__}")
        for lit in clause:
            check_literal(lit, len(self.model.header))
        return clause_holds(clause, _raw(X), self.model.header)


def is_model_path(knowledge: Any) -> bool:
    """A string (or path object) ending in ``.json`` names a model file (case-sensitive)."""
    if isinstance(knowledge, os.PathLike):
        knowledge = os.fspath(knowledge)
    return isinstance(knowledge, str) and knowledge.endswith(".json")


def _raw(x: Any) -> dict:
    return dict(as_mapping(x))
