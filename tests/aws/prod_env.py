"""envs/prod, unchanged, aimed at a moto server by an override file in a private copy.

Terraform merges ``override.tf`` into the env's own files, so the test applies prod's
composition (ALB, HTTPS listener, alarms with a subscriber, PC guard, API-keys
parameter) and changes only what moto cannot serve. Nothing here is in
``terraform/envs/prod`` itself: a real deploy can never pick up the loopback endpoint.
What the override changes, and why (docs/terraform.md):

- the S3 backend becomes a local one, and the provider gets throwaway keys and the
  loopback endpoint for every service it may call;
- 3 shards instead of settings.shard_count;
- ``composite_alarms = false``: moto implements no PutCompositeAlarm;
- ``check_account_quotas = false``: moto's Service Quotas knows no Lambda quota;
- ``force_destroy`` so the session's server can be dropped with objects in the bucket.

The env's required inputs that name pre-existing infrastructure (VPC, subnets, ACM
certificate) are created on the server first, as an operator would have them. The
gatherer's artefacts are given as ``s3://`` URIs instead of uploads: moto ignores the
Condition of the bucket's TLS-only Deny and would refuse every object write.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

SERVICES = [
    "acm",
    "autoscaling",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "elbv2",
    "iam",
    "kms",
    "lambda",
    "logs",
    "s3",
    "scheduler",
    "servicequotas",
    "sns",
    "sqs",
    "ssm",
    "sts",
]

SHARDS = 3


def override(endpoint: str) -> str:
    """The override.tf text for a moto server at ``endpoint``."""
    endpoints = "\n".join(f'    {s} = "{endpoint}"' for s in SERVICES)
    return f"""terraform {{
  backend "local" {{}}
}}

provider "aws" {{
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {{
{endpoints}
  }}
}}

module "snakebatch" {{
  shard_count          = {SHARDS}
  composite_alarms     = false
  check_account_quotas = false
  force_destroy        = true
}}
"""


def prepare(env_dir: Path, endpoint: str, ec2: Any, acm: Any) -> list[str]:
    """Writes the override into ``env_dir`` (a copy of envs/prod), creates what prod
    expects to exist, and returns the ``-var`` arguments of its apply."""
    (env_dir / "override.tf").write_text(override(endpoint))
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    two_azs = json.dumps([s["SubnetId"] for s in subnets["Subnets"]][:2])
    certificate = acm.request_certificate(DomainName="snakebatch.example.com")
    values = {
        "vpc_id": vpc["VpcId"],
        "subnet_ids": two_azs,
        "alb_subnet_ids": two_azs,
        "ingress_cidr_blocks": '["127.0.0.1/32"]',
        "alarm_emails": '["ops@example.com"]',
        "certificate_arn": certificate["CertificateArn"],
        "wheel_s3_uri": "s3://releases/snakebatch-0.1.0-py3-none-any.whl",
        "wheelhouse_s3_uri": "s3://releases/wheelhouse.tar",
        "gatherer_docs_path": "",
        "api_keys": "ops:sha256:" + hashlib.sha256(b"snakebatch-moto").hexdigest(),
        "deletion_protection": "false",
    }
    return [arg for name, value in values.items() for arg in ("-var", f"{name}={value}")]
