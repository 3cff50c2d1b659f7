"""Deployment names and environment, from one file shared with Terraform.

``settings.json`` beside this module is the single source of truth for function,
queue, table and bucket names and for the environment variable names; Terraform's
envs read the same file, and a test checks the two agree. The bucket name is a
template (``{account}``, ``{region}``) because S3 names are global. Environment variables
override the defaults at run time, which is how a Lambda shard learns where its
bucket and queue live.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

SETTINGS_FILE = Path(__file__).with_name("settings.json")


@cache
def defaults() -> dict:
    return json.loads(SETTINGS_FILE.read_text())


def env_name(key: str) -> str:
    """The environment variable that carries setting ``key``."""
    return defaults()["env"][key]


@dataclass(frozen=True)
class Settings:
    backend: str
    function_prefix: str
    shard_count: int
    bucket: str
    reports_queue_url: str
    reports_dlq_url: str
    job_table: str
    home: Path
    region: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        d = defaults()

        def get(key: str, default: str) -> str:
            return env.get(env_name(key)) or default

        return cls(
            backend=get("backend", "local"),
            function_prefix=get("function_prefix", d["function_prefix"]),
            shard_count=int(get("shard_count", str(d["shard_count"]))),
            bucket=get("bucket", d["bucket"]),
            reports_queue_url=get("reports_queue_url", ""),
            reports_dlq_url=get("reports_dlq_url", ""),
            job_table=get("job_table", d["job_table"]),
            home=Path(get("home", str(Path.home() / ".snakebatch"))),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or d["region"],
        )

    def for_account(self, account: str) -> Settings:
        """These settings with the bucket template filled for ``account`` (and region)."""
        return replace(self, bucket=bucket_name(self.bucket, account, self.region))

    def function_name(self, shard: int) -> str:
        return shard_function_name(self.function_prefix, shard)


def bucket_name(template: str, account: str, region: str) -> str:
    """The job bucket's name: S3 names are global, so the default template carries the
    account and region (``snakebatch-jobs-123456789012-eu-west-3``), as Terraform's naming
    module fills it. A name without placeholders (an override) is returned as is."""
    if "{account}" in template and not re.fullmatch(r"\d{12}", account or ""):
        raise ValueError(f"bucket {template!r} needs a 12-digit account id, got {account!r}")
    return template.replace("{account}", account).replace("{region}", region)


def shard_function_name(prefix: str, shard: int) -> str:
    """``v9-worker-pipe-07``: two digits, as Terraform's ``format("%s-%02d")`` names them."""
    return f"{prefix}-{shard:02d}"


def shard_for(model_id: str, key: object, shard_count: int) -> int:
    """Stable shard choice for ``hash(model_id, key) % shard_count``.

    Python's ``hash`` is salted per process, so two Lambda containers would disagree;
    the first 8 bytes of SHA-256 are the same everywhere (Terraform can compute it too).
    """
    digest = hashlib.sha256(f"{model_id}:{key}".encode()).hexdigest()
    return int(digest[:16], 16) % shard_count
