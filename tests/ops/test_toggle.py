"""Provisioned-concurrency toggles: EventBridge Scheduler over HTTP against moto, Lambda's
provisioned-concurrency calls through ``botocore.stub.Stubber`` (moto has none), which
validates every request against the real service model."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from snakebatch.ops.prices import PREDECESSOR_PRICES
from snakebatch.ops.toggle import (
    DELETE_PC_TARGET,
    PcToggle,
    SweepError,
    ToggleError,
    ToggleInputError,
    parse_at_expression,
    parse_ttl,
    plan_toggle,
    recent_load,
    schedule_name,
    spread_slots,
)
from snakebatch.settings import Settings

NOW = datetime(2026, 11, 28, 15, 0, 0, tzinfo=UTC)
ROLE = "arn:aws:iam::123456789012:role/v9-pc-auto-off"


def settings(shards: int = 3) -> Settings:
    return Settings(
        backend="aws",
        function_prefix=f"t{uuid.uuid4().hex[:8]}",
        shard_count=shards,
        bucket="b",
        reports_queue_url="",
        reports_dlq_url="",
        job_table="t",
        home=Path("/nonexistent"),
        region="eu-west-3",
    )


@pytest.fixture
def lam():
    client = boto3.session.Session().client(
        "lambda",
        region_name="eu-west-3",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def put(stub: Stubber, fn: str, n: int) -> None:
    stub.add_response(
        "put_provisioned_concurrency_config",
        {"RequestedProvisionedConcurrentExecutions": n, "Status": "IN_PROGRESS"},
        {"FunctionName": fn, "Qualifier": "live", "ProvisionedConcurrentExecutions": n},
    )


def delete(stub: Stubber, fn: str, error: str | None = None) -> None:
    params = {"FunctionName": fn, "Qualifier": "live"}
    if error:
        stub.add_client_error(
            "delete_provisioned_concurrency_config", error, expected_params=params
        )
    else:
        stub.add_response("delete_provisioned_concurrency_config", {}, params)


def off_at(scheduler, fn: str) -> datetime | None:
    try:
        got = scheduler.get_schedule(Name=schedule_name(fn))
    except scheduler.exceptions.ResourceNotFoundException:
        return None
    assert got["Target"]["Arn"] == DELETE_PC_TARGET
    assert got["Target"]["RoleArn"] == ROLE
    assert json.loads(got["Target"]["Input"]) == {"FunctionName": fn, "Qualifier": "live"}
    prefix = fn.rsplit("-", 1)[0]
    dlq = f"arn:aws:sqs:eu-west-3:123456789012:{prefix}-pc-auto-off-dlq"
    assert got["Target"]["DeadLetterConfig"] == {"Arn": dlq}
    assert got["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 5
    return parse_at_expression(got["ScheduleExpression"])


def test_parse_ttl() -> None:
    assert parse_ttl("30m") == 1800
    assert parse_ttl("2h") == 7200
    assert parse_ttl("90s") == 90
    assert parse_ttl("600") == 600
    for bad in ("", "30x", "-5m", "10s", "25h", "1.5h"):
        with pytest.raises(ToggleInputError):
            parse_ttl(bad)


def test_spread_slots_follows_weights_and_sums() -> None:
    assert spread_slots(10, [1, 1, 1]) == [4, 3, 3]
    assert spread_slots(7, [0, 3, 1]) == [0, 5, 2]
    assert spread_slots(0, [1, 2]) == [0, 0]
    assert sum(spread_slots(449, [1.0] * 100)) == 449
    for total, weights in ((-1, [1]), (3, []), (3, [0, 0]), (3, [1, -1]), (3, [float("nan")])):
        with pytest.raises(ToggleInputError):
            spread_slots(total, weights)


def test_plan_prices_the_window() -> None:
    s = settings(100)
    plan = plan_toggle(81, 390, s, PREDECESSOR_PRICES, 4.0, NOW)
    assert plan.total == 81 and len(plan.slots) == 81
    assert plan.off_at == NOW + timedelta(seconds=390)
    assert plan.cost_usd == pytest.approx(81 * 4 * 390 * PREDECESSOR_PRICES.pc_gb_s)
    with pytest.raises(ToggleInputError):
        plan_toggle(0, 390, s, PREDECESSOR_PRICES, 4.0, NOW)
    with pytest.raises(ToggleInputError):
        plan_toggle(5, 390, s, PREDECESSOR_PRICES, 4.0, NOW, weights=[1.0, 2.0])


def test_on_schedules_every_off_before_turning_on(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings()
    fns = [s.function_name(i) for i in range(3)]
    plan = plan_toggle(5, 1800, s, PREDECESSOR_PRICES, 4.0, NOW)
    for fn, n in zip(fns, (2, 2, 1), strict=True):
        put(stub, fn, n)
    assert PcToggle(client, scheduler, s, ROLE).on(plan) == fns
    for fn in fns:
        assert off_at(scheduler, fn) == NOW + timedelta(seconds=1800)


def test_partial_failure_turns_back_off_and_keeps_the_auto_off(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings()
    fns = [s.function_name(i) for i in range(3)]
    plan = plan_toggle(3, 600, s, PREDECESSOR_PRICES, 4.0, NOW)
    put(stub, fns[0], 1)
    stub.add_client_error(
        "put_provisioned_concurrency_config", "TooManyRequestsException", http_status_code=429
    )
    delete(stub, fns[0])
    delete(stub, fns[1], "ResourceNotFoundException")
    with pytest.raises(ToggleError) as caught:
        PcToggle(client, scheduler, s, ROLE).on(plan)
    assert caught.value.rolled_back == fns[:2] and caught.value.still_on == []
    assert off_at(scheduler, fns[0]) == NOW + timedelta(seconds=600)
    assert off_at(scheduler, fns[1]) == NOW + timedelta(seconds=600)
    assert off_at(scheduler, fns[2]) is None


def test_failed_rollback_is_reported_and_still_scheduled(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings(2)
    fns = [s.function_name(i) for i in range(2)]
    plan = plan_toggle(2, 600, s, PREDECESSOR_PRICES, 4.0, NOW)
    put(stub, fns[0], 1)
    stub.add_client_error("put_provisioned_concurrency_config", "ServiceException", 500)
    delete(stub, fns[0], "ServiceException")
    delete(stub, fns[1])
    with pytest.raises(ToggleError) as caught:
        PcToggle(client, scheduler, s, ROLE).on(plan)
    assert caught.value.still_on == [fns[0]]
    assert "still on until their scheduled off" in str(caught.value)
    assert off_at(scheduler, fns[0]) is not None


def test_scheduler_failure_turns_nothing_more_on(aws_client, lam) -> None:
    client, stub = lam
    real = aws_client("scheduler")
    s = settings()
    fns = [s.function_name(i) for i in range(3)]
    plan = plan_toggle(3, 600, s, PREDECESSOR_PRICES, 4.0, NOW)
    with Stubber(real) as sched_stub:
        sched_stub.add_response("create_schedule", {"ScheduleArn": "arn:aws:scheduler:x"})
        sched_stub.add_client_error("create_schedule", "ValidationException", 400)
        put(stub, fns[0], 1)
        delete(stub, fns[0])
        with pytest.raises(ToggleError) as caught:
            PcToggle(client, real, s, ROLE).on(plan)
        sched_stub.assert_no_pending_responses()
    assert caught.value.rolled_back == [fns[0]]


def test_on_again_moves_the_off_time(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings(1)
    fn = s.function_name(0)
    toggle = PcToggle(client, scheduler, s, ROLE)
    put(stub, fn, 4)
    put(stub, fn, 4)
    toggle.on(plan_toggle(4, 600, s, PREDECESSOR_PRICES, 4.0, NOW))
    later = NOW + timedelta(minutes=5)
    toggle.on(plan_toggle(4, 1800, s, PREDECESSOR_PRICES, 4.0, later))
    assert off_at(scheduler, fn) == later + timedelta(seconds=1800)


def test_off_deletes_slots_and_schedules(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings(2)
    fns = [s.function_name(i) for i in range(2)]
    toggle = PcToggle(client, scheduler, s, ROLE)
    put(stub, fns[0], 3)
    toggle.on(plan_toggle(3, 600, s, PREDECESSOR_PRICES, 4.0, NOW, weights=[1, 0]))
    delete(stub, fns[0])
    delete(stub, fns[1], "ProvisionedConcurrencyConfigNotFoundException")
    assert toggle.off() == fns
    assert off_at(scheduler, fns[0]) is None


def test_status_reports_slots_time_left_and_spend(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings(3)
    fns = [s.function_name(i) for i in range(3)]
    toggle = PcToggle(client, scheduler, s, ROLE, now=lambda: NOW + timedelta(minutes=10))
    put(stub, fns[0], 2)
    put(stub, fns[1], 1)
    toggle.on(plan_toggle(3, 1800, s, PREDECESSOR_PRICES, 4.0, NOW, weights=[2, 1, 0]))
    for fn, n in ((fns[0], 2), (fns[1], 1)):
        stub.add_response(
            "get_provisioned_concurrency_config",
            {
                "RequestedProvisionedConcurrentExecutions": n,
                "AllocatedProvisionedConcurrentExecutions": n,
                "Status": "READY",
                "LastModified": "2026-11-28T15:00:00.000+0000",
            },
            {"FunctionName": fn, "Qualifier": "live"},
        )
    stub.add_client_error(
        "get_provisioned_concurrency_config",
        "ProvisionedConcurrencyConfigNotFoundException",
        expected_params={"FunctionName": fns[2], "Qualifier": "live"},
    )
    status = toggle.status(PREDECESSOR_PRICES, 4.0)
    assert status.slots == 3
    assert status.seconds_left == pytest.approx(20 * 60)
    assert status.spent_usd == pytest.approx(3 * 4 * 600 * PREDECESSOR_PRICES.pc_gb_s)
    assert status.unscheduled == []
    assert status.as_dict()["shards"][0]["state"] == "READY"
    assert status.shard_lines() == [
        f"{fns[0]}: 2 slots, READY, off at 2026-11-28 15:30:00 UTC",
        f"{fns[1]}: 1 slots, READY, off at 2026-11-28 15:30:00 UTC",
    ]


def test_role_must_be_an_arn(lam) -> None:
    client, _ = lam
    with pytest.raises(ToggleInputError):
        PcToggle(client, object(), settings(), "not-an-arn")


def test_recent_load_reads_cloudwatch_invocations(aws_client) -> None:
    cloudwatch = aws_client("cloudwatch")
    s = settings(3)
    fns = [s.function_name(i) for i in range(3)]
    now = datetime.now(UTC)
    assert recent_load(cloudwatch, fns, now) == [1.0, 1.0, 1.0]  # no history: even
    for fn, count in ((fns[0], 30.0), (fns[2], 10.0)):
        cloudwatch.put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Invocations",
                    "Dimensions": [{"Name": "FunctionName", "Value": fn}],
                    "Value": count,
                    "Timestamp": now - timedelta(hours=1),
                }
            ],
        )
    weights = recent_load(cloudwatch, fns, now)
    assert weights == [30.0, 0.0, 10.0]
    plan = plan_toggle(8, 600, s, PREDECESSOR_PRICES, 4.0, NOW, weights)
    assert plan.slots == {fns[0]: 6, fns[2]: 2}
    with pytest.raises(ToggleInputError):
        recent_load(cloudwatch, fns, now, hours=0)


def config(stub: Stubber, fn: str, n: int, since: str) -> None:
    stub.add_response(
        "get_provisioned_concurrency_config",
        {
            "RequestedProvisionedConcurrentExecutions": n,
            "AllocatedProvisionedConcurrentExecutions": n,
            "Status": "READY",
            "LastModified": since,
        },
        {"FunctionName": fn, "Qualifier": "live"},
    )


def no_config(stub: Stubber, fn: str) -> None:
    stub.add_client_error(
        "get_provisioned_concurrency_config",
        "ProvisionedConcurrencyConfigNotFoundException",
        expected_params={"FunctionName": fn, "Qualifier": "live"},
    )


def test_sweep_turns_off_only_what_no_pending_off_covers(aws_client, lam) -> None:
    """Shard 0 has a live session, shard 1 leaked (no schedule), shard 2 is off, and
    shard 3's schedule is past due (it failed): the sweep turns off 1 and 3 only."""
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings(4)
    fns = [s.function_name(i) for i in range(4)]
    clock = [NOW]
    toggle = PcToggle(client, scheduler, s, ROLE, now=lambda: clock[0])
    put(stub, fns[0], 2)
    put(stub, fns[3], 1)
    toggle.on(plan_toggle(3, 3600, s, PREDECESSOR_PRICES, 4.0, NOW, weights=[2, 0, 0, 1]))
    toggle._schedule_off(fns[3], NOW - timedelta(minutes=5))
    clock[0] = NOW + timedelta(minutes=30)
    config(stub, fns[0], 2, "2026-11-28T15:00:00.000+0000")
    config(stub, fns[1], 4, "2026-11-28T09:00:00.000+0000")
    no_config(stub, fns[2])
    config(stub, fns[3], 1, "2026-11-28T14:00:00.000+0000")
    delete(stub, fns[1])
    delete(stub, fns[3])
    result = toggle.sweep()
    assert result.turned_off == [fns[1], fns[3]]
    assert result.covered == [fns[0]]
    assert result.oldest_age_s == 30 * 60


