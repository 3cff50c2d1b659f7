"""Entry point of the provisioned-concurrency sweeper: ``handler_sweep.handler``.

A ``rate()`` schedule invokes it every few minutes. It turns off every shard config no
pending auto-off covers (``PcToggle.sweep``) and publishes the age of the oldest config
still on, which the ``pc-left-on`` alarm watches: a value past the longest TTL, or no
value at all (the sweeper stopped running), reaches the alarm topic. A delete it could
not make is re-raised after the metric is out, so the function's Errors alarm fires too.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from snakebatch.backends.aws_clients import make_client
from snakebatch.ops.toggle import ROLE_ENV, PcToggle, SweepError, SweepResult
from snakebatch.settings import Settings

log = logging.getLogger("snakebatch.sweeper")
log.setLevel(logging.INFO)

NAMESPACE_ENV = "SNAKEBATCH_PC_METRIC_NAMESPACE"
METRIC = "OldestProvisionedConcurrencyAge"


def publish(cloudwatch: Any, namespace: str, result: SweepResult) -> None:
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[{"MetricName": METRIC, "Value": result.oldest_age_s, "Unit": "Seconds"}],
    )


def handler(event: Any, context: Any) -> dict[str, Any]:
    settings = Settings.from_env()
    toggle = PcToggle(
        make_client("lambda", settings.region),
        make_client("scheduler", settings.region),
        settings,
        os.environ[ROLE_ENV],
    )
    cloudwatch = make_client("cloudwatch", settings.region)
    namespace = os.environ.get(NAMESPACE_ENV, "SnakeBatch")
    try:
        result = toggle.sweep()
    except SweepError as error:
        publish(cloudwatch, namespace, error.result)
        log.error("sweep failed: %s", error)
        raise
    publish(cloudwatch, namespace, result)
    log.info("sweep: %s", json.dumps(result.as_dict()))
    return result.as_dict()
