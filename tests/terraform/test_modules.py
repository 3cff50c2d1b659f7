"""terraform fmt, validate (every module, example and env) and each module's tftest suite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.terraform.conftest import ROOTS, TERRAFORM, TESTED, Check
from tests.terraform.tfcli import cli_env

pytestmark = pytest.mark.terraform


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
