"""docs/deploy.md, followed against moto as far as moto can go.

The runbook's ``sh step=...`` blocks run, in order, in one bash shell whose AWS calls go
to a moto server (``AWS_ENDPOINT_URL``); after each, the state it should leave is read
back with the same code ``snakebatch preflight`` and the gatherer use. The build, the
apply and the training are the subjects of their own tests (the runbook's last section
names them); here their commands are checked to exist as written.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from snakebatch.gatherer.auth import hash_key, parse_keys_file
from snakebatch.ops.preflight import check_lock_table, check_state_bucket
from tests.terraform.conftest import REPO, TERRAFORM

pytestmark = pytest.mark.terraform

RUNBOOK = REPO / "docs" / "deploy.md"
BLOCK = re.compile(r"^```sh step=([a-z-]+)\n(.*?)^```$", re.M | re.S)
#: Steps with their own tests (named in the runbook): the build downloads wheels.
ELSEWHERE = {"build"}
MOTO_ACCOUNT = "123456789012"


def steps() -> dict[str, str]:
    return {name: body for name, body in BLOCK.findall(RUNBOOK.read_text())}


def test_the_runbook_has_its_steps_in_order() -> None:
    assert list(steps()) == ["names", "state", "backend", "keys", "build", "teardown-state"]


@pytest.fixture(scope="module")
def shell(moto_url: str, tmp_path_factory: pytest.TempPathFactory):
    """``run(step)``: one runbook block in bash, with the names block before it."""
    aws = shutil.which("aws")
    if aws is None:
        pytest.fail("the aws CLI is not on the PATH: the runbook's commands need it")
    work = tmp_path_factory.mktemp("runbook")
    (work / "terraform" / "envs" / "prod").mkdir(parents=True)
    example = TERRAFORM / "envs" / "prod" / "prod.s3.tfbackend.example"
    shutil.copy2(example, work / "terraform" / "envs" / "prod" / example.name)
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        "SNAKEBATCH_HOME": str(work / "home"),
    }
    names = steps()["names"]

    def run(step: str) -> subprocess.CompletedProcess[str]:
        script = f"set -euo pipefail\n{names}\n{steps()[step]}"
        done = subprocess.run(
            ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"step {step} failed:\n{done.stdout}\n{done.stderr}"
        return done

    return run, work


@pytest.fixture(scope="module")
def clients(moto_url: str):
    def client(service: str):
        return boto3.session.Session().client(
            service,
            region_name="eu-west-3",
            endpoint_url=moto_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def test_following_the_runbook_prerequisites_on_moto(shell, clients) -> None:
    run, work = shell
    bucket = f"snakebatch-tfstate-{MOTO_ACCOUNT}-eu-west-3"
    table = "snakebatch-terraform-locks"

    run("state")
    assert check_state_bucket(clients("s3"), bucket).ok
    assert check_lock_table(clients("dynamodb"), table).ok
    block = clients("s3").get_public_access_block(Bucket=bucket)
    assert all(block["PublicAccessBlockConfiguration"].values())

    run("backend")
    backend = (work / "terraform" / "envs" / "prod" / "prod.s3.tfbackend").read_text()
    assert f'bucket         = "{bucket}"' in backend
    assert f'dynamodb_table = "{table}"' in backend
    assert 'region         = "eu-west-3"' in backend and "encrypt        = true" in backend

    run("keys")
    key = (work / "ops.key").read_text().strip()
    assert parse_keys_file((work / "keys.txt").read_text()) == {hash_key(key): "ops"}

    run("teardown-state")
    assert not check_state_bucket(clients("s3"), bucket).ok
    assert not check_lock_table(clients("dynamodb"), table).ok


def prod_variables() -> set[str]:
    text = (TERRAFORM / "envs" / "prod" / "variables.tf").read_text()
    return set(re.findall(r'^variable "([a-z_]+)"', text, re.M))


def test_every_variable_the_runbook_sets_is_a_prod_variable() -> None:
    text = RUNBOOK.read_text()
    tfvars = re.search(r"`terraform/envs/prod/prod.tfvars`.*?```\n(.*?)```", text, re.S)
    assert tfvars is not None, "the runbook shows prod.tfvars"
    used = set(re.findall(r"^([a-z_]+)\s*=", tfvars.group(1), re.M))
    used |= set(re.findall(r'-var "?([a-z_]+)=', text))
    assert {"certificate_arn", "alarm_emails", "api_keys", "deletion_protection"} <= used
    assert used <= prod_variables(), used - prod_variables()


def test_every_snakebatch_command_the_runbook_names_exists() -> None:
    from typer.main import get_command

    from snakebatch.cli import app

    commands = get_command(app).commands  # type: ignore[attr-defined]
    named = set(re.findall(r"\bsnakebatch ([a-z]+)\b", RUNBOOK.read_text()))
    assert {"preflight", "apikey", "plan", "pc", "info", "predict"} <= named
    assert named <= set(commands), named - set(commands)
