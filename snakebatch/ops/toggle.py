"""Provisioned-concurrency toggles that turn themselves off on the AWS side.

A slot left on bills around the clock (predecessor §8.2: a leaked toggle on 100 shards is
$168/day), so every "on" first schedules its own "off" with EventBridge Scheduler: a
one-shot ``at(...)`` schedule per shard whose universal target calls Lambda's
``DeleteProvisionedConcurrencyConfig`` at T+ttl. The schedule is created *before* the
slots on that shard, so a laptop that dies between the two calls leaks nothing; if any
call fails, the shards already turned on are turned off again, and their schedules
stay as a backstop.

A schedule that fails (a mis-scoped role, a throttled call) would otherwise delete
itself without a word, so each one retries and then lands in the dead-letter queue
Terraform creates, whose depth raises an alarm. Behind both, ``sweep`` (run every few
minutes by a ``rate()`` schedule, ``functions/handler_sweep.py``) turns off every config
that no pending schedule covers, and reports the age of the oldest config still on.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from snakebatch.ops.prices import Prices
from snakebatch.settings import Settings, defaults

DELETE_PC_TARGET = "arn:aws:scheduler:::aws-sdk:lambda:deleteProvisionedConcurrencyConfig"
SCHEDULE_GROUP = "default"
ROLE_ENV = "SNAKEBATCH_PC_OFF_ROLE_ARN"
DLQ_ENV = "SNAKEBATCH_PC_OFF_DLQ_ARN"
#: Names Terraform's naming module gives the scheduler role, its DLQ and the sweeper.
ROLE_SUFFIX = "-pc-auto-off"
DLQ_SUFFIX = "-pc-auto-off-dlq"
SWEEPER_SUFFIX = "-pc-sweeper"
#: Failed deletes are retried this often before the event goes to the DLQ.
SCHEDULE_RETRIES = 5
MAX_TTL_S = 24 * 3600
_NOT_FOUND = {"ResourceNotFoundException", "ProvisionedConcurrencyConfigNotFoundException"}


class SweepError(RuntimeError):
    """Some uncovered configs could not be turned off; ``result`` says what was done."""

    def __init__(self, message: str, result: SweepResult) -> None:
        super().__init__(message)
        self.result = result


class ToggleInputError(ValueError):
    """Slots, TTL or weights out of range."""


class ToggleError(RuntimeError):
    """An AWS call failed while turning slots on; what was turned on has been turned off."""

    def __init__(self, message: str, rolled_back: list[str], still_on: list[str]) -> None:
        super().__init__(message)
        self.rolled_back = rolled_back
        self.still_on = still_on


def parse_ttl(text: str) -> int:
    """``90s``, ``30m``, ``2h`` or plain seconds → seconds, between 1 min and 24 h."""
    match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text or "")
    if not match:
        raise ToggleInputError(f"ttl must look like 90s, 30m or 2h, got {text!r}")
    seconds = int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
    if not 60 <= seconds <= MAX_TTL_S:
        raise ToggleInputError(f"ttl must be between 1 minute and 24 hours, got {text!r}")
    return seconds


def spread_slots(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` slots in proportion to ``weights`` (largest remainder, ties to
    the lower shard), so the busiest shards get the slots first."""
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ToggleInputError(f"slots must be a non-negative integer, got {total!r}")
    if not weights or any(not (w >= 0) for w in weights) or sum(weights) <= 0:
        raise ToggleInputError("weights must be non-negative with a positive sum")
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def expected_load(shard_count: int) -> list[float]:
    """Every node goes to ``sha256(model_id, path) % shard_count``, so in expectation each
    shard carries the same share of a training."""
    return [1.0] * shard_count


def recent_load(
    cloudwatch: Any, functions: Sequence[str], now: datetime, hours: int = 24
) -> list[float]:
    """Invocations per function over the last ``hours`` (CloudWatch ``AWS/Lambda``): the
    measured version of ``expected_load``, for accounts whose jobs favour some shards.
    With no history at all it falls back to the even spread."""
    if not 1 <= hours <= 24 * 14:
        raise ToggleInputError(f"hours must be between 1 and 336, got {hours!r}")
    sums = [0.0] * len(functions)
    for start in range(0, len(functions), 500):  # GetMetricData's query limit
        queries = [
            {
                "Id": f"f{i}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/Lambda",
                        "MetricName": "Invocations",
                        "Dimensions": [{"Name": "FunctionName", "Value": functions[i]}],
                    },
                    "Period": hours * 3600,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
            for i in range(start, min(start + 500, len(functions)))
        ]
        answer = cloudwatch.get_metric_data(
            MetricDataQueries=queries, StartTime=now - timedelta(hours=hours), EndTime=now
        )
        for result in answer["MetricDataResults"]:
            sums[int(result["Id"][1:])] = float(sum(result.get("Values", [])))
    return sums if sum(sums) > 0 else [1.0] * len(functions)


def at_expression(when: datetime) -> str:
    return f"at({when.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


