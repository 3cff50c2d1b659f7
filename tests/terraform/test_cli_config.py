"""scripts/terraform-cli-config: mirror-only provider installation, loud when unusable."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.terraform.conftest import REPO

pytestmark = pytest.mark.terraform

SCRIPT = REPO / "scripts" / "terraform-cli-config"


def run(target: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), str(target)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_config_installs_only_from_the_mirror(tf_cli_config: Path) -> None:
    text = tf_cli_config.read_text()
    assert 'filesystem_mirror {\n    path    = "/opt/tf-plugins"' in text
    assert 'exclude = ["registry.terraform.io/*/*"]' in text


def test_missing_provider_mirror_fails_loudly(tmp_path: Path) -> None:
    proc = run(tmp_path / "rc", TF_PLUGIN_MIRROR=str(tmp_path / "no-mirror"))
    assert proc.returncode != 0
    assert "ERROR: no hashicorp/aws provider" in proc.stderr
    assert not (tmp_path / "rc").exists()


def test_missing_terraform_fails_loudly(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname", "mkdir", "cat"):
        found = shutil.which(tool)
        assert found
        (bindir / tool).symlink_to(found)
    proc = run(tmp_path / "rc", PATH=str(bindir))
    assert proc.returncode != 0
    assert "ERROR: terraform is not on the PATH" in proc.stderr
