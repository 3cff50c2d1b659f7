"""Which deployment an AWS command acts on, resolved like the AWS CLI does.

``--profile`` picks the credentials, ``--region`` the region (else ``$AWS_REGION``,
the profile's region, then ``settings.json``), and ``--env`` a deployment by its
Terraform outputs (``terraform/envs/NAME`` or a directory), so a command aimed at
``envs/dev`` acts on dev's functions, not on the production names. Every command
prints the target (account, region, function prefix) before it changes anything and
refuses to act when the account cannot be resolved. Clients time out in seconds and
retry a bounded number of times, so bad credentials or a dead endpoint fail fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

import typer
from botocore.config import Config

from snakebatch.backends.aws_clients import client_config, retry_settings
from snakebatch.cli.exits import CLOUD, CliError, classify, note
from snakebatch.settings import Settings, env_name

ENVS_DIR = Path(__file__).resolve().parents[2] / "terraform" / "envs"
#: At most this many tries per AWS call from the CLI (botocore counts the first).
MAX_ATTEMPTS = 3

Profile = Annotated[
    str | None, typer.Option("--profile", help="AWS named profile (default: $AWS_PROFILE).")
]
Region = Annotated[
    str | None,
    typer.Option(help="AWS region (default: $AWS_REGION, the profile's, then settings.json)."),
]
Env = Annotated[
    str | None,
    typer.Option(
        "--env",
        help="Deployment: terraform/envs/NAME or a Terraform directory; its outputs name "
        "the functions (default: $SNAKEBATCH_* variables, then settings.json).",
    ),
]


def fast_config() -> Config:
    """The project's client config with short timeouts and few retries, for a human
    waiting at a terminal."""
    retries = retry_settings()
    retries["total_max_attempts"] = min(retries["total_max_attempts"], MAX_ATTEMPTS)
    return client_config().merge(Config(connect_timeout=3, read_timeout=20, retries=retries))


def env_outputs(env: str) -> dict[str, Any]:
    """A deployment's Terraform outputs (``terraform output -json``)."""
    where = ENVS_DIR / env if (ENVS_DIR / env).is_dir() else Path(env)
    if not where.is_dir():
        known = ", ".join(sorted(p.name for p in ENVS_DIR.iterdir())) if ENVS_DIR.is_dir() else ""
        raise CliError(f"--env {env!r}: no such deployment directory (known: {known})", CLOUD)
    terraform = shutil.which("terraform")
    if terraform is None:
        raise CliError("--env needs the terraform command on PATH to read the outputs", CLOUD)
    try:
        done = subprocess.run(
            [terraform, f"-chdir={where}", "output", "-json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        raise CliError(f"terraform output in {where} took over 60 s", CLOUD) from None
    outputs = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else {}
    if "function_names" not in outputs or "shard_environment" not in outputs:
        raise CliError(
            f"cannot read the deployment's outputs in {where} (has it been applied? "
            f"`terraform -chdir={where} init` first): {done.stderr.strip()[-300:]}",
            CLOUD,
        )
    return {k: v["value"] for k, v in outputs.items()}


def _settings(env: str | None) -> Settings:
    settings = Settings.from_env()
    if env is None:
        return settings
    outputs = env_outputs(env)
    environment = outputs["shard_environment"]
    names = outputs["function_names"]
    prefix = environment.get(env_name("function_prefix")) or names[0].rsplit("-", 1)[0]
    return replace(settings, function_prefix=prefix, shard_count=len(names))


@dataclass
class Target:
    settings: Settings
    session: Any
    account: str | None
    why_unresolved: str | None = None

    def client(self, service: str) -> Any:
        return self.session.client(service, region_name=self.settings.region, config=fast_config())

    def as_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "account": self.account,
            "region": s.region,
            "function_prefix": s.function_prefix,
            "shards": s.shard_count,
        }

    def describe(self) -> str:
        s = self.settings
        account = self.account or f"unresolved ({self.why_unresolved})"
        return (
            f"target: account {account}, region {s.region}, functions "
            f"{s.function_name(0)}..{s.function_name(s.shard_count - 1)} ({s.shard_count})"
        )

    def require_account(self) -> None:
        if self.account is None:
            raise CliError(f"refusing to act: {self.why_unresolved}", CLOUD)


def resolve(profile: str | None, region: str | None, env: str | None, *, announce=True) -> Target:
    """The deployment to act on; the account is looked up once (STS), and its failure
    kept for the caller to refuse on (a dry run goes on without it)."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    settings = _settings(env)
    try:
        session = boto3.session.Session(profile_name=profile)
    except ProfileNotFound as exc:
        raise CliError(f"{exc}: list profiles with `aws configure list-profiles`", CLOUD) from None
    where = (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or session.region_name
        or settings.region
    )
    target = Target(replace(settings, region=where), session, None)
    try:
        target.account = target.client("sts").get_caller_identity()["Account"]
    except Exception as exc:
        known = classify(exc)
        if known is None:
            raise
        target.why_unresolved = known[1]
    if announce:
        note(target.describe())
    return target
