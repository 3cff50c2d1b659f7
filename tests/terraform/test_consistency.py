"""One source of truth: Terraform and snakebatch agree on names, env vars and the shard hash.

The naming module is pure (no provider), so it is applied directly here, in
milliseconds; test_stack_local.py checks the deployed side (a shard's environment fed
to ``Settings.from_env``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakebatch.settings import defaults, shard_for, shard_function_name
from tests.terraform.conftest import SAMPLES
from tests.terraform.tfcli import Terraform

pytestmark = pytest.mark.terraform

NAMING_ROOT = """
module "naming" {{
  source             = "{module}"
  settings           = jsondecode(file("{settings}"))
  shard_count        = var.shard_count
  shard_hash_samples = jsondecode(file("${{path.root}}/samples.json"))
}}
variable "shard_count" {{
  type = number
}}
output "naming" {{
  value = module.naming
}}
"""


@pytest.fixture(scope="module")
def naming(tf_tree: Path, tf_cli_config: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("naming")
    (root / "main.tf").write_text(
        NAMING_ROOT.format(
            module=tf_tree / "modules" / "naming",
            settings=tf_tree.parent / "snakebatch" / "settings.json",
        )
    )
    (root / "samples.json").write_text(json.dumps([{"model_id": m, "key": k} for m, k in SAMPLES]))
    tf = Terraform(root, tf_cli_config)
    tf.init()

    def apply(shard_count: int) -> dict:
        tf.run("apply", "-auto-approve", "-no-color", "-var", f"shard_count={shard_count}")
        return tf.outputs()["naming"]

    return apply


@pytest.mark.parametrize("shard_count", [1, 3, 7, 100])
def test_shard_hash_agrees_with_python(naming, shard_count: int) -> None:
    out = naming(shard_count)
    assert out["shard_for"] == [shard_for(m, k, shard_count) for m, k in SAMPLES]


def test_names_agree_with_settings(naming) -> None:
    out = naming(100)
    s = defaults()
    assert out["function_names"] == [
        shard_function_name(s["function_prefix"], i) for i in range(100)
    ]
    assert (out["reports_queue"], out["reports_dlq"], out["job_table"], out["bucket"]) == (
        s["reports_queue"],
        s["reports_dlq"],
        s["job_table"],
        s["bucket"],
    )
    assert out["alias"] == s["alias"] and out["layer_name"] == s["layer_name"]
    assert out["env"] == s["env"]
