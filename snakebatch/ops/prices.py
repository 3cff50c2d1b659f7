"""Prices per region for the predecessor's three cost buckets, each with its source.

The predecessor's account runs in eu-west-3 (Paris) with 4096 MB x86 shards and a
t4g.2xlarge gatherer. Lambda list prices are the AWS Lambda pricing page's; the
provisioned-concurrency price is the one the predecessor's own figures imply (its $168/day
for a leaked toggle of one 4 GB slot on each of 100 shards, predecessor §8.2), which is the
eu-west-3 list price; the gatherer is the predecessor's stated $98/month.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class Prices:
    """USD prices. ``*_gb_s`` are per GB-second of configured memory."""

    region: str
    lambda_gb_s: float
    lambda_request: float
    pc_gb_s: float
    gatherer_hourly: float
    source: str

    def __post_init__(self) -> None:
        for name in ("lambda_gb_s", "lambda_request", "pc_gb_s", "gatherer_hourly"):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")


# On-demand x86 duration ($0.0000166667/GB-s) and requests ($0.20 per million) are
# the same in eu-west-3 as in us-east-1 (AWS Lambda pricing page, 2026, first tier).
# Provisioned concurrency: $168/day / (100 slots x 4 GB x 86,400 s) = $0.0000048611
# per GB-s (predecessor §8.2), i.e. us-east-1's $0.0000041667 x the Paris uplift of 7/6.
# Gatherer: $98/month (predecessor §8.2) -> $0.1342/h; that is about half the t4g.2xlarge
# on-demand list price, so the predecessor's gatherer runs on a savings plan or reservation.
PREDECESSOR_PRICES = Prices(
    region="eu-west-3",
    lambda_gb_s=0.0000166667,
    lambda_request=0.20 / 1_000_000,
    pc_gb_s=168.0 / (100 * 4 * 86_400),
    gatherer_hourly=98.0 / HOURS_PER_MONTH,
    source="AWS Lambda pricing page (2026); predecessor §8.2 ($168/day leaked toggle, $98/month gatherer)",
)

# us-east-1 list prices (AWS Lambda and EC2 pricing pages, 2026): PC $0.0000041667
# per GB-s; t4g.2xlarge on demand $0.2688/h.
US_EAST_1_PRICES = Prices(
    region="us-east-1",
    lambda_gb_s=0.0000166667,
    lambda_request=0.20 / 1_000_000,
    pc_gb_s=0.0000041667,
    gatherer_hourly=0.2688,
    source="AWS Lambda and EC2 pricing pages, us-east-1, 2026 (on-demand list)",
)

PRICES = {p.region: p for p in (PREDECESSOR_PRICES, US_EAST_1_PRICES)}


class UnknownRegionError(ValueError):
    """No price table for this region."""


def prices_for(region: str) -> Prices:
    try:
        return PRICES[region]
    except KeyError:
        known = ", ".join(sorted(PRICES))
        raise UnknownRegionError(f"no prices for region {region!r}; known: {known}") from None
