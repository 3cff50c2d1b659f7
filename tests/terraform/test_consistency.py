"""One source of truth: Terraform and snakebatch agree on names, env vars and the shard hash.

The naming module is pure (no provider), so it is applied directly here, in
milliseconds; test_apply_local.py checks the deployed side (a shard's environment fed
to ``Settings.from_env``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snakebatch.settings import bucket_name, defaults, shard_for, shard_function_name
from tests.terraform.conftest import SAMPLES, TERRAFORM
from tests.terraform.tfcli import Terraform

pytestmark = pytest.mark.terraform

NAMING_ROOT = """
module "naming" {{
  source             = "{module}"
  settings           = jsondecode(file("{settings}"))
  shard_count        = var.shard_count
  account_id         = "210987654321"
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
        bucket_name(s["bucket"], "210987654321", s["region"]),
    )
    assert out["bucket"] == f"snakebatch-jobs-210987654321-{s['region']}"
    assert out["alias"] == s["alias"] and out["layer_name"] == s["layer_name"]
    assert out["env"] == s["env"]


def queue_default(name: str) -> int:
    """A default of terraform/modules/queues/variables.tf, read with an HCL parser."""
    import hcl2

    parsed = hcl2.loads((TERRAFORM / "modules" / "queues" / "variables.tf").read_text())
    (body,) = [v[name] for v in parsed["variable"] if name in v]
    return body["default"][0]


def test_drainer_gives_up_before_the_queue_redrives() -> None:
    """The drainer dead-letters a report itself (with a reason) before SQS would redrive it."""
    from snakebatch.mesh.drainer import DEFAULT_MAX_RECEIVES

    assert queue_default("max_receive_count") > DEFAULT_MAX_RECEIVES


def test_queue_polling_matches_the_drainer() -> None:
    import inspect

    from snakebatch.mesh.drainer import Drainer

    wait_s = inspect.signature(Drainer).parameters["wait_s"].default
    assert queue_default("receive_wait_time_seconds") == wait_s
    # a received batch stays hidden for many polls' worth of ingest time
    assert queue_default("visibility_timeout_seconds") >= 10 * wait_s
