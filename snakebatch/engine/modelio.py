"""Model JSON I/O in the reference shape (spec §1).

Reading accepts the current bucketed layout, stripped files, the flat v0.1 layout,
the non-standard ``NaN``/``Infinity`` tokens and files without ``origins`` or
``config``. Unlike the reference loader, the structure is checked on load, so a
malformed file fails here with a :class:`ModelFormatError` naming the bad part
instead of an ``IndexError`` in the middle of a prediction.

Reading parses with msgspec when it is installed: on the 68 MB stripped model of a
200K-row mesh run it was the fastest of json, orjson and msgspec (bench/RESULTS.md),
and unlike orjson it keeps integers beyond 64 bits exact, as ``json`` does. What it
refuses (``NaN`` tokens, lone surrogates, numbers beyond a double) goes to ``json``,
which reads them or names the error. The structure check runs first as whole-bucket
C-level operations (:mod:`fastcheck`); the Python check below runs only when that one
finds a fault, to name it.

Writing reproduces the reference writer byte for byte: same key order, two-space
indent, ``\\uXXXX`` escapes, shortest float repr and bare non-finite tokens.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

try:
    import msgspec
except ImportError:  # the Lambda layer ships numpy only: the standard library parses there
    msgspec = None  # type: ignore[assignment]

from snakebatch.engine import collector
from snakebatch.engine.errors import ModelFormatError, ModelNotFoundError
from snakebatch.engine.fastcheck import layers_look_valid
from snakebatch.engine.model import BANNER, DEFAULT_CONFIG, WRITER_VERSION, SnakeModel

FLAT_VERSION = "0.1.0"


def load_model(path: str | os.PathLike, **fallbacks: Any) -> SnakeModel:
    """Read a model file; ``fallbacks`` fill ``config`` keys the file lacks (§1.8)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ModelNotFoundError(f"model file not found: {p}") from exc
    except IsADirectoryError as exc:
        raise ModelNotFoundError(f"model path is a directory: {p}") from exc
    except OSError as exc:
        raise ModelNotFoundError(f"cannot read model file {p}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ModelFormatError(f"{p}: not UTF-8 text ({exc.reason})") from exc
    return loads_model(text, source=str(p), **fallbacks)


def loads_model(text: str | bytes, *, source: str = "<string>", **fallbacks: Any) -> SnakeModel:
    """Parse and check a model document with the cyclic collector paused
    (:mod:`snakebatch.engine.collector`). The loaded objects are then frozen into the
    permanent generation: every later full collection would otherwise scan them again
    (most of the cost of compiling a bucket on first use)."""
    with collector.paused():
        model = model_from_dict(parse_json(text, source), source=source, **fallbacks)
    gc.freeze()
    return model


def parse_json(text: str | bytes, source: str = "<string>") -> Any:
    """The parsed document, exactly as ``json.loads`` gives it, or a ModelFormatError."""
    if msgspec is not None:
        try:
            return msgspec.json.decode(text)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeEncodeError):
            pass
    try:
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise ModelFormatError(f"{source}: not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ModelFormatError(
            f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc


def model_from_dict(data: Any, *, source: str = "<model>", **fallbacks: Any) -> SnakeModel:
    """Build a model from a parsed file (§1.8), checking its structure."""
    if not isinstance(data, Mapping):
        raise ModelFormatError(f"{source}: a model is a JSON object, got {type(data).__name__}")
    for key in ("header", "targets", "datatypes"):
        if key not in data:
            raise ModelFormatError(f"{source}: missing required key {key!r}")
    header, targets, datatypes = data["header"], data["targets"], data["datatypes"]
    _check_header(header, datatypes, source)
    if not isinstance(targets, list) or not targets:
        raise ModelFormatError(f"{source}: 'targets' must be a non-empty array")
    population = data.get("population") or []
    if not isinstance(population, list) or not all(isinstance(r, Mapping) for r in population):
        raise ModelFormatError(f"{source}: 'population' must be an array of objects")
    if data.get("stripped"):
        population = []
    if population and len(population) != len(targets):
        raise ModelFormatError(
            f"{source}: population has {len(population)} rows but targets has {len(targets)}"
        )
    if "clauses" in data and "layers" not in data:
        layers = [[_flat_bucket(data, len(targets))]]
        version = str(data.get("version", FLAT_VERSION))
    else:
        layers = data.get("layers", [])
        version = str(data.get("version", WRITER_VERSION))
    _check_layers(layers, len(header), len(targets), source)
    return SnakeModel(
        header=list(header),
        datatypes=list(datatypes),
        targets=targets,
        layers=layers,
        population=[dict(r) for r in population],
        config=_config(data, fallbacks),
        log=data.get("log", BANNER) if isinstance(data.get("log", BANNER), str) else BANNER,
        version=version,
    )


def _flat_bucket(data: Mapping, n_rows: int) -> dict:
    """Wrap a v0.1 model as one ELSE bucket over every row (§1.7).

    The member count comes from ``targets`` rather than ``population``, so a flat model
    saved without its rows still serves.
    """
    return {
        "condition": None,
        "members": list(range(n_rows)),
        "clauses": data["clauses"],
        "lookalikes": data.get("lookalikes", {}),
    }


def _config(data: Mapping, fallbacks: Mapping[str, Any]) -> dict:
    stored = data.get("config")
    if not isinstance(stored, Mapping):
        stored = {k: data[k] for k in ("n_layers", "vocal") if k in data}
    config = {k: fallbacks.get(k, v) for k, v in DEFAULT_CONFIG.items()}
    config.update(stored)
    return config


def _check_header(header: Any, datatypes: Any, source: str) -> None:
    if not isinstance(header, list) or not header or not all(isinstance(h, str) for h in header):
        raise ModelFormatError(f"{source}: 'header' must be a non-empty array of strings")
    if not isinstance(datatypes, list) or len(datatypes) != len(header):
        raise ModelFormatError(f"{source}: 'datatypes' must be an array as long as 'header'")


def _check_layers(layers: Any, width: int, n_rows: int, source: str) -> None:
    if not layers_look_valid(layers, width, n_rows, VALUE_SHAPES):
        explain_layers(layers, width, n_rows, source)


def explain_layers(layers: Any, width: int, n_rows: int, source: str) -> None:
    """The Python check: raise a ModelFormatError naming the first bad part, if any."""
    if not isinstance(layers, list):
        raise ModelFormatError(f"{source}: 'layers' must be an array of chains")
    for li, chain in enumerate(layers):
        if not isinstance(chain, list):
            raise ModelFormatError(f"{source}: layer {li} must be an array of buckets")
        for bi, bucket in enumerate(chain):
            _check_bucket(bucket, width, n_rows, f"{source}: layer {li} bucket {bi}")


def _check_bucket(bucket: Any, width: int, n_rows: int, where: str) -> None:
    if not isinstance(bucket, dict):
        raise ModelFormatError(f"{where}: a bucket is an object")
    condition = bucket.get("condition")
    if condition is not None:
        if not isinstance(condition, list):
            raise ModelFormatError(f"{where}: 'condition' must be an array of literals or null")
        for lit in condition:
            check_literal(lit, width, f"{where} condition")
    members = bucket.get("members")
    if not isinstance(members, list) or not all(_is_index(g, n_rows) for g in members):
        raise ModelFormatError(f"{where}: 'members' must be row indices below {n_rows}")
    origins = bucket.get("origins")
    if origins is not None and (
        not isinstance(origins, list)
        or len(origins) != len(members)
        or not all(o in ("c", "n") for o in origins)
    ):
        raise ModelFormatError(f"{where}: 'origins' must be 'c'/'n' values, one per member")
    clauses = bucket.get("clauses", [])
    if not isinstance(clauses, list):
        raise ModelFormatError(f"{where}: 'clauses' must be an array")
    for ci, clause in enumerate(clauses):
        if not isinstance(clause, list):
            raise ModelFormatError(f"{where}: clause {ci} must be an array of literals")
        for lit in clause:
            check_literal(lit, width, f"{where} clause {ci}")
    lookalikes = bucket.get("lookalikes", {})
    if not isinstance(lookalikes, dict):
        raise ModelFormatError(f"{where}: 'lookalikes' must be an object")
    for key, conditions in lookalikes.items():
        if not (key.isdecimal() and key.isascii()) or int(key) >= len(members):
            raise ModelFormatError(f"{where}: lookalike key {key!r} is not a member position")
        if not isinstance(conditions, list) or not all(
            isinstance(c, list) and all(_is_index(j, len(clauses)) for j in c) for c in conditions
        ):
            raise ModelFormatError(
                f"{where}: lookalikes of {key!r} must be arrays of clause indices"
            )


def _is_index(value: Any, bound: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < bound


def check_literal(lit: Any, width: int, where: str = "literal") -> None:
    """Raise :class:`ModelFormatError` unless ``lit`` is a literal evaluable on ``width`` columns."""
    if not isinstance(lit, list) or len(lit) != 4:
        raise ModelFormatError(f"{where}: a literal is [index, value, negated, type], got {lit!r}")
    index, _value, _negated, kind = lit
    if not (_is_index(index, width) and index >= 1):
        raise ModelFormatError(f"{where}: literal index {index!r} is not a feature position")
    if not isinstance(kind, str):
        raise ModelFormatError(f"{where}: literal type {kind!r} is not a string")
    check = VALUE_SHAPES.get(kind)
    if check is not None and not check(_value):
        raise ModelFormatError(f"{where}: bad value {_value!r} for a {kind} literal")


def _number(v: Any) -> bool:
    return isinstance(v, int | float)


def _numbers(n: int) -> Any:
    return lambda v: isinstance(v, list) and len(v) == n and all(_number(x) for x in v)


def _ref_pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and _number(v[1])


def _cfc_value(v: Any) -> bool:
    return (
        isinstance(v, list)
        and len(v) == 2
        and isinstance(v[0], dict)
        and all(_number(x) for x in v[0].values())
        and _number(v[1])
    )


# What each known type needs of its stored value for evaluation to be defined; T and
# TEQ compare against ``str()``/equality and NZR ignores its value, so anything goes.
VALUE_SHAPES = {
    **dict.fromkeys(
        ("TN", "TLN", "TWS", "TPS", "TSS", "N", "ND", "TUC", "TDC", "TSC", "ENT", "HEX",
         "REP", "NL", "NMG", "TVR"),
        _number,
    ),
    **dict.fromkeys(("LEV", "JAC", "SIM", "PFX", "SFX"), _ref_pair),
    "CFC": _cfc_value,
    "NZ": _numbers(3),
    "NRG": _numbers(2),
    "TSW": lambda v: isinstance(v, str),
    "TEW": lambda v: isinstance(v, str),
}  # fmt: skip


def model_to_dict(model: SnakeModel, *, stripped: bool = False) -> dict:
    """The reference writer's object: its keys, in its order (§1.1)."""
    drop = stripped or model.stripped
    return {
        "version": WRITER_VERSION,
        "stripped": drop,
        "population": [] if drop else model.population,
        "header": model.header,
        "target": model.target,
        "targets": model.targets,
        "datatypes": model.datatypes,
        "config": model.config,
        "layers": [[_bucket_out(b) for b in chain] for chain in model.layers],
        "log": model.log,
    }


def _bucket_out(bucket: dict) -> dict:
    members = bucket["members"]
    origins = bucket.get("origins") or ["c"] * len(members)
    return {
        "condition": bucket.get("condition"),
        "members": members,
        "origins": origins,
        "clauses": bucket.get("clauses", []),
        "lookalikes": bucket.get("lookalikes", {}),
    }


def dumps_model(model: SnakeModel, *, stripped: bool = False, compact: bool = False) -> str:
    """The model as JSON text: pretty-printed like the reference writer by default.

    ``compact`` drops the indentation (any JSON reader, the reference's included, loads
    it the same): the standard library encodes it in C, 6-9x faster and a third of the
    size, which is what the mesh wants for the models it stores and serves.
    """
    data = model_to_dict(model, stripped=stripped)
    if compact:
        return json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return json.dumps(data, indent=2, ensure_ascii=True)


def save_model(model: SnakeModel, path: str | os.PathLike, *, stripped: bool = False) -> None:
    """Write the model as the reference would (a file its loader reads unchanged)."""
    Path(path).write_text(dumps_model(model, stripped=stripped), encoding="utf-8")
