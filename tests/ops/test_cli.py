"""``snakebatch plan`` and ``snakebatch pc`` through Typer's runner, AWS calls against moto."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from snakebatch.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def plan_json(*args: str) -> dict:
    result = invoke("plan", "--rows", "1000000", "--layers", "5", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_plan_json_has_the_contract_keys_and_seed_figures() -> None:
    data = plan_json("--seed-params", "--seed-formula")
    for key in ("feasible", "slots", "window_s", "cost_usd", "peak_spawn_rate", "wall_s"):
        assert key in data
    assert data["feasible"] and data["slots"] == 81
    assert data["completion"] == "conquer" and data["slot_s"] == pytest.approx(0.71)
    assert data["cost_usd"] == pytest.approx(1.75, rel=0.05)
    assert data["wedges_without_governor"] is True
    assert data["wall_s"] > 0 and not data["wedged"]


def test_plan_sizes_slots_for_the_completion_mode() -> None:
    """Default: the mesh's queue completion, the predecessor's slot time; conquer: its hold."""
    queue = plan_json()
    assert queue["completion"] == "queue" and queue["slots"] == 81
    conquer = plan_json("--completion", "conquer")
    assert conquer["completion"] == "conquer" and conquer["slots"] == 453
    assert conquer["slot_s"] == pytest.approx(3.976, abs=1e-3)
    assert conquer["cost"]["provisioned"] > 5 * queue["cost"]["provisioned"]
    assert not conquer["wedged"]
    assert plan_json("--seed-params")["slots"] == 453
    assert plan_json("--seed-params", "--completion", "queue")["completion"] == "queue"


def test_plan_text_names_the_completion_and_slot_time() -> None:
    result = invoke("plan", "--rows", "1000000", "--layers", "5", "--completion", "conquer")
    assert result.exit_code == 0, result.output
    assert "453 for 6.7 min (conquer completion: 3.98 s of slot per leaf chain)" in result.output


def test_plan_unknown_completion_exits_2() -> None:
    result = invoke("plan", "--rows", "100", "--layers", "5", "--completion", "poll")
    assert result.exit_code == 2
    assert "--completion" in result.output


def test_plan_text_and_terminal_chart() -> None:
    result = invoke("plan", "--rows", "7500", "--layers", "25", "--seed-params", "--chart", "-")
    assert result.exit_code == 0, result.output
    assert "needs 17.40/s" in result.output
    assert "spawns/s" in result.output and "gatherer $" in result.output


def test_plan_png_chart(tmp_path) -> None:
    out = tmp_path / "spawn.png"
    result = invoke("plan", "--rows", "20000", "--layers", "5", "--chart", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "args",
    [
        ("--rows", "0", "--layers", "5"),
        ("--rows", "100", "--layers", "5", "--tau", "-1"),
        ("--rows", "100", "--layers", "5", "--region", "mars-north-1"),
        ("--rows", "100", "--layers", "5", "--chart", "/nonexistent/dir/x.png"),
    ],
)
def test_plan_bad_input_exits_2_with_a_message(args) -> None:
    result = invoke("plan", *args)
    assert result.exit_code == 2
    assert "error:" in result.output


def test_plan_falls_back_to_seed_quotas_when_service_quotas_has_none(aws_client) -> None:
    aws_client("sts")  # points the CLI's own clients at moto
    result = invoke("plan", "--rows", "7500", "--layers", "25", "--quotas-from-aws", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scaling_rate"] == pytest.approx(1000 / 60)
    assert data["quotas_source"].startswith("predecessor §8.1")


def test_pc_on_dry_run_prints_plan_and_cost() -> None:
    result = invoke("pc", "on", "--slots", "81", "--ttl", "7m", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["slots"] == 81 and data["ttl_s"] == 420 and data["dry_run"]
    assert sum(data["per_function"].values()) == 81
    assert data["cost_usd"] == pytest.approx(81 * 4 * 420 * 168 / (100 * 4 * 86400))


@pytest.mark.parametrize("args", [("--slots", "0"), ("--slots", "5", "--ttl", "forever")])
def test_pc_on_bad_input_exits_2(args) -> None:
    result = invoke("pc", "on", *args, "--dry-run")
    assert result.exit_code == 2 and "error:" in result.output


def test_pc_status_reports_an_aws_error_cleanly(aws_client, monkeypatch) -> None:
    """moto has no provisioned-concurrency API: the CLI says so instead of crashing."""
    aws_client("sts")
    monkeypatch.setenv("SNAKEBATCH_SHARD_COUNT", "2")
    result = invoke("pc", "status")
    assert result.exit_code == 2
    assert "GetProvisionedConcurrencyConfig" in result.output


def test_pc_on_by_recent_load_reads_cloudwatch(aws_client, monkeypatch) -> None:
    aws_client("cloudwatch")
    monkeypatch.setenv("SNAKEBATCH_SHARD_COUNT", "4")
    result = invoke("pc", "on", "--slots", "6", "--by-recent-load", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.output)["per_function"].values()) == [1, 1, 2, 2]
