"""The aws backend: Lambda shards, S3, SQS and DynamoDB behind the mesh's ``Backend``.

Built from the environment (``Settings.from_env``) the same way in the gatherer and in
every Lambda container; Terraform sets those variables from ``settings.json``. No
endpoint is configured here, so ``AWS_ENDPOINT_URL[_<SERVICE>]`` decides where the
calls go (AWS, moto, LocalStack).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snakebatch.backends.aws_clients import client_config, make_client
from snakebatch.backends.aws_invoke import LambdaInvoker
from snakebatch.backends.aws_queue import SqsReportQueue
from snakebatch.backends.aws_store import S3Store
from snakebatch.backends.aws_table import DynamoCounters, DynamoShardStats
from snakebatch.backends.base import SpawnGate
from snakebatch.settings import Settings, defaults


@dataclass
class AwsClients:
    s3: Any
    sqs: Any
    dynamodb: Any
    lambda_: Any

    @classmethod
    def create(cls, region: str, environ: dict[str, str] | None = None) -> AwsClients:
        config = client_config(environ)
        return cls(*(make_client(s, region, config) for s in ("s3", "sqs", "dynamodb", "lambda")))


@dataclass
class AwsBackend:
    """``Backend`` on AWS; ``shard_stats`` and ``stats`` read the job table.

    ``governor`` (``snakebatch.ops.governor``) is applied to the invokes of this
    process — the gatherer's root fan-out; inside Lambda, botocore's adaptive retry
    mode is what slows a throttled shard down.
    """

    settings: Settings
    clients: AwsClients
    name: str = "aws"
    store_report_bodies: bool = False
    cache_dir: Path | None = None
    qualifier: str | None = field(default_factory=lambda: defaults()["alias"])
    governor: SpawnGate | None = None

    def __post_init__(self) -> None:
        c = self.clients
        self.shard_count = self.settings.shard_count
        self.store = S3Store(c.s3, self.settings.bucket, cache_dir=self.cache_dir)
        self.reports = SqsReportQueue(
            c.sqs,
            self.settings.reports_queue_url,
            self.store,
            dlq_url=self.settings.reports_dlq_url,
        )
        self.counters = DynamoCounters(c.dynamodb, self.settings.job_table)
        self.shards = DynamoShardStats(c.dynamodb, self.settings.job_table, self.shard_count)
        self.invoker = LambdaInvoker(
            c.lambda_,
            self.settings.function_name,
            self.shard_count,
            stats=self.shards,
            qualifier=self.qualifier,
            governor=self.governor,
        )
        self._peak = 0
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **kwargs: Any) -> AwsBackend:
        settings = Settings.from_env(environ)
        if "{account}" in settings.bucket:  # no SNAKEBATCH_BUCKET: the default name
            sts = make_client("sts", settings.region, client_config(environ))
            settings = settings.for_account(sts.get_caller_identity()["Account"])
        return cls(settings, AwsClients.create(settings.region, environ), **kwargs)

    def shard_stats(self) -> list[dict[str, int]]:
        return self.shards.snapshot()

    def record_shard(self, shard: int, field: str) -> None:
        """One ``invoked``/``done``/``errors`` tick on the live grid, from the shard itself."""
        self.shards.record(shard, field)

    def stats(self) -> dict[str, int]:
        """Table-wide figures; ``peak_concurrency`` is the highest this process has seen."""
        rows = self.shard_stats()
        running = sum(r["in_flight"] for r in rows)
        with self._lock:
            self._peak = max(self._peak, running)
            peak = self._peak
        return {
            "invocations": sum(r["invoked"] for r in rows),
            "running": running,
            "peak_concurrency": peak,
            "largest_event_bytes": self.shards.largest_event(),
        }
