"""Lambda quotas the planner reasons about, with where each default comes from.

The scaling-rate quota decides whether a training wedges (predecessor §8.1), so it is a
parameter, not a constant: AWS has changed its semantics before (1,000 per 10 s per
function since Nov 2023), and the account the predecessor ran in measured an account-level
ceiling of 1,000 new execution environments per minute. When credentials allow, the
live values come from Service Quotas; otherwise the predecessor's verified values are used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

CONCURRENT_EXECUTIONS_CODE = "L-B99A9384"
SCALING_RATE_CODE = "L-A1AFA3CF"


@dataclass(frozen=True)
class Quotas:
    """Account quotas in one region.

    ``scaling_rate_per_s``: new on-demand execution environments per second, account
    wide (predecessor §8.1: L-A1AFA3CF = 1,000/min, verified 2026-05-21 in eu-west-3, not
    adjustable). ``concurrent_executions``: L-B99A9384 = 20,000 (predecessor §8.1).
    ``quota_window_s``: how many seconds of the rate the account may spend at once (the
    simulator's quota is a token bucket of ``rate x window`` tokens). The predecessor saw the
    ceiling act as binary on short bursts; one second reproduces its wedge boundary
    (docs/math.md §6).
    """

    scaling_rate_per_s: float = 1000 / 60
    concurrent_executions: int = 20_000
    quota_window_s: float = 1.0
    source: str = "predecessor §8.1 (Service Quotas, eu-west-3, 2026-05-21)"

    def __post_init__(self) -> None:
        if not self.scaling_rate_per_s > 0:
            raise ValueError(f"scaling_rate_per_s must be > 0, got {self.scaling_rate_per_s!r}")
        if self.concurrent_executions < 1:
            raise ValueError(
                f"concurrent_executions must be >= 1, got {self.concurrent_executions!r}"
            )
        if not self.quota_window_s > 0:
            raise ValueError(f"quota_window_s must be > 0, got {self.quota_window_s!r}")


PREDECESSOR_QUOTAS = Quotas()


def _quota_value(client: Any, code: str) -> float | None:
    """One quota's value, or ``None`` when the account cannot read it."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = client.get_service_quota(ServiceCode="lambda", QuotaCode=code)
    except (ClientError, BotoCoreError):
        return None
    value = answer.get("Quota", {}).get("Value")
    return float(value) if value is not None else None


def read_quotas(client: Any, fallback: Quotas = PREDECESSOR_QUOTAS) -> Quotas:
    """Live quotas from a boto3 ``service-quotas`` client, field by field.

    Each quota that cannot be read (no permission, no endpoint, unknown code) keeps
    its fallback value, and ``source`` says which values are live.
    """
    concurrent = _quota_value(client, CONCURRENT_EXECUTIONS_CODE)
    per_minute = _quota_value(client, SCALING_RATE_CODE)
    live = []
    quotas = fallback
    if concurrent is not None and concurrent >= 1:
        quotas = replace(quotas, concurrent_executions=int(concurrent))
        live.append(CONCURRENT_EXECUTIONS_CODE)
    if per_minute is not None and per_minute > 0:
        quotas = replace(quotas, scaling_rate_per_s=per_minute / 60)
        live.append(SCALING_RATE_CODE)
    if not live:
        return fallback
    return replace(quotas, source=f"Service Quotas ({', '.join(live)}); rest: {fallback.source}")
