"""The SQLite job store and assembly from hand-made leaf reports."""

from __future__ import annotations

import json
import random

import pytest

from snakebatch.backends.base import JobRecord
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.engine.modelio import dumps_model, loads_model
from snakebatch.mesh.assembly import (
    AssemblyError,
    LeafText,
    assemble,
    assemble_json,
    model_frame,
    split_report,
)
from snakebatch.mesh.reports import encode, leaf_report

LIT = [1, 15.0, False, "N"]


def test_job_store_survives_reopening(tmp_path):
    SqliteJobStore(tmp_path / "j.sqlite").create(JobRecord("b", "running", {"x": 1}, 7))
    assert SqliteJobStore(tmp_path / "j.sqlite").get("b").params == {"x": 1}


def _bucket(condition, members):
    return {
        "condition": condition,
        "members": members,
        "origins": ["c"] * len(members),
        "clauses": [[[2, "a", False, "T"]]],
        "lookalikes": {str(i): [[0]] for i in range(len(members))},
    }


def _reports():
    yes, no = [[LIT, True]], [[LIT, False]]
    neg = [1, 15.0, True, "N"]
    return [
        leaf_report(
            "m", 0, yes, 2, [_bucket([LIT, [2, "b", False, "T"]], [0]), _bucket([LIT], [1])]
        ),
        leaf_report("m", 0, no, 2, [_bucket([neg], [2, 3])]),
        leaf_report("m", 1, [], 4, [_bucket(None, [0, 1, 2, 3])]),
    ]


_FRAME = {
    "header": ["y", "size", "name"],
    "datatypes": ["T", "N", "T"],
    "targets": ["A", "B", "A", "B"],
    "population": [
        {"y": "A", "size": 10.0, "name": "ab"},
        {"y": "B", "size": 11.0, "name": "cd"},
        {"y": "A", "size": 20.0, "name": "ae"},
        {"y": "B", "size": 21.0, "name": "bb"},
    ],
    "config": {
        "n_layers": 2,
        "bucket": 2,
        "noise": 0,
        "vocal": False,
        "workers": 1,
        "oppose_profile": "balanced",
        "lookahead": 5,
    },
    "tau": 2,
}


def _assemble(reports):
    by_layer = [[r for r in reports if r["layer"] == i] for i in range(2)]
    return assemble(**_FRAME, leaves_by_layer=by_layer)


def _assemble_json(bodies):
    by_layer = [[], []]
    for body in bodies:
        head, text, n_buckets = split_report(body)
        n = len(json.loads(body)["buckets"]) if n_buckets is None else n_buckets
        leaf = LeafText(head["order"], head["leaf_id"], head["n_rows"], n, text)
        by_layer[head["layer"]].append(leaf)
    frame = model_frame(**{k: v for k, v in _FRAME.items() if k != "tau"})
    return assemble_json(
        frame=frame,
        n_rows=len(_FRAME["targets"]),
        config=_FRAME["config"],
        tau=_FRAME["tau"],
        leaves_by_layer=by_layer,
    )


def test_assembly_is_order_free_and_loads_in_the_engine():
    reports = _reports()
    first = dumps_model(_assemble(reports))
    for seed in range(5):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        assert dumps_model(_assemble(shuffled)) == first
    model = loads_model(first)
    chain = model.layers[0]
    assert [b["members"] for b in chain] == [[0], [1], [2, 3]]
    assert chain[1]["condition"] == [LIT]
    assert model.layers[1][0]["condition"] is None
    assert json.loads(first)["config"]["noise"] == 0


def test_spliced_model_text_equals_the_engine_writer_in_any_order():
    reports = _reports()
    expected = (
        dumps_model(_assemble(reports), compact=True).encode(),
        dumps_model(_assemble(reports), stripped=True, compact=True).encode(),
    )
    bodies = [encode(r) for r in reports]
    # a report without the mark (an older leaf, buckets short of the writer's keys) is
    # parsed and re-encoded: the same bytes
    legacy = {k: v for k, v in reports[1].items() if k != "buckets_as_model"}
    legacy["buckets"] = [
        {"condition": b["condition"], "members": b["members"]} for b in legacy["buckets"]
    ]
    legacy["buckets"][0]["origins"] = ["c", "c"]
    legacy["buckets"][0]["clauses"] = reports[1]["buckets"][0]["clauses"]
    legacy["buckets"][0]["lookalikes"] = reports[1]["buckets"][0]["lookalikes"]
    for seed in range(4):
        shuffled = [*bodies[:1], encode(legacy), *bodies[2:]]
        random.Random(seed).shuffle(shuffled)
        assert _assemble_json(shuffled) == expected
    assert loads_model(expected[1].decode()).layers == _assemble(reports).layers


def test_split_report_cuts_only_at_the_top_level_key():
    plain = [[[2, '"buckets":[', False, "T"], True]]
    report = leaf_report("m", 0, plain, 1, [{"condition": None, "members": [0]}])
    head, text, n_buckets = split_report(encode(report))
    assert head["path"] == plain and n_buckets is None  # quotes in strings are escaped
    assert json.loads(b"[" + text + b"]") == report["buckets"]
    # the key inside the path: the head does not parse there, so the body is parsed
    nested = [[[2, [{"a": 1, "buckets": [1]}, 0.5], False, "CFC"], True]]
    report = leaf_report("m", 0, nested, 1, [{"condition": None, "members": [0]}])
    assert encode(report).find(b',"buckets":[') < encode(report).rfind(b',"buckets":[')
    head, text, n_buckets = split_report(encode(report))
    assert head["path"] == nested and n_buckets == 1
    assert json.loads(b"[" + text + b"]") == report["buckets"]
    # a body whose buckets are not last is parsed, not cut
    moved = {"buckets": report["buckets"], **{k: v for k, v in report.items() if k != "buckets"}}
    head, text, n_buckets = split_report(encode(moved))
    assert n_buckets == 1 and json.loads(b"[" + text + b"]") == report["buckets"]
    with pytest.raises(AssemblyError, match="no bucket list"):
        split_report(b'{"kind":"leaf"}')
    with pytest.raises(ValueError):
        split_report(b'{"kind":"leaf","buckets":[')


def test_assembly_refuses_incomplete_layers():
    reports = _reports()
    with pytest.raises(AssemblyError, match="layer 0: leaves cover 2 rows of 4"):
        _assemble(reports[1:])
    with pytest.raises(AssemblyError, match="expected 2 layers"):
        assemble(
            header=["y"],
            datatypes=["T"],
            targets=[],
            population=[],
            config={"n_layers": 2, "bucket": 1},
            tau=1,
            leaves_by_layer=[[]],
        )