def parse_at_expression(expression: str) -> datetime | None:
    match = re.fullmatch(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)", expression or "")
    if not match:
        return None
    return datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class TogglePlan:
    """Which alias gets how many slots, until when, for how much."""

    slots: dict[str, int]
    ttl_s: int
    off_at: datetime
    cost_usd: float

    @property
    def total(self) -> int:
        return sum(self.slots.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "slots": self.total,
            "per_function": self.slots,
            "ttl_s": self.ttl_s,
            "off_at": self.off_at.isoformat(),
            "cost_usd": self.cost_usd,
        }


def plan_toggle(
    total_slots: int,
    ttl_s: int,
    settings: Settings,
    prices: Prices,
    memory_gb: float,
    now: datetime,
    weights: Sequence[float] | None = None,
) -> TogglePlan:
    if total_slots < 1:
        raise ToggleInputError(f"slots must be at least 1, got {total_slots!r}")
    weights = list(weights) if weights is not None else expected_load(settings.shard_count)
    if len(weights) != settings.shard_count:
        raise ToggleInputError(
            f"need one weight per shard ({settings.shard_count}), got {len(weights)}"
        )
    shares = spread_slots(total_slots, weights)
    slots = {settings.function_name(i): n for i, n in enumerate(shares) if n}
    return TogglePlan(
        slots=slots,
        ttl_s=ttl_s,
        off_at=now + timedelta(seconds=ttl_s),
        cost_usd=total_slots * memory_gb * ttl_s * prices.pc_gb_s,
    )


def schedule_name(function_name: str) -> str:
    return f"pc-off-{function_name}"


def default_dlq_arn(role_arn: str, region: str, function_prefix: str) -> str:
    """The schedules' DLQ in the role's account, under the name Terraform gives it."""
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        raise ToggleInputError(f"role_arn must carry a 12-digit account, got {role_arn!r}")
    return f"arn:{parts[1]}:sqs:{region}:{parts[4]}:{function_prefix}{DLQ_SUFFIX}"


def _code(error: Exception) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")


@dataclass
class ShardStatus:
    function: str
    requested: int
    allocated: int
    state: str
    since: datetime | None
    off_at: datetime | None


@dataclass(frozen=True)
class SweepResult:
    """What a sweep turned off, and how old the oldest config left on is (0 for none)."""

    turned_off: list[str]
    covered: list[str]
    oldest_age_s: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "turned_off": self.turned_off,
            "covered": self.covered,
            "oldest_age_s": self.oldest_age_s,
        }


@dataclass
class Status:
    shards: list[ShardStatus] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    prices: Prices | None = None
    memory_gb: float = 4.0

    @property
    def slots(self) -> int:
        return sum(s.requested for s in self.shards)

    @property
    def seconds_left(self) -> float | None:
        ends = [s.off_at for s in self.shards if s.off_at is not None]
        return max(0.0, (min(ends) - self.now).total_seconds()) if ends else None

    @property
    def unscheduled(self) -> list[str]:
        """Shards with slots and no pending auto-off: these would leak."""
        return [s.function for s in self.shards if s.requested and s.off_at is None]

    @property
    def spent_usd(self) -> float:
        price = self.prices.pc_gb_s if self.prices else 0.0
        return sum(
            s.requested * self.memory_gb * max(0.0, (self.now - s.since).total_seconds()) * price
            for s in self.shards
            if s.since is not None
        )

    def shard_lines(self) -> list[str]:
        """One line per shard with slots: how many, their state and the pending off."""
        return [
            f"{s.function}: {s.requested} slots, {s.state or '?'}, off at "
            + (s.off_at.strftime("%Y-%m-%d %H:%M:%S UTC") if s.off_at else "NONE (would leak)")
            for s in self.shards
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "slots": self.slots,
            "seconds_left": self.seconds_left,
            "spent_usd": self.spent_usd,
            "unscheduled": self.unscheduled,
            "shards": [
                {
                    "function": s.function,
                    "requested": s.requested,
                    "allocated": s.allocated,
                    "state": s.state,
                    "since": s.since.isoformat() if s.since else None,
                    "off_at": s.off_at.isoformat() if s.off_at else None,
                }
                for s in self.shards
            ],
        }


