"""Terraform fixtures: the CLI config, a private copy of the tree, artefacts, moto.

The tests never touch the repository's own terraform/ directory: they copy it (with
snakebatch/settings.json and gatherer/ at the same relative places) into a temp dir,
so init/state files of concurrent runs cannot collide. A missing terraform binary or
provider mirror fails the run loudly; nothing here skips.

The slow parts run as background jobs started when the first terraform test runs,
each only if a selected test needs it: the apply (and destroy) of envs/local against
moto, which mostly sits in the AWS provider's own waiters (SQS attribute propagation,
S3 lifecycle consistency, Lambda readiness), overlaps init/validate/test of every root
and the checkov scan. Tests wait for the job they read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from layers.gatherer import build_docs
from snakebatch.settings import defaults
from tests.support import free_port
from tests.terraform.tfcli import Terraform, TerraformError, finish

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
APPLY_SHARDS = 3

# Every folder with a versions.tf is a root CI checks; those with tests/ run tftest.
ROOTS = sorted(
    str(p.parent.relative_to(TERRAFORM))
    for p in TERRAFORM.glob("*/*/versions.tf")
    if p.parent.parent.name in {"modules", "envs", "examples"}
)
TESTED = sorted(r for r in ROOTS if (TERRAFORM / r / "tests").is_dir())


@pytest.fixture(scope="session")
def tf_cli_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cli_config(tmp_path_factory.mktemp("tfcli") / "terraformrc")


def write_cli_config(target: Path) -> Path:
    """The mirror-only CLI config at ``target``; fails the run if terraform is unusable."""
    proc = subprocess.run(
        [str(REPO / "scripts" / "terraform-cli-config"), str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"terraform is not usable here: {proc.stderr.strip()}", pytrace=False)
    return target


def copy_tree(root: Path) -> Path:
    """terraform/ + settings.json + gatherer/ under ``root``, as in the repository."""
    ignore = shutil.ignore_patterns(
        ".terraform", "*.tfstate*", ".terraform.lock.hcl", ".terraformrc.generated"
    )
    shutil.copytree(TERRAFORM, root / "terraform", ignore=ignore)
    (root / "snakebatch").mkdir()
    shutil.copy2(REPO / "snakebatch" / "settings.json", root / "snakebatch" / "settings.json")
    shutil.copytree(
        REPO / "gatherer", root / "gatherer", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root / "terraform"


@pytest.fixture(scope="session")
def tf_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("tree"))


def write_zip(path: Path, name: str, body: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body)
    return path


@dataclass
class Artefacts:
    layer: Path
    function: Path
    docs: Path


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Artefacts:
    """Small stand-ins for the Lambda zips (the apply only needs zips Lambda accepts) and
    the real docs tarball, which takes milliseconds to build."""
    d = tmp_path_factory.mktemp("artefacts")
    return Artefacts(
        layer=write_zip(d / "layer.zip", "python/snake_stub.py", "ENGINE = 'stub'\n"),
        function=write_zip(
            d / "function.zip",
            "functions/handler_snake.py",
            "def handler(event, context):\n    return event\n",
        ),
        docs=build_docs(d).path,
    )


@dataclass
class LocalDeploy:
    """envs/local applied with 3 shards (and planned with 100) against one moto server."""

    endpoint: str
    apply_tf: Terraform
    plan_tf: Terraform
    vars: list[str]
    plan_vars: list[str]
    samples: list[tuple[str, str]]
    applied: bool = False
    destroyed: bool = False
    error: BaseException | None = None
    plan_output: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            self.apply_tf.init()
            self.plan_tf.init()
            sample_var = (
                "shard_hash_samples=["
                + ",".join(f'{{model_id="{m}",key="{k}"}}' for m, k in self.samples)
                + "]"
            )
            apply = self.apply_tf.popen(
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                *self.vars,
                "-var",
                f"shard_count={APPLY_SHARDS}",
                "-var",
                sample_var,
            )
            plan = self.plan_tf.popen(
                "plan",
                "-input=false",
                "-no-color",
                "-lock=false",
                *self.vars,
                *self.plan_vars,
                "-var",
                "create_gatherer=true",
            )
            finish(apply, "terraform apply of envs/local")
            self.applied = True
            self.outputs = self.apply_tf.outputs()
            self.plan_output = finish(plan, "terraform plan of the 100-shard envs/local")
        except BaseException as exc:  # handed to the test that waits, not lost in a thread
            self.error = exc
        finally:
            self.done.set()

    def wait(self) -> LocalDeploy:
        if not self.done.wait(timeout=900):
            raise TerraformError("envs/local apply did not finish in 15 minutes")
        if self.error is not None:
            raise self.error
        return self

    def destroy(self) -> None:
        if self.applied and not self.destroyed:
            self.apply_tf.run(
                "destroy",
                "-auto-approve",
                "-input=false",
                "-no-color",
                *self.vars,
                "-var",
                f"shard_count={APPLY_SHARDS}",
            )
            self.destroyed = True


SAMPLES = [(f"model-{i:03d}", key) for i in range(40) for key in ("0", "1", "layer-7")] + [
    ("", ""),
    ("zürich", "ключ"),
    ("a:b", "c:d"),
]


@dataclass
class Check:
    ok: bool
    output: str


def check_root(tf: Terraform, with_tests: bool) -> dict[str, Check]:
    """init + validate (+ terraform test) of one root; failures become results, not raises."""
    try:
        tf.init()
    except TerraformError as exc:
        return {"validate": Check(False, str(exc)), "test": Check(False, str(exc))}
    results = {}
    steps = [("validate", ("validate", "-no-color"))]
    if with_tests:
        steps.append(("test", ("test", "-no-color")))
    for step, args in steps:
        try:
            results[step] = Check(True, tf.run(*args))
        except TerraformError as exc:
            results[step] = Check(False, str(exc))
    return results


def wanted(request: pytest.FixtureRequest, fixture: str) -> bool:
    return any(fixture in item.fixturenames for item in request.session.items)


@pytest.fixture(scope="session", autouse=True)
def root_checks_job(
    request: pytest.FixtureRequest, tf_tree: Path, tf_cli_config: Path
) -> Iterator[dict[str, Future[dict[str, Check]]] | None]:
    if not wanted(request, "root_checks"):
        yield None
        return
    # Three at a time: each mostly waits on its provider plugin starting.
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="terraform-root") as pool:
        yield {
            root: pool.submit(check_root, Terraform(tf_tree / root, tf_cli_config), root in TESTED)
            for root in ROOTS
        }


@pytest.fixture(scope="session")
def root_checks(
    root_checks_job: dict[str, Future[dict[str, Check]]] | None,
) -> dict[str, dict[str, Check]]:
    assert root_checks_job is not None, "the root checks were not started"
    return {root: future.result(timeout=900) for root, future in root_checks_job.items()}


@pytest.fixture(scope="session", autouse=True)
def checkov_job(request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str] | None]:
    if not wanted(request, "checkov_report"):
        yield None
        return
    checkov = Path(sys.executable).with_name("checkov")
    if not checkov.exists():
        pytest.fail(f"checkov is not installed next to {sys.executable}", pytrace=False)
    proc = subprocess.Popen(
        [
            str(checkov),
            "-d",
            str(TERRAFORM),
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
            "--compact",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


@pytest.fixture(scope="session")
def checkov_report(checkov_job: subprocess.Popen[str] | None) -> tuple[int, dict[str, Any]]:
    """checkov's exit code and its terraform report."""
    assert checkov_job is not None, "checkov was not started"
    out, err = checkov_job.communicate(timeout=900)
    assert out.strip(), f"checkov printed nothing:\n{err[-3000:]}"
    reports = json.loads(out)
    reports = reports if isinstance(reports, list) else [reports]
    (report,) = [r for r in reports if r.get("check_type") == "terraform"]
    return checkov_job.returncode, report


