"""``snakebatch plan`` and ``snakebatch pc`` through Typer's runner, AWS calls against moto."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from snakebatch.cli import app
from tests.support import write_outputs

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def plan_json(*args: str) -> dict:
    result = invoke("plan", "--rows", "1000000", "--layers", "5", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_json_has_the_contract_keys_and_predecessor_figures() -> None:
    data = plan_json("--predecessor-params", "--predecessor-formula")
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
    assert plan_json("--predecessor-params")["slots"] == 453
    assert plan_json("--predecessor-params", "--completion", "queue")["completion"] == "queue"


def test_plan_text_names_the_completion_and_slot_time() -> None:
    result = invoke("plan", "--rows", "1000000", "--layers", "5", "--completion", "conquer")
    assert result.exit_code == 0, result.output
    assert "453 for 6.7 min (conquer completion: 3.98 s of slot per leaf chain)" in result.output


def test_plan_unknown_completion_exits_2() -> None:
    result = invoke("plan", "--rows", "100", "--layers", "5", "--completion", "poll")
    assert result.exit_code == 2
    assert "--completion" in result.output


def test_plan_text_and_terminal_chart() -> None:
    result = invoke(
        "plan", "--rows", "7500", "--layers", "25", "--predecessor-params", "--chart", "-"
    )
    assert result.exit_code == 0, result.output
    assert "needs 17.40/s" in result.output
    assert "spawns/s" in result.output and "gatherer $" in result.output


def test_plan_chart_into_a_missing_directory_is_not_found() -> None:
    result = invoke("plan", "--rows", "100", "--layers", "5", "--chart", "/nonexistent/dir/x.png")
    assert result.exit_code == 4 and "error:" in result.stderr


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
    ],
)
def test_plan_bad_input_exits_2_with_a_message(args) -> None:
    result = invoke("plan", *args)
    assert result.exit_code == 2
    assert "rror:" in result.stderr and "Traceback" not in result.output


def test_plan_quotas_from_aws_fails_loudly_for_the_asked_region(aws_client) -> None:
    """moto's Service Quotas has no Lambda values: no silent fallback to bundled ones."""
    aws_client("sts")  # points the CLI's own clients at moto
    args = ("--rows", "7500", "--layers", "25", "--quotas-from-aws", "--region", "us-east-1")
    result = invoke("plan", *args, "--json")
    assert result.exit_code == 3 and result.stdout == ""
    assert "from Service Quotas in us-east-1" in result.stderr
    assert "region us-east-1" in result.stderr  # the target line


def test_plan_says_what_to_budget_and_prints_the_matching_pc_on(tmp_path) -> None:
    text = invoke("plan", "--rows", "1000000", "--layers", "5")
    assert text.exit_code == 0, text.output
    assert "budget         $" in text.stdout
    assert "next           snakebatch pc on --rows 1000000 --layers 5" in text.stdout
    data = plan_json()
    assert data["pc_on"]["slots"] == data["slots"] == 81
    assert data["pc_on"]["ttl_s"] == int(data["window_s"]) + 600
    assert data["budget_usd"] == pytest.approx(
        data["cost"]["gatherer"] + data["cost"]["on_demand"] + data["pc_on"]["cost_usd"]
    )
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(data))
    for source in (["--from-plan", str(plan_file)], ["--rows", "1000000", "--layers", "5"]):
        on = invoke("pc", "on", *source, "--dry-run", "--json")
        assert on.exit_code == 0, on.output
        doc = json.loads(on.stdout)
        assert (doc["slots"], doc["ttl_s"]) == (81, data["pc_on"]["ttl_s"])
        assert doc["cost_usd"] == pytest.approx(data["pc_on"]["cost_usd"])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--slots", "3", "--rows", "10", "--layers", "1"), 2, "exactly one of"),
        (("--rows", "10"), 2, "--rows and --layers go together"),
        (("--from-plan", "absent.json"), 4, "plan file not found"),
        (("--rows", "10", "--layers", "1", "--ttl", "5m"), 2, "--ttl goes with --slots"),
    ],
)
def test_pc_on_sources_are_exclusive(args, code, message) -> None:
    result = invoke("pc", "on", *args, "--dry-run")
    assert result.exit_code == code and message in result.stderr