class PcToggle:
    """The AWS side: a ``lambda`` and a ``scheduler`` boto3 client and the deployment names."""

    def __init__(
        self,
        lambda_client: Any,
        scheduler_client: Any,
        settings: Settings,
        role_arn: str,
        alias: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        dlq_arn: str | None = None,
    ) -> None:
        if not role_arn.startswith("arn:"):
            raise ToggleInputError(f"role_arn must be an IAM role ARN, got {role_arn!r}")
        self.lam = lambda_client
        self.scheduler = scheduler_client
        self.settings = settings
        self.role_arn = role_arn
        self.dlq_arn = (
            dlq_arn
            or os.environ.get(DLQ_ENV)
            or default_dlq_arn(role_arn, settings.region, settings.function_prefix)
        )
        self.alias = alias or defaults()["alias"]
        self.now = now

    def _schedule_off(self, function: str, off_at: datetime) -> None:
        request = {
            "Name": schedule_name(function),
            "GroupName": SCHEDULE_GROUP,
            "ScheduleExpression": at_expression(off_at),
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "ActionAfterCompletion": "DELETE",
            "Description": f"snakebatch: turn off provisioned concurrency on {function}:{self.alias}",
            "Target": {
                "Arn": DELETE_PC_TARGET,
                "RoleArn": self.role_arn,
                "Input": json.dumps({"FunctionName": function, "Qualifier": self.alias}),
                "DeadLetterConfig": {"Arn": self.dlq_arn},
                "RetryPolicy": {
                    "MaximumRetryAttempts": SCHEDULE_RETRIES,
                    "MaximumEventAgeInSeconds": 3600,
                },
            },
        }
        try:
            self.scheduler.create_schedule(**request)
        except Exception as error:
            if _code(error) != "ConflictException":
                raise
            self.scheduler.update_schedule(**request)

    def _delete_pc(self, function: str) -> None:
        try:
            self.lam.delete_provisioned_concurrency_config(
                FunctionName=function, Qualifier=self.alias
            )
        except Exception as error:
            if _code(error) not in _NOT_FOUND:
                raise

    def on(self, plan: TogglePlan) -> list[str]:
        """Schedule the off, then turn on, shard by shard; undo everything on failure."""
        touched: list[str] = []
        try:
            for function, slots in plan.slots.items():
                self._schedule_off(function, plan.off_at)
                touched.append(function)
                self.lam.put_provisioned_concurrency_config(
                    FunctionName=function,
                    Qualifier=self.alias,
                    ProvisionedConcurrentExecutions=slots,
                )
        except Exception as error:
            rolled_back, still_on = [], []
            for function in touched:
                try:
                    self._delete_pc(function)
                    rolled_back.append(function)
                except Exception:
                    still_on.append(function)
            detail = f"; still on until their scheduled off: {still_on}" if still_on else ""
            raise ToggleError(
                f"turning slots on failed ({error}); turned off again: {len(rolled_back)}{detail}",
                rolled_back,
                still_on,
            ) from error
        return touched

    def off(self) -> list[str]:
        """Delete every shard's slots and its pending auto-off; returns the shards touched."""
        done = []
        for shard in range(self.settings.shard_count):
            function = self.settings.function_name(shard)
            self._delete_pc(function)
            try:
                self.scheduler.delete_schedule(
                    Name=schedule_name(function), GroupName=SCHEDULE_GROUP
                )
            except Exception as error:
                if _code(error) not in _NOT_FOUND:
                    raise
            done.append(function)
        return done

    def _off_at(self, function: str) -> datetime | None:
        try:
            schedule = self.scheduler.get_schedule(
                Name=schedule_name(function), GroupName=SCHEDULE_GROUP
            )
        except Exception as error:
            if _code(error) in _NOT_FOUND:
                return None
            raise
        return parse_at_expression(schedule.get("ScheduleExpression", ""))

    def _shards_on(self) -> list[ShardStatus]:
        """Every shard whose alias has a provisioned-concurrency config, with its off time."""
        shards = []
        for shard in range(self.settings.shard_count):
            function = self.settings.function_name(shard)
            try:
                config = self.lam.get_provisioned_concurrency_config(
                    FunctionName=function, Qualifier=self.alias
                )
            except Exception as error:
                if _code(error) in _NOT_FOUND:
                    continue
                raise
            since = config.get("LastModified")
            shards.append(
                ShardStatus(
                    function=function,
                    requested=int(config.get("RequestedProvisionedConcurrentExecutions", 0)),
                    allocated=int(config.get("AllocatedProvisionedConcurrentExecutions", 0)),
                    state=config.get("Status", ""),
                    since=datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None,
                    off_at=self._off_at(function),
                )
            )
        return shards

    def status(self, prices: Prices, memory_gb: float) -> Status:
        return Status(shards=self._shards_on(), now=self.now(), prices=prices, memory_gb=memory_gb)

    def sweep(self) -> SweepResult:
        """Turn off every config no live session covers: no pending off, or one already
        past (its schedule failed). A failed delete raises, after the others are done."""
        now = self.now()
        turned_off, covered, failures, ages = [], [], [], [0.0]
        for shard in self._shards_on():
            if shard.off_at is not None and shard.off_at > now:
                covered.append(shard.function)
                if shard.since is not None:
                    ages.append((now - shard.since).total_seconds())
                continue
            try:
                self._delete_pc(shard.function)
                turned_off.append(shard.function)
            except Exception as error:
                failures.append(f"{shard.function}: {error}")
                if shard.since is not None:
                    ages.append((now - shard.since).total_seconds())
        result = SweepResult(turned_off, covered, max(ages))
        if failures:
            raise SweepError(f"could not turn off {len(failures)}: {failures}", result)
        return result
