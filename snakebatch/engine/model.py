"""The in-memory Snake model: the fields of the reference model file (spec §1.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from snakebatch.engine.classes import ClassIndex

WRITER_VERSION = "5.4.8"

DEFAULT_CONFIG: dict[str, Any] = {
    "n_layers": 5,
    "bucket": 250,
    "noise": 0.25,
    "vocal": False,
    "workers": 1,
    "oppose_profile": "auto",
    "lookahead": 5,
}

BANNER = (
    "SnakeBatch engine: Snake model (SAT-ensembled bucketed lookalike classifier), "
    f"model format {WRITER_VERSION}\n"
)


@dataclass
class SnakeModel:
    """A trained model, as loaded from or written to the reference JSON shape.

    ``layers`` is a list of chains; a chain is a list of bucket dicts with the keys
    ``condition``, ``members``, ``origins``, ``clauses``, ``lookalikes`` (spec §1.4).
    ``population`` is empty when the model is stripped (§1.6): inference never needs
    it, only audit text does.
    """

    header: list[str]
    datatypes: list[str]
    targets: list[Any]
    layers: list[list[dict]]
    population: list[dict] = field(default_factory=list)
    config: dict = field(default_factory=dict)
    log: str = ""
    version: str = WRITER_VERSION

    @property
    def target(self) -> str:
        return self.header[0]

    @property
    def stripped(self) -> bool:
        return not self.population

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    @cached_property
    def class_index(self) -> ClassIndex:
        """Sorted classes and each row's class position; targets never change after load."""
        return ClassIndex.from_targets(self.targets)

    @property
    def classes(self) -> list[Any]:
        return list(self.class_index.classes)
