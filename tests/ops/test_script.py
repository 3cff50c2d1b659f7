"""scripts/pc-toggle.sh drives the real CLI (dry runs: nothing reaches AWS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pc-toggle.sh"


def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        **extra_env,
    }
    return subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_for_job_takes_slots_and_ttl_from_the_plan() -> None:
    done = run("for-job", "1000000", "5", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("dry run: 81 slots on 81 functions")
    assert "target: account" in done.stderr


def test_for_job_json_is_one_json_document() -> None:
    done = run("for-job", "1000000", "5", "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["slots"] == 81 and doc["ttl_s"] == 400 + 600 and doc["dry_run"]
    assert doc["target"]["region"] == "eu-west-3"


def test_for_job_plans_conquer_slots_when_asked() -> None:
    done = run("for-job", "1000000", "5", "--dry-run", PC_TOGGLE_COMPLETION="conquer")
    assert done.returncode == 0, done.stderr
    assert "dry run: 453 slots on 100 functions" in done.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("1000000", "5"), {"PC_TOGGLE_COMPLETION": "poll"}, "must be queue or conquer"),
        (("0", "5"), {}, "rows must be a positive integer"),
        (("10", "5", "--slots", "3"), {}, "exactly one of --slots"),
    ],
)
def test_for_job_bad_input_is_the_message_not_a_traceback(args, env, message) -> None:
    done = run("for-job", *args, "--dry-run", **env)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_small_job_needs_no_slots() -> None:
    done = run("for-job", "1000", "1", "--dry-run")
    assert done.returncode == 0 and "needs no provisioned slots" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("args", [(), ("bogus",), ("on",), ("for-job", "10")])
def test_usage_errors_exit_2(args) -> None:
    done = run(*args)
    assert done.returncode == 2 and "usage:" in done.stderr


def test_bad_ttl_is_the_cli_error() -> None:
    done = run("on", "5", "forever", "--dry-run")
    assert done.returncode == 2 and "ttl must look like" in done.stderr
