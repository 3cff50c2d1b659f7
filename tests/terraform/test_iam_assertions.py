"""The IAM assertions of the module tests can fail: a grant dropped from the shard role
fails ``mesh.tftest.hcl``, which compares the rendered policy JSON with literals."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.terraform.conftest import TERRAFORM
from tests.terraform.tfcli import Terraform, TerraformError

pytestmark = pytest.mark.terraform


def test_dropping_the_shards_list_bucket_grant_fails_the_mesh_tests(
    tmp_path: Path, tf_cli_config: Path
) -> None:
    module = tmp_path / "mesh"
    shutil.copytree(
        TERRAFORM / "modules" / "mesh", module, ignore=shutil.ignore_patterns(".terraform*")
    )
    iam = module / "iam.tf"
    statement = re.compile(
        r'\n( *)\{\n(?: *#[^\n]*\n)* *Sid *= *"TellMissingFromDenied"\n.*?\n\1\},', re.S
    )
    cut, n = statement.subn("", iam.read_text())
    assert n == 1
    iam.write_text(cut)
    # Only the IAM run of the suite (the others plan 100 shards each).
    suite = module / "tests" / "mesh.tftest.hcl"
    header, *runs = suite.read_text().split('\nrun "')
    (iam_run,) = [r for r in runs if r.startswith("iam_is_scoped")]
    suite.write_text(f'{header}\nrun "{iam_run}')
    tf = Terraform(module, tf_cli_config)
    tf.init()
    with pytest.raises(TerraformError, match="rendered policy must be exactly the reviewed"):
        tf.run("test", "-no-color", "-filter=tests/mesh.tftest.hcl")
