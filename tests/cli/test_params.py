"""Every training parameter through every surface that takes it: the engine's check,
the mesh's ``TrainParams``, the gatherer's query parser, its OpenAPI schema and the
CLI (``fit`` and ``train``). They must accept and refuse exactly the same values."""

from __future__ import annotations

import inspect
import math

import jsonschema
import pytest
from typer.testing import CliRunner

from snakebatch.cli import app
from snakebatch.engine.errors import ParameterError
from snakebatch.engine.params import CLI, ENGINE, HTTP, MESH, PARAMS, Param
from snakebatch.engine.train import check_parameters
from snakebatch.engine.train import fit as engine_fit
from snakebatch.gatherer.errors import BadRequest
from snakebatch.gatherer.openapi import schema
from snakebatch.gatherer.routes_train import parse_params
from snakebatch.mesh.coordinator import TrainParams, TrainParamsError
from snakebatch.sdk import SnakeClient

ENGINE_ARGS = ("n_layers", "bucket", "noise", "lookahead", "workers")
FLAG = {"n_layers": "--layers", "profile": "--oppose-profile"}


def cases(p: Param) -> list[tuple[object, bool]]:
    """(value, accepted) pairs: both bounds, just past them, and a wrong type."""
    if p.choices:
        return [(c, True) for c in p.choices] + [("maybe", False), ("", False)]
    if p.kind is int:
        return [
            (p.low, True),
            (p.high, True),
            (p.low - 1, False),
            (p.high + 1, False),
            (1.5, False),
        ]
    return [
        (p.low, True),
        (p.high, True),
        ((p.low + p.high) / 2, True),
        (p.low - 0.1, False),
        (p.high + 0.5, False),
        (math.nan, False),
    ]


def engine_accepts(name: str, value: object) -> bool:
    args = {n: PARAMS[n].default for n in ENGINE_ARGS}
    seed = value if name == "seed" else None
    if name != "seed":
        args[name] = value
    try:
        check_parameters(**args, seed=seed)
    except ParameterError:
        return False
    return True


def mesh_accepts(name: str, value: object) -> bool:
    try:
        TrainParams(**{name: value})
    except TrainParamsError:
        return False
    return True


def http_accepts(name: str, value: object) -> bool:
    try:
        parse_params({"target": "y", name: str(value)})
    except BadRequest:
        return False
    return True


def openapi_accepts(name: str, value: object) -> bool:
    train = schema()["paths"]["/v9/train"]["post"]["parameters"]
    (entry,) = [p for p in train if p["name"] == name]
    if isinstance(value, float) and math.isnan(value):
        return False  # JSON has no NaN: a client cannot send it as a number
    try:
        jsonschema.validate(value, entry["schema"])
    except jsonschema.ValidationError:
        return False
    return True


def cli_accepts(command: str, name: str, value: object, tmp_path) -> bool:
    """Options are checked before the command runs; a missing data file then exits 4."""
    flag = FLAG.get(name, f"--{name}")
    args = [command, str(tmp_path / "absent.csv"), "-t", "y", flag, str(value)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (2, 4), result.output
    return result.exit_code == 4


@pytest.mark.parametrize("name", list(PARAMS))
def test_every_surface_accepts_and_refuses_the_same_values(name, tmp_path):
    p = PARAMS[name]
    for value, accepted in cases(p):
        seen = {}
        if ENGINE in p.surfaces:
            seen["engine"] = engine_accepts(name, value)
        if MESH in p.surfaces:
            seen["mesh"] = mesh_accepts(name, value)
        if HTTP in p.surfaces:
            seen["http"] = http_accepts(name, value)
            seen["openapi"] = openapi_accepts(name, value)
        if CLI in p.surfaces:
            seen["train"] = cli_accepts("train", name, value, tmp_path)
            if ENGINE in p.surfaces or name == "profile":
                seen["fit"] = cli_accepts("fit", name, value, tmp_path)
        assert seen and set(seen.values()) == {accepted}, (name, value, seen)


def test_the_disagreements_are_settled():
    """noise 1 is a valid ratio (the engine's range); tau 1 a valid leaf size."""
    assert TrainParams(noise=1.0).noise == 1.0
    assert parse_params({"target": "y", "noise": "1", "tau": "1"})[1] == {"noise": 1.0, "tau": 1}
    check_parameters(5, 250, 1.0, 5, 1)


def test_defaults_are_the_tables():
    mesh = TrainParams()
    for p in PARAMS.values():
        if MESH in p.surfaces:
            assert getattr(mesh, p.name) == p.default, p.name


@pytest.mark.parametrize(
    ("function", "names"),
    [
        (SnakeClient, {"n_layers", "bucket", "noise", "seed", "tau"}),
        (engine_fit, {"n_layers", "bucket", "noise", "lookahead", "oppose_profile"}),
    ],
)
def test_the_python_entry_points_take_their_defaults_from_the_table(function, names):
    """The SDK's and the engine's keyword defaults are the table's, so a changed default
    reaches them (the engine's ``seed`` stays None: a drawn seed, as the reference)."""
    signature = inspect.signature(function).parameters
    table = PARAMS | {"oppose_profile": PARAMS["profile"]}
    assert {name for name in signature if name in table} >= names
    for name in names:
        assert signature[name].default == table[name].default, name
