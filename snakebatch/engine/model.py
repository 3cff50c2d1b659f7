"""The in-memory Snake model: the fields of the reference model file (spec §1.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WRITER_VERSION = "5.4.8"


@dataclass
class SnakeModel:
    """A trained model, as loaded from or written to the reference JSON shape.

    ``layers`` is a list of chains; a chain is a list of bucket dicts with the keys
    ``condition``, ``members``, ``origins``, ``clauses``, ``lookalikes`` (spec §1.4).
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
