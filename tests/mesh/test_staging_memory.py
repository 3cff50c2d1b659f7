"""What the coordinator writes a piece at a time (package, model frame) is the same
text as writing it whole."""

from __future__ import annotations

import gzip
import json
import math

import pytest

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.model import SnakeModel
from snakebatch.engine.modelio import dumps_model
from snakebatch.mesh import assembly
from snakebatch.mesh.assembly import model_frame
from snakebatch.mesh.staging import encode_package

ROWS = [
    {"y": "a", "x": 1.5, "t": "Paris"},
    {"y": "b", "x": math.nan, "t": 'say "[{}]",'},
    {"y": "a", "x": -0.0, "t": "population"},
    {"y": "c", "x": 2.0, "t": "é"},
]
CONFIG = {"n_layers": 2, "bucket": 3, "noise": 0.25}


def test_package_encoded_by_columns_is_the_whole_json():
    ds = Dataset(["y", "x", "t"], ["T", "N", "T"], [r["y"] for r in ROWS], ROWS, seed=0)
    expected = json.dumps(ds.to_package(), separators=(",", ":"), allow_nan=True)
    assert gzip.decompress(encode_package(ds)).decode() == expected


@pytest.mark.parametrize("chunk", [1, 3, 10_000])
@pytest.mark.parametrize("rows", [ROWS, []])
def test_frame_with_population_in_chunks_is_the_writer_text(monkeypatch, chunk, rows):
    monkeypatch.setattr(assembly, "_ROWS_PER_CHUNK", chunk)
    header, datatypes = ["y", "x", "t"], ["T", "N", "T"]
    targets = [r["y"] for r in rows]
    frame = model_frame(
        header=header, datatypes=datatypes, targets=targets, population=rows, config=CONFIG
    )
    model = SnakeModel(
        header=header,
        datatypes=datatypes,
        targets=targets,
        layers=[[], []],
        population=rows,
        config=CONFIG,
        log="",
    )
    for stripped, text in ((False, frame.full), (True, frame.stripped)):
        whole = dumps_model(model, stripped=stripped, compact=True).encode()
        assert whole.startswith(bytes(text))
        assert whole[len(text) :] == b'"layers":[[],[]],"log":""}'