def test_sweep_raises_after_trying_every_shard_and_reports_the_leak_age(aws_client, lam) -> None:
    client, stub = lam
    scheduler = aws_client("scheduler")
    s = settings(2)
    fns = [s.function_name(i) for i in range(2)]
    toggle = PcToggle(client, scheduler, s, ROLE, now=lambda: NOW)
    config(stub, fns[0], 1, "2026-11-27T15:00:00.000+0000")
    config(stub, fns[1], 1, "2026-11-28T14:00:00.000+0000")
    delete(stub, fns[0], "AccessDeniedException")
    delete(stub, fns[1])
    with pytest.raises(SweepError, match=fns[0]) as caught:
        toggle.sweep()
    assert caught.value.result.turned_off == [fns[1]]
    assert caught.value.result.oldest_age_s == 24 * 3600


def test_dlq_defaults_to_the_role_accounts_queue(lam, monkeypatch) -> None:
    client, _ = lam
    s = settings()
    toggle = PcToggle(client, object(), s, ROLE)
    assert (
        toggle.dlq_arn == f"arn:aws:sqs:eu-west-3:123456789012:{s.function_prefix}-pc-auto-off-dlq"
    )
    given = "arn:aws:sqs:eu-west-3:123456789012:elsewhere"
    assert PcToggle(client, object(), s, ROLE, dlq_arn=given).dlq_arn == given
    monkeypatch.setenv("SNAKEBATCH_PC_OFF_DLQ_ARN", given)
    assert PcToggle(client, object(), s, ROLE).dlq_arn == given
    monkeypatch.delenv("SNAKEBATCH_PC_OFF_DLQ_ARN")
    with pytest.raises(ToggleInputError, match="12-digit account"):
        PcToggle(client, object(), s, "arn:aws:iam::role/no-account")


def test_sweeper_publishes_the_oldest_age_the_alarm_watches(aws_client) -> None:
    from functions.handler_sweep import METRIC, publish
    from snakebatch.ops.toggle import SweepResult

    cloudwatch = aws_client("cloudwatch")
    namespace = f"Sweep{uuid.uuid4().hex[:8]}"
    publish(cloudwatch, namespace, SweepResult([], ["f-00"], 1234.0))
    stats = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=METRIC,
        StartTime=datetime.now(UTC) - timedelta(minutes=5),
        EndTime=datetime.now(UTC) + timedelta(minutes=5),
        Period=60,
        Statistics=["Maximum"],
    )
    assert [p["Maximum"] for p in stats["Datapoints"]] == [1234.0]
