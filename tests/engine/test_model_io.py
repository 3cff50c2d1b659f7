"""Model JSON I/O: every layout the reference wrote, the reference writer's shape, and
typed errors for everything else."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from snakebatch.engine import (
    ModelFormatError,
    ModelNotFoundError,
    Snake,
    load_model,
    save_model,
)
from snakebatch.engine.modelio import dumps_model, loads_model, model_from_dict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
MODELS = sorted(FIXTURES.glob("*.model.json")) + sorted(FIXTURES.glob("*.stripped.json"))
TOP_KEYS = [
    "version", "stripped", "population", "header", "target", "targets", "datatypes",
    "config", "layers", "log",
]  # fmt: skip


def example() -> dict:
    """The hand-made model of spec §1.2."""
    return {
        "version": "5.4.8",
        "stripped": False,
        "population": [
            {"label": "A", "color": "red", "size": 10.0},
            {"label": "B", "color": "blue", "size": 20.0},
            {"label": "A", "color": "rose", "size": 11.0},
        ],
        "header": ["label", "color", "size"],
        "target": "label",
        "targets": ["A", "B", "A"],
        "datatypes": ["T", "T", "N"],
        "config": {"n_layers": 1, "bucket": 250, "noise": 0.25, "vocal": False,
                   "workers": 1, "oppose_profile": "balanced", "lookahead": 5},
        "layers": [[{
            "condition": None,
            "members": [0, 1, 2],
            "origins": ["c", "c", "c"],
            "clauses": [[[1, "b", False, "T"]], [[2, 15.0, False, "N"]]],
            "lookalikes": {"0": [[0]], "1": [[1]], "2": [[0]]},
        }]],
        "log": "hand-made",
    }  # fmt: skip


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_writer_reproduces_reference_file_byte_for_byte(path: Path) -> None:
    model = load_model(path)
    assert dumps_model(model, stripped=model.stripped) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_compact_text_is_the_same_model(path: Path) -> None:
    model = load_model(path)
    compact = dumps_model(model, stripped=model.stripped, compact=True)
    assert "\n" not in compact
    assert json.loads(compact) == json.loads(path.read_text(encoding="utf-8"))
    again = loads_model(compact)
    assert dumps_model(again, stripped=again.stripped) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", MODELS[:2] + MODELS[-1:], ids=lambda p: p.name)
def test_round_trip_keeps_keys_and_inference(path: Path, tmp_path: Path) -> None:
    original = Snake(str(path))
    out = tmp_path / "again.json"
    original.to_json(str(out))
    again = Snake(str(out))
    assert list(json.loads(out.read_text())) == TOP_KEYS
    queries = [
        json.loads(line)["query"]
        for line in path.with_name(path.name.rsplit(".", 2)[0] + ".expected.jsonl")
        .read_text()
        .splitlines()
    ]
    assert again.get_lookalikes(queries) == original.get_lookalikes(queries)
    assert again.get_probability(queries) == original.get_probability(queries)


def test_stripped_save_drops_population_keeps_targets(tmp_path: Path) -> None:
    snake = Snake(model_from_dict(example()))
    out = tmp_path / "s.json"
    snake.to_json(str(out), stripped=True)
    data = json.loads(out.read_text())
    assert data["stripped"] is True and data["population"] == []
    assert data["targets"] == ["A", "B", "A"]
    reloaded = load_model(out)
    assert reloaded.stripped
    assert Snake(reloaded).get_probability({}) == snake.get_probability({})


def test_stripped_flag_wins_over_a_present_population() -> None:
    d = example()
    d["stripped"] = True
    assert model_from_dict(d).stripped


def test_nan_and_infinity_tokens_load_and_are_written_back() -> None:
    d = example()
    d["layers"][0][0]["clauses"][1] = [[2, math.inf, False, "N"], [2, -math.inf, True, "N"]]
    d["population"][0]["size"] = math.nan
    text = json.dumps(d, indent=2)
    assert "Infinity" in text and "NaN" in text
    model = loads_model(text)
    assert model.layers[0][0]["clauses"][1][0][1] == math.inf
    assert math.isnan(model.population[0]["size"])
    written = dumps_model(model)
    assert "-Infinity" in written and '"size": NaN' in written
    assert loads_model(written).layers == model.layers


def test_missing_origins_means_core_and_writer_adds_them() -> None:
    d = example()
    del d["layers"][0][0]["origins"]
    snake = Snake(model_from_dict(d))
    labeled = snake.get_lookalikes_labeled({"color": "rose", "size": 12})
    assert labeled == [[0, "A", [0], "c"], [2, "A", [0], "c"]]
    assert json.loads(dumps_model(snake.model))["layers"][0][0]["origins"] == ["c"] * 3


def test_flat_v01_layout_becomes_one_else_bucket() -> None:
    d = example()
    flat = {k: d[k] for k in ("population", "header", "target", "targets", "datatypes")}
    flat |= {
        "clauses": d["layers"][0][0]["clauses"],
        "lookalikes": {"0": [[0]], "1": [[1]], "2": [[0]]},
        "n_layers": 1,
        "vocal": True,
    }
    model = model_from_dict(flat)
    assert model.version == "0.1.0"
    assert model.config["n_layers"] == 1 and model.config["vocal"] is True
    assert model.config["lookahead"] == 5 and model.config["oppose_profile"] == "auto"
    bucket = model.layers[0][0]
    assert bucket["condition"] is None and bucket["members"] == [0, 1, 2]
    snake = Snake(model)
    assert snake.get_lookalikes({"color": "rose", "size": 12}) == [[0, "A", [0]], [2, "A", [0]]]
    assert json.loads(dumps_model(model))["layers"][0][0]["members"] == [0, 1, 2]


def test_missing_layers_gives_zero_lookalikes_and_uniform_probability() -> None:
    d = example()
    del d["layers"]
    snake = Snake(model_from_dict(d))
    assert snake.get_lookalikes({"color": "red"}) == []
    assert snake.get_probability({"color": "red"}) == {"A": 0.5, "B": 0.5}
    assert snake.get_prediction({"color": "red"}) == "A"
    assert snake.get_probability([{"color": "red"}, {}]) == [{"A": 0.5, "B": 0.5}] * 2
    assert snake.get_lookalikes([{}]) == [[]]


def test_missing_config_uses_constructor_fallbacks(tmp_path: Path) -> None:
    d = example()
    del d["config"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(d))
    snake = Snake(str(path), n_layers=7, bucket=99, noise=0.5)
    assert (snake.n_layers, snake.bucket, snake.noise, snake.workers) == (7, 99, 0.5, 1)


def test_missing_log_gets_a_banner() -> None:
    d = example()
    del d["log"]
    assert "Snake" in model_from_dict(d).log


def test_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="not found"):
        load_model(tmp_path / "absent.json")
    with pytest.raises(FileNotFoundError):  # also the built-in a Python user expects
        Snake(str(tmp_path / "absent.json"))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "invalid JSON at line 1"),
        ("[1, 2]", "a model is a JSON object"),
        ('{"header": ["y"], "datatypes": ["T"]}', "missing required key 'targets'"),
        ('{"header": [], "datatypes": [], "targets": []}', "'header'"),
        ('{"header": ["y", "x"], "datatypes": ["T"], "targets": []}', "'datatypes'"),
        ('{"header": ["y"], "datatypes": ["T"], "targets": 3}', "'targets'"),
        ('{"header": ["y"], "datatypes": ["T"], "targets": []}', "non-empty"),
    ],
)
def test_malformed_files_raise_model_format_error(text: str, match: str) -> None:
    with pytest.raises(ModelFormatError, match=match):
        loads_model(text)


def _broken(path: tuple, value) -> dict:
    d = example()
    target = d["layers"][0][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        (("members",), [0, 1, 7], "row indices below 3"),
        (("members",), [0, True, 2], "row indices"),
        (("origins",), ["c", "x", "c"], "'origins'"),
        (("origins",), ["c"], "'origins'"),
        (("clauses",), {"a": 1}, "'clauses'"),
        (("clauses", 0), [[0, "b", False, "T"]], "literal index 0"),
        (("clauses", 0), [[9, "b", False, "T"]], "literal index 9"),
        (("clauses", 0), [[1, "b", False]], r"\[index, value, negated, type\]"),
        (("clauses", 0), [[1, "b", False, 5]], "literal type 5"),
        (("clauses", 1), [[2, "15", False, "N"]], "bad value '15' for a N literal"),
        (("clauses", 1), [[1, ["x"], False, "LEV"]], "for a LEV literal"),
        (("clauses", 1), [[2, [0.0, 1.0], False, "NZ"]], "for a NZ literal"),
        (("clauses", 1), [[1, 3, False, "TSW"]], "for a TSW literal"),
        (("lookalikes",), {"5": [[0]]}, "not a member position"),
        (("lookalikes",), {"x": [[0]]}, "not a member position"),
        (("lookalikes",), {"0": [[2]]}, "clause indices"),
        (("lookalikes",), {"0": [0]}, "clause indices"),
        (("condition",), "yes", "'condition'"),
        (("condition",), [[1, "b", False, "T", 9]], "literal"),
    ],
)
def test_malformed_buckets_raise_model_format_error(path: tuple, value, match: str) -> None:
    with pytest.raises(ModelFormatError, match=match):
        model_from_dict(_broken(path, value))


def test_population_length_must_match_targets() -> None:
    d = example()
    d["targets"] = ["A", "B"]
    with pytest.raises(ModelFormatError, match="population has 3 rows"):
        model_from_dict(d)


def test_unreadable_paths_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="is a directory"):
        load_model(tmp_path)
    with pytest.raises(ModelNotFoundError, match="cannot read model file"):
        load_model(tmp_path / ("x" * 300 + ".json"))  # name too long for the filesystem


def test_non_utf8_file_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ModelFormatError, match="UTF-8"):
        load_model(path)


def test_save_writes_reference_key_order(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    save_model(model_from_dict(example()), out)
    text = out.read_text()
    assert list(json.loads(text)) == TOP_KEYS
    assert text.startswith('{\n  "version": "5.4.8",\n  "stripped": false,')
    bucket = json.loads(text)["layers"][0][0]
    assert list(bucket) == ["condition", "members", "origins", "clauses", "lookalikes"]


def test_non_ascii_is_escaped() -> None:
    d = example()
    d["population"][0]["color"] = "rosé 😀"
    text = dumps_model(model_from_dict(d))
    assert "\\u00e9" in text and "\\ud83d\\ude00" in text
    assert text.isascii()


def test_path_objects_ending_in_json_load(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    save_model(model_from_dict(example()), path)
    assert Snake(path).get_prediction({"color": "rose", "size": 12}) == "A"
