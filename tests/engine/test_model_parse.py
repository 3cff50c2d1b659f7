"""The model reader's parser gives exactly what ``json.loads`` gives, through msgspec
where it can and through ``json`` for what msgspec refuses, and names bad JSON."""

from __future__ import annotations

import json
import math

import pytest

from snakebatch.engine import modelio
from snakebatch.engine.errors import ModelFormatError
from snakebatch.engine.modelio import loads_model, parse_json
from tests.engine.test_inference_vectorised import MODELS

ODD = [
    '{"v": [NaN, Infinity, -Infinity]}',
    '{"v": [123456789012345678901234567890, -9223372036854775809]}',
    '{"v": 1e999}',
    '{"v": "\\ud800 lone surrogate"}',
    '{"v": "caf\\u00e9", "w": [1.0, 2, -0.0, 5e-324]}',
]


def same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) and type(a) is type(b)


@pytest.mark.parametrize("text", ODD)
def test_odd_documents_parse_as_json_does(text: str) -> None:
    assert same(parse_json(text), json.loads(text))


def test_huge_ints_stay_exact() -> None:
    got = parse_json('{"v": [123456789012345678901234567890]}')["v"][0]
    assert got == 123456789012345678901234567890 and isinstance(got, int)


@pytest.mark.parametrize("path", MODELS[:3], ids=lambda p: p.name)
def test_fixtures_parse_as_json_does(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse_json(text) == json.loads(text)
    assert parse_json(text.encode()) == json.loads(text)


def test_bad_json_is_named() -> None:
    with pytest.raises(ModelFormatError, match="invalid JSON at line 1 column 11"):
        loads_model('{"header" ["y"]}')
    with pytest.raises(ModelFormatError, match="not UTF-8"):
        loads_model(b'{"header": "\xff"}')


def test_without_msgspec_the_standard_library_reads_models(monkeypatch) -> None:
    """The Lambda layer ships numpy only: the reader must work without msgspec."""
    text = MODELS[0].read_text(encoding="utf-8")
    expected = loads_model(text)
    monkeypatch.setattr(modelio, "msgspec", None)
    again = loads_model(text)
    assert again.layers == expected.layers and again.targets == expected.targets
    assert math.isnan(parse_json('{"v": NaN}')["v"])


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_cyclic_collector_as_it_found_it(enabled: bool) -> None:
    import gc

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert loads_model(MODELS[0].read_text(encoding="utf-8")).layers
        assert gc.isenabled() is enabled
        with pytest.raises(ModelFormatError):
            loads_model('{"header": ["y"], "targets": [], "datatypes": ["T"]}')
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