@pytest.fixture(scope="session", autouse=True)
def local_deploy(
    request: pytest.FixtureRequest,
    tf_cli_config: Path,
    tmp_path_factory: pytest.TempPathFactory,
    artefacts: Artefacts,
) -> Iterator[LocalDeploy | None]:
    """Starts the background apply if any selected test asks for ``deployed``."""
    if not wanted(request, "deployed"):
        yield None
        return
    port = free_port()  # its own server: the stack's names would collide with other areas'
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    apply_root = copy_tree(tmp_path_factory.mktemp("apply"))
    plan_root = copy_tree(tmp_path_factory.mktemp("plan100"))
    deploy = LocalDeploy(
        endpoint=endpoint,
        apply_tf=Terraform(apply_root / "envs" / "local", tf_cli_config),
        plan_tf=Terraform(plan_root / "envs" / "local", tf_cli_config),
        vars=[
            "-var",
            f"endpoint={endpoint}",
            "-var",
            f"layer_zip_path={artefacts.layer}",
            "-var",
            f"function_zip_path={artefacts.function}",
        ],
        # The docs upload is planned, not applied: moto ignores the Condition of the
        # bucket's TLS-only Deny, so it refuses every object write to the stack's bucket.
        plan_vars=["-var", f"gatherer_docs_path={artefacts.docs}"],
        samples=SAMPLES,
    )
    worker = threading.Thread(target=deploy.run, name="terraform-local-apply", daemon=True)
    worker.start()
    yield deploy
    deploy.done.wait(timeout=900)
    try:
        deploy.destroy()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def deployed(local_deploy: LocalDeploy | None) -> LocalDeploy:
    """envs/local, applied: waits for the background apply (and the 100-shard plan)."""
    assert local_deploy is not None, "the background apply was not started"
    return local_deploy.wait()


@pytest.fixture(scope="module")
def aws(deployed: LocalDeploy) -> Any:
    """``aws(service)``: a boto3 client of the applied stack's moto server."""

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=deployed.endpoint,
            region_name=defaults()["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client