def test_pc_on_dry_run_prints_plan_and_cost() -> None:
    result = invoke("pc", "on", "--slots", "81", "--ttl", "7m", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["slots"] == 81 and data["ttl_s"] == 420 and data["dry_run"]
    assert sum(data["per_function"].values()) == 81
    assert data["cost_usd"] == pytest.approx(81 * 4 * 420 * 168 / (100 * 4 * 86400))


@pytest.mark.parametrize("args", [("--slots", "0"), ("--slots", "5", "--ttl", "forever")])
def test_pc_on_bad_input_exits_2(args) -> None:
    result = invoke("pc", "on", *args, "--dry-run")
    assert result.exit_code == 2 and "error:" in result.stderr


def test_pc_status_reports_an_aws_error_cleanly(aws_client, monkeypatch) -> None:
    """moto has no provisioned-concurrency API: the CLI says so instead of crashing."""
    aws_client("sts")
    monkeypatch.setenv("SNAKEBATCH_SHARD_COUNT", "2")
    result = invoke("pc", "status")
    assert result.exit_code == 3
    assert "GetProvisionedConcurrencyConfig" in result.stderr
    assert "target: account 123456789012, region eu-west-3" in result.stderr


def test_pc_on_by_recent_load_reads_cloudwatch(aws_client, monkeypatch) -> None:
    aws_client("cloudwatch")
    monkeypatch.setenv("SNAKEBATCH_SHARD_COUNT", "4")
    result = invoke("pc", "on", "--slots", "6", "--by-recent-load", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(result.stdout)["per_function"].values()) == [1, 1, 2, 2]


@pytest.mark.parametrize(
    "command", [("pc", "status"), ("pc", "off", "--yes"), ("pc", "on", "--slots", "2")]
)
def test_no_credentials_refuses_with_exit_3_and_a_hint(no_credentials, command) -> None:
    result = invoke(*command)
    assert result.exit_code == 3
    assert "target: account unresolved" in result.stderr
    assert "pass --profile NAME" in result.stderr and "aws sso login" in result.stderr


def test_unknown_profile_is_exit_3(no_credentials) -> None:
    result = invoke("pc", "status", "--profile", "nobody")
    assert result.exit_code == 3 and "aws configure list-profiles" in result.stderr


def test_pc_off_dry_run_and_yes(no_credentials, monkeypatch) -> None:
    monkeypatch.setenv("SNAKEBATCH_SHARD_COUNT", "3")
    dry = invoke("pc", "off", "--dry-run", "--json", "--region", "us-east-2")
    assert dry.exit_code == 0, dry.output
    doc = json.loads(dry.stdout)
    assert doc["dry_run"] and len(doc["functions"]) == 3
    assert doc["target"]["region"] == "us-east-2" and doc["target"]["account"] is None
    refused = invoke("pc", "off")  # the runner's stdin is not a terminal
    assert refused.exit_code == 2 and "pass --yes" in refused.stderr


def test_env_targets_a_deployment_by_its_terraform_outputs(no_credentials, tmp_path) -> None:
    names = ["dev-w-00", "dev-w-01"]
    write_outputs(tmp_path, names, "dev-w")
    result = invoke("pc", "off", "--dry-run", "--json", "--env", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["functions"] == names
    assert "functions dev-w-00..dev-w-01 (2)" in result.stderr
    missing = invoke("pc", "status", "--env", str(tmp_path / "nowhere"))
    assert missing.exit_code == 3 and "no such deployment directory" in missing.stderr


@pytest.mark.parametrize("command", [("pc", "status"), ("preflight",)])
def test_unreachable_endpoint_is_exit_3_with_what_to_check(dead_endpoint, command) -> None:
    result = invoke(*command, "--region", "eu-west-3")
    assert result.exit_code == 3
    assert "Could not connect" in result.stderr and "check the network" in result.stderr


def test_a_plan_made_otherwise_is_handed_to_pc_on_as_a_file() -> None:
    """pc on --rows plans with the defaults; predecessor parameters go through plan.json."""
    plain = plan_json("--tau", "500", "--region", "us-east-1", "--profile", "ops")
    assert plain["next"] == (
        "snakebatch pc on --rows 1000000 --layers 5 --tau 500 --region us-east-1 --profile ops"
    )
    predecessor = plan_json("--predecessor-params")
    assert predecessor["next"] == (
        "snakebatch plan --rows 1000000 --layers 5 --predecessor-params --json > plan.json && "
        "snakebatch pc on --from-plan plan.json"
    )
