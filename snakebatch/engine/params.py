"""The one table of training parameters: name, type, bounds, default and help.

Every surface that takes a training parameter derives from this table: the engine's
``check_parameters``, the mesh's ``TrainParams``, the gatherer's query parser, the
CLI options and the OpenAPI schema. A bound changed here changes all five at once;
``tests/test_params.py`` walks every entry through each surface.

It lives in the engine because the engine ships alone in the Lambda layer and may
import nothing outside ``snakebatch.engine``; the other layers import it from here.

Where the old copies disagreed, the table settles it:

* ``noise`` is in [0, 1] (the engine's and the reference constructor's range; 1 is
  well defined: as many noise members as core rows). The mesh and HTTP said [0, 1).
* ``tau`` is at least 1 (a one-row slice is a valid leaf); HTTP said at least 2.
* ``completion`` is defined once, here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from snakebatch.engine.errors import ParameterError
from snakebatch.engine.profiles import PROFILES

#: A job (model) id: it becomes a store key and a URL segment, so nothing else may pass.
JOB_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}"
JOB_ID_RULE = "1-80 characters of [A-Za-z0-9_-], starting with a letter or digit"

COMPLETIONS = ("queue", "conquer")
PROFILE_CHOICES = ("auto", *PROFILES)
SEED_MAX = 2**63 - 1

#: Where a parameter is taken: the engine's ``fit``, the mesh's ``TrainParams``, the
#: gatherer's ``POST /v9/train`` (and so its OpenAPI entry), the CLI.
ENGINE, MESH, HTTP, CLI = "engine", "mesh", "http", "cli"


@dataclass(frozen=True)
class Param:
    name: str
    kind: type
    default: Any
    help: str
    low: float = -math.inf
    high: float = math.inf
    choices: tuple[str, ...] = ()
    surfaces: frozenset[str] = frozenset({ENGINE, MESH, HTTP, CLI})

    def rule(self) -> str:
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        noun = "an integer" if self.kind is int else "a number"
        return f"{noun} in [{_num(self.low)}, {_num(self.high)}]"

    def check(self, value: Any) -> Any:
        """``value`` if it is of the right type and in bounds, else ``ParameterError``."""
        if self.choices:
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(f"{self.name} must be {self.rule()}, got {value!r}")
            return value
        kinds = (int,) if self.kind is int else (int, float)
        if (
            isinstance(value, bool)
            or not isinstance(value, kinds)
            or not math.isfinite(value)
            or not self.low <= value <= self.high
        ):
            raise ParameterError(f"{self.name} must be {self.rule()}, got {value!r}")
        return value

    def parse(self, text: str) -> Any:
        """A value given as text (a query string, a command-line flag), then checked."""
        if self.kind is str:
            return self.check(text)
        try:
            value = self.kind(text)
        except ValueError:
            raise ParameterError(f"{self.name} must be {self.rule()}, got {text!r}") from None
        return self.check(value)

    def json_schema(self) -> dict[str, Any]:
        if self.choices:
            return {"type": "string", "enum": list(self.choices), "default": self.default}
        kind = "integer" if self.kind is int else "number"
        return {"type": kind, "minimum": self.low, "maximum": self.high, "default": self.default}


def _num(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}".replace(",", "_")


PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        Param("n_layers", int, 5, "Independent layers (restarts) of the model.", 1, 100),
        Param("bucket", int, 250, "Bucket size: rows per conditional bucket.", 1, 1_000_000),
        Param(
            "noise",
            float,
            0.25,
            "Noise members per bucket as a share of its core, drawn from the population.",
            0.0,
            1.0,
        ),
        Param(
            "lookahead",
            int,
            5,
            "Candidate literals weighed per pick.",
            1,
            1000,
            surfaces=frozenset({ENGINE, MESH, CLI}),
        ),
        Param("seed", int, 0, "Random seed: the same seed gives the same model.", 0, SEED_MAX),
        Param(
            "tau",
            int,
            1000,
            "Rows at or below which a slice of the mesh's divide tree is a leaf.",
            1,
            10_000_000,
            surfaces=frozenset({MESH, HTTP, CLI}),
        ),
        Param(
            "completion",
            str,
            "queue",
            "How a mesh leaf completes: queue (report and return) or conquer (wait).",
            choices=COMPLETIONS,
            surfaces=frozenset({MESH, HTTP, CLI}),
        ),
        Param(
            "profile",
            str,
            "auto",
            "Oppose profile; auto picks one from the feature kinds.",
            choices=PROFILE_CHOICES,
            surfaces=frozenset({MESH, CLI}),
        ),
        Param(
            "workers",
            int,
            2,
            "Local worker processes; the trained layers do not depend on their number.",
            1,
            256,
            surfaces=frozenset({ENGINE, CLI}),
        ),
    )
}


def on(surface: str) -> list[Param]:
    """The parameters a surface takes, in table order."""
    return [p for p in PARAMS.values() if surface in p.surfaces]


def check_all(values: Mapping[str, Any]) -> None:
    """Every value of ``values`` checked against its entry (unknown names refused)."""
    for name, value in values.items():
        if name not in PARAMS:
            raise ParameterError(f"unknown training parameter {name!r}")
        PARAMS[name].check(value)


def model_config(
    *,
    n_layers: int,
    bucket: int,
    noise: float,
    oppose_profile: str,
    lookahead: int,
    seed: int,
    workers: int = 1,
    vocal: bool | int = False,
    **mesh: Any,
) -> dict[str, Any]:
    """A model's ``config``: the reference's seven keys in its order, then provenance.

    ``seed`` (and, for mesh models, ``tau``) come after the reference keys; the
    reference loader reads keys by name, so it ignores them. The mesh's completion
    mode is left out: it changes how leaves report, never the model.
    """
    return {
        "n_layers": n_layers,
        "bucket": bucket,
        "noise": noise,
        "vocal": vocal,
        "workers": workers,
        "oppose_profile": oppose_profile,
        "lookahead": lookahead,
        "seed": seed,
        **mesh,
    }
