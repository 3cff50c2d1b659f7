"""terraform fmt, validate (every module, example and env) and each module's tftest suite."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.terraform.conftest import TERRAFORM
from tests.terraform.tfcli import Terraform, TerraformError, cli_env

pytestmark = pytest.mark.terraform

ROOTS = sorted(
    str(p.parent.relative_to(TERRAFORM))
    for p in TERRAFORM.glob("*/*/versions.tf")
    if p.parent.parent.name in {"modules", "envs", "examples"}
)
TESTED = sorted(r for r in ROOTS if (TERRAFORM / r / "tests").is_dir())


@dataclass
class Check:
    ok: bool
    output: str


def check_root(tf: Terraform, with_tests: bool) -> dict[str, Check]:
    results: dict[str, Check] = {}
    try:
        tf.init()
    except TerraformError as exc:
        return {"validate": Check(False, str(exc)), "test": Check(False, str(exc))}
    for step, args in (("validate", ("validate", "-no-color")), ("test", ("test", "-no-color"))):
        if step == "test" and not with_tests:
            continue
        try:
            results[step] = Check(True, tf.run(*args))
        except TerraformError as exc:
            results[step] = Check(False, str(exc))
    return results


@pytest.fixture(scope="session")
def root_checks(tf_tree: Path, tf_cli_config: Path) -> dict[str, dict[str, Check]]:
    """Every root checked once; three at a time, since each mostly waits on its provider."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            root: pool.submit(check_root, Terraform(tf_tree / root, tf_cli_config), root in TESTED)
            for root in ROOTS
        }
        return {root: future.result() for root, future in futures.items()}


def test_every_module_env_and_example_is_checked() -> None:
    modules = {p.name for p in (TERRAFORM / "modules").iterdir() if p.is_dir()}
    assert {"mesh", "layer", "queues", "storage", "alarms", "gatherer"} <= modules
    assert {f"modules/{m}" for m in modules} <= set(ROOTS)
    assert {"envs/prod", "envs/dev", "envs/local"} <= set(ROOTS)
    assert any(r.startswith("examples/") for r in ROOTS)
    assert {
        f"modules/{m}" for m in ("mesh", "layer", "queues", "storage", "alarms", "gatherer")
    } <= set(TESTED)


def test_fmt_is_clean(tf_cli_config: Path) -> None:
    proc = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
        env=cli_env(tf_cli_config),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"terraform fmt would change:\n{proc.stdout}{proc.stderr}"


@pytest.mark.parametrize("root", ROOTS)
def test_validate(root_checks: dict[str, dict[str, Check]], root: str) -> None:
    check = root_checks[root]["validate"]
    assert check.ok, check.output
    assert "The configuration is valid" in check.output


@pytest.mark.parametrize("root", TESTED)
def test_tftest(root_checks: dict[str, dict[str, Check]], root: str) -> None:
    check = root_checks[root]["test"]
    assert check.ok, check.output
    assert " 0 failed" in check.output and "passed" in check.output, check.output
