"""The SQLite job store and assembly from hand-made leaf reports."""

from __future__ import annotations

import json
import random

import pytest

from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.engine.modelio import dumps_model, loads_model
from snakebatch.mesh.assembly import AssemblyError, assemble
from snakebatch.mesh.jobs import JobExists, JobNotFound, JobRecord, LeafEntry
from snakebatch.mesh.reports import leaf_report

LIT = [1, 15.0, False, "N"]


def test_job_store_lifecycle_and_idempotency(tmp_path):
    jobs = SqliteJobStore(tmp_path / "jobs.sqlite")
    jobs.create(JobRecord("a", "queued", {"n_layers": 2}, n_rows=4, created_at=1.0))
    with pytest.raises(JobExists):
        jobs.create(JobRecord("a", "queued", {}))
    with pytest.raises(JobNotFound, match="'nope'"):
        jobs.get("nope")
    jobs.set_running("a", 4)
    jobs.set_timing("a", "staging_s", 0.5)
    entry = LeafEntry(0, "leaf1", "0", 3, 2, "k1")
    assert jobs.add_leaf("a", entry)
    assert not jobs.add_leaf("a", LeafEntry(0, "leaf1", "0", 99, 9, "other"))
    jobs.add_leaf("a", LeafEntry(0, "leaf2", "1", 1, 1, "k2"))
    jobs.add_leaf("a", LeafEntry(1, "leaf3", "", 4, 1, "k3"))
    assert jobs.coverage("a") == {0: (2, 4), 1: (1, 4)}
    assert [e.leaf_id for e in jobs.leaves("a")] == ["leaf1", "leaf2", "leaf3"]
    assert jobs.unfinished() == ["a"]
    assert jobs.finish("a", "done", error=None, at=2.0)
    assert not jobs.finish("a", "failed", error="late", at=3.0)
    record = jobs.get("a")
    assert (record.state, record.error, record.timings) == ("done", None, {"staging_s": 0.5})
    assert jobs.unfinished() == []
    with pytest.raises(JobNotFound):
        jobs.finish("zzz", "failed", error="x", at=1.0)
    with pytest.raises(ValueError, match="finish takes"):
        jobs.finish("a", "running", error=None, at=1.0)


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


def _assemble(reports):
    by_layer = [[r for r in reports if r["layer"] == i] for i in range(2)]
    return assemble(
        header=["y", "size", "name"],
        datatypes=["T", "N", "T"],
        targets=["A", "B", "A", "B"],
        population=[
            {"y": "A", "size": 10.0, "name": "ab"},
            {"y": "B", "size": 11.0, "name": "cd"},
            {"y": "A", "size": 20.0, "name": "ae"},
            {"y": "B", "size": 21.0, "name": "bb"},
        ],
        config={
            "n_layers": 2,
            "bucket": 2,
            "noise": 0,
            "vocal": False,
            "workers": 1,
            "oppose_profile": "balanced",
            "lookahead": 5,
        },
        tau=2,
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
