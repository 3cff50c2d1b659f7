"""The module READMEs carry generated input/output tables that match the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terraform.conftest import REPO, TERRAFORM

pytestmark = pytest.mark.terraform

SCRIPT = REPO / "scripts" / "terraform-docs"


def docs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_every_module_readme_is_up_to_date() -> None:
    proc = docs("--check")
    assert proc.returncode == 0, proc.stderr
    readme = (TERRAFORM / "modules" / "mesh" / "README.md").read_text()
    assert "| `shard_count` | Number of isolated shard functions" in readme
    assert "| `100` | no |" in readme
    assert "| `function_names` |" in readme


def test_a_changed_description_makes_the_readme_stale(tmp_path: Path) -> None:
    module = tmp_path / "queues"
    shutil.copytree(TERRAFORM / "modules" / "queues", module)
    variables = module / "variables.tf"
    variables.write_text(variables.read_text().replace("Receives before a report", "Tries before"))
    proc = docs("--check", str(module))
    assert proc.returncode == 1
    assert "out of date" in proc.stderr
    assert docs(str(module)).returncode == 0
    assert "| Tries before" in (module / "README.md").read_text()
    assert docs("--check", str(module)).returncode == 0


def test_a_readme_without_markers_is_an_error(tmp_path: Path) -> None:
    module = tmp_path / "layer"
    shutil.copytree(TERRAFORM / "modules" / "layer", module)
    (module / "README.md").write_text("# layer\n")
    proc = docs("--check", str(module))
    assert proc.returncode == 1
    assert "has no <!-- BEGIN_TF_DOCS -->" in proc.stderr
