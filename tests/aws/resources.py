"""Creates what Terraform would (bucket, queue + DLQ with redrive, job table) on moto."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import boto3

from snakebatch.backends.aws_table import KEY, TTL_ATTRIBUTE
from snakebatch.settings import env_name


@dataclass(frozen=True)
class Resources:
    bucket: str
    queue_url: str
    dlq_url: str
    table: str
    function_prefix: str
    shard_count: int

    def env(self) -> dict[str, str]:
        """The variables Terraform sets on every shard (names from settings.json)."""
        return {
            env_name("backend"): "aws",
            env_name("function_prefix"): self.function_prefix,
            env_name("shard_count"): str(self.shard_count),
            env_name("bucket"): self.bucket,
            env_name("reports_queue_url"): self.queue_url,
            env_name("reports_dlq_url"): self.dlq_url,
            env_name("job_table"): self.table,
        }


def provision(
    region: str,
    *,
    shard_count: int = 4,
    max_receives: int = 5,
    max_message_bytes: int = 262_144,
    visibility_timeout_s: int = 30,
) -> Resources:
    tag = uuid.uuid4().hex[:10]
    session = boto3.session.Session()
    s3 = session.client("s3", region_name=region)
    sqs = session.client("sqs", region_name=region)
    ddb = session.client("dynamodb", region_name=region)
    bucket = f"snake-batch-{tag}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    dlq_url = sqs.create_queue(QueueName=f"v9-reports-dlq-{tag}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=f"v9-reports-{tag}",
        Attributes={
            "MaximumMessageSize": str(max_message_bytes),
            "VisibilityTimeout": str(visibility_timeout_s),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
            ),
        },
    )["QueueUrl"]
    table = f"v9-jobs-{tag}"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_time_to_live(
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    return Resources(bucket, queue_url, dlq_url, table, f"v9-worker-pipe-{tag}", shard_count)
