"""The stack's IAM roles as Terraform writes them, on a moto server that enforces them.

``IamStack.start`` runs ``tests.aws.iam_moto`` in its own process and applies envs/prod
there in full, with 3 shards, through the override file of ``tests.aws.prod_env``. It
reads the roles and resource names back from the applied state, takes STS AssumeRole
sessions of the shard role and the gatherer role, creates an operator user (the person
running terraform and the CLI), and only then switches enforcement on. From there on
every S3, SQS, DynamoDB, STS and Lambda control-plane call is checked against the
policies Terraform wrote; ``LambdaEndpoint`` checks invokes with ``Authorizer``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

from snakebatch.settings import defaults, env_name
from tests.aws import prod_env
from tests.aws.iam_moto import iam_pattern
from tests.support import free_port
from tests.terraform.conftest import REPO, copy_tree, write_zip
from tests.terraform.tfcli import Terraform

ACCOUNT = "123456789012"
REGION = defaults()["region"]
SHARDS = prod_env.SHARDS
MESH = "module.snakebatch.module.mesh"
GATHERER = "module.snakebatch.module.gatherer[0]"
PCGUARD = "module.snakebatch.module.pcguard"


@dataclass(frozen=True)
class Credentials:
    key: str
    secret: str
    token: str = ""

    def env(self) -> dict[str, str]:
        env = {"AWS_ACCESS_KEY_ID": self.key, "AWS_SECRET_ACCESS_KEY": self.secret}
        return {**env, "AWS_SESSION_TOKEN": self.token} if self.token else env


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def permits(documents: list[dict], action: str, resource: str) -> bool:
    """IAM's identity-policy rule for one action on one resource: an explicit Deny
    wins, else any Allow. Conditions are not evaluated (none of the Lambda grants has
    one; docs/terraform.md)."""
    allowed = False
    for doc in documents:
        for st in _listed(doc["Statement"]):
            actions = _listed(st.get("Action", []))
            if not any(iam_pattern(a.lower()).fullmatch(action.lower()) for a in actions):
                continue
            if not any(iam_pattern(r).fullmatch(resource) for r in _listed(st["Resource"])):
                continue
            if st["Effect"] == "Deny":
                return False
            allowed = True
    return allowed


@dataclass
class Authorizer:
    """Answers "may this access key do this Lambda action on this function ARN?" from
    the inline policies of its role (or user), read on every call, so a policy changed
    mid-test applies at once."""

    iam: Any
    roles: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)

    def __call__(self, access_key: str, action: str, function_arn: str) -> bool:
        if access_key in self.roles:
            role = self.roles[access_key]
            names = self.iam.list_role_policies(RoleName=role)["PolicyNames"]
            docs = [self.iam.get_role_policy(RoleName=role, PolicyName=n) for n in names]
        elif access_key in self.users:
            user = self.users[access_key]
            names = self.iam.list_user_policies(UserName=user)["PolicyNames"]
            docs = [self.iam.get_user_policy(UserName=user, PolicyName=n) for n in names]
        else:
            return False
        return permits([_document(d["PolicyDocument"]) for d in docs], action, function_arn)


def _document(doc: Any) -> dict:
    return json.loads(doc) if isinstance(doc, str) else doc


def _resource(state: dict, address: str) -> dict:
    for module in [state["values"]["root_module"], *_modules(state["values"]["root_module"])]:
        for res in module.get("resources", []):
            if res["address"] == address:
                return res["values"]
    raise KeyError(f"{address} is not in the applied state")


def _modules(module: dict) -> list[dict]:
    out = []
    for child in module.get("child_modules", []):
        out += [child, *_modules(child)]
    return out


@dataclass
class IamStack:
    url: str
    process: subprocess.Popen[str]
    tf: Terraform
    names: dict[str, str]
    shard_role: str
    gatherer_role: str
    operator: Credentials
    shard: Credentials
    gatherer: Credentials
    scheduler: Credentials
    scheduler_role: str
    authorizer: Authorizer

    @classmethod
    def start(cls, workdir: Path, cli_config: Path) -> IamStack:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.aws.iam_moto", str(port)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            url = f"http://127.0.0.1:{port}"
            tf = _apply(url, workdir, cli_config)
            return cls._sessions(url, proc, tf)
        except BaseException:
            proc.kill()
            raise

    @classmethod
    def _sessions(cls, url: str, proc: subprocess.Popen[str], tf: Terraform) -> IamStack:
        state = json.loads(tf.run("show", "-json", "-no-color"))
        storage, queues = "module.snakebatch.module.storage", "module.snakebatch.module.queues"
        names = {
            "bucket": _resource(state, f"{storage}.aws_s3_bucket.this")["bucket"],
            "table": _resource(state, f"{storage}.aws_dynamodb_table.jobs")["name"],
            "queue_url": _resource(state, f"{queues}.aws_sqs_queue.reports")["url"],
            "dlq_url": _resource(state, f"{queues}.aws_sqs_queue.dlq")["url"],
        }
        shard_role = _resource(state, f"{MESH}.aws_iam_role.shard")["name"]
        gatherer_role = _resource(state, f"{GATHERER}.aws_iam_role.this")["name"]
        scheduler_role = _resource(state, f"{PCGUARD}.aws_iam_role.scheduler")["name"]
        testing = Credentials("testing", "testing")
        # moto applies the bucket's TLS-only Deny without its aws:SecureTransport
        # condition, refusing every object call; storage.tftest.hcl asserts that policy
        # on the rendered JSON instead (docs/terraform.md).
        client("s3", url, testing).delete_bucket_policy(Bucket=names["bucket"])
        iam = client("iam", url, testing)
        iam.create_user(UserName="operator")
        iam.put_user_policy(
            UserName="operator",
            PolicyName="administrator",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
        key = iam.create_access_key(UserName="operator")["AccessKey"]
        operator = Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        sts = client("sts", url, testing)
        sessions = {}
        roles = (shard_role, gatherer_role, scheduler_role)
        for role in roles:
            got = sts.assume_role(
                RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName=f"tests-{role}"
            )["Credentials"]
            sessions[role] = Credentials(
                got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"]
            )
        authorizer = Authorizer(
            client("iam", url, operator),
            roles={sessions[r].key: r for r in roles},
            users={operator.key: "operator"},
        )
        enforce(url, True)
        return cls(
            url,
            proc,
            tf,
            names,
            shard_role,
            gatherer_role,
            operator,
            sessions[shard_role],
            sessions[gatherer_role],
            sessions[scheduler_role],
            scheduler_role,
            authorizer,
        )

    def env(self, who: Credentials) -> dict[str, str]:
        """What a shard (or the gatherer) reads at start: Terraform's names, ``who``'s keys."""
        s = defaults()
        return {
            **who.env(),
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_RETRY_MODE": "standard",
            env_name("backend"): "aws",
            env_name("function_prefix"): s["function_prefix"],
            env_name("shard_count"): str(SHARDS),
            env_name("bucket"): self.names["bucket"],
            env_name("reports_queue_url"): self.names["queue_url"],
            env_name("reports_dlq_url"): self.names["dlq_url"],
            env_name("job_table"): self.names["table"],
        }

    def policy(self, role: str) -> dict:
        iam = client("iam", self.url, self.operator)
        (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        return _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])

    def put_policy(self, role: str, document: dict) -> None:
        iam = client("iam", self.url, self.operator)
        (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))

    def stop(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=30)


def client(service: str, url: str, who: Credentials) -> Any:
    return boto3.session.Session(
        aws_access_key_id=who.key,
        aws_secret_access_key=who.secret,
        aws_session_token=who.token or None,
        region_name=REGION,
    ).client(service, endpoint_url=url)


def enforce(url: str, on: bool) -> None:
    """moto's switch: from the next request on, every call is authenticated and checked."""
    count = "0" if on else "inf"
    requests.post(f"{url}/moto-api/reset-auth", data=count, timeout=30).raise_for_status()


def _apply(url: str, workdir: Path, cli_config: Path) -> Terraform:
    tf = Terraform(copy_tree(workdir) / "envs" / "prod", cli_config)
    testing = Credentials("testing", "testing")
    env_vars = prod_env.prepare(
        tf.workdir, url, client("ec2", url, testing), client("acm", url, testing)
    )
    zips = workdir / "zips"
    zips.mkdir()
    layer = write_zip(zips / "layer.zip", "python/snake_stub.py", "ENGINE = 'stub'\n")
    function = write_zip(
        zips / "function.zip", "functions/handler_snake.py", "def handler(e, c):\n    return e\n"
    )
    tf.run("init", "-input=false", "-no-color")
    tf.run(
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        *env_vars,
        "-var",
        f"layer_zip_path={layer}",
        "-var",
        f"function_zip_path={function}",
    )
    return tf
