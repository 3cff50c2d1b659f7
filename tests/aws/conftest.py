"""Per-test AWS resources and environment on the session's moto server (``moto_url``).

Every AWS call in these tests goes over HTTP through boto3 to that server (S3, SQS,
DynamoDB) or to the loopback Lambda endpoint; snakebatch itself is never patched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.aws.iam_stack import IamStack
from tests.aws.resources import Resources, provision
from tests.terraform.conftest import write_cli_config

REGION = "eu-west-3"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Standard AWS variables pointing every service at moto (boto3 honours them itself)."""
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": moto_url, "AWS_RETRY_MODE": "standard"}
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL_LAMBDA", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def resources(aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Resources:
    res = provision(REGION)
    for key, value in res.env().items():
        monkeypatch.setenv(key, value)
    return res


@pytest.fixture(scope="session")
def iam_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamStack]:
    """envs/prod (3 shards), applied by Terraform on a moto server enforcing IAM."""
    work = tmp_path_factory.mktemp("iam")
    rc = write_cli_config(work / "terraformrc")
    stack = IamStack.start(work / "apply", rc)
    yield stack
    stack.stop()
