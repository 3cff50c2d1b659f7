"""``snakebatch jobs list|show|prune`` over a real SQLite job store and store directory."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from snakebatch.backends.base import JobRecord
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.cli import app

DAY = 86400


@pytest.fixture
def home(tmp_path):
    store = SqliteJobStore(tmp_path / "jobs.sqlite")
    now = time.time()
    for job_id, state, age in (
        ("olddone", "done", 9 * DAY),
        ("oldrunning", "running", 9 * DAY),
        ("newdone", "done", DAY),
    ):
        store.create(JobRecord(job_id, state, {"seed": 1}, 10, created_at=now - age))
        files = tmp_path / "store" / "jobs" / job_id
        files.mkdir(parents=True)
        (files / "pop.json.gz").write_bytes(b"x" * 100)
    return tmp_path


def jobs(*args: str, home) -> object:
    return CliRunner().invoke(app, ["jobs", *args, "--home", str(home)])


def test_list_and_show(home):
    listed = jobs("list", "--json", home=home)
    assert listed.exit_code == 0, listed.output
    doc = json.loads(listed.stdout)
    assert [j["model_id"] for j in doc["jobs"]] == ["olddone", "oldrunning", "newdone"]
    assert doc["jobs"][0]["bytes"] == 100 and doc["state"]["bytes"] >= 300
    text = jobs("list", home=home)
    assert f"state: {home}" in text.stderr and "olddone" in text.stdout
    shown = jobs("show", "newdone", "--json", home=home)
    assert json.loads(shown.stdout)["params"] == {"seed": 1}
    missing = jobs("show", "nope", home=home)
    assert missing.exit_code == 4 and "no such job" in missing.stderr


def test_prune_removes_only_old_finished_jobs(home):
    dry = jobs("prune", "--older-than", "7d", "--dry-run", "--json", home=home)
    assert json.loads(dry.stdout) | {"home": ""} == {
        "dry_run": True,
        "pruned": ["olddone"],
        "bytes_freed": 100,
        "home": "",
    }
    assert (home / "store" / "jobs" / "olddone").exists()
    done = jobs("prune", "--older-than", "7d", home=home)
    assert done.exit_code == 0 and "removed 1 job(s), 100 bytes" in done.stdout
    assert not (home / "store" / "jobs" / "olddone").exists()
    left = [j["model_id"] for j in json.loads(jobs("list", "--json", home=home).stdout)["jobs"]]
    assert left == ["oldrunning", "newdone"]


def test_bad_age_and_empty_home(home, tmp_path_factory):
    bad = jobs("prune", "--older-than", "a week", home=home)
    assert bad.exit_code == 2 and "--older-than must look like" in bad.stderr
    empty = jobs("list", home=tmp_path_factory.mktemp("empty"))
    assert empty.exit_code == 4 and "no local jobs yet" in empty.stderr
