"""The deploy unit: the cloud-init template renders under Terraform's templatefile()
with the variables it declares, into valid cloud-config that starts the service."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

GATHERER = Path(__file__).resolve().parents[2] / "gatherer"
TEMPLATE = GATHERER / "cloud-init.yaml.tftpl"
VARS = {
    "region": "eu-west-3",
    "wheel_s3_uri": "s3://artifacts/snakebatch-0.1.0-py3-none-any.whl",
    "wheelhouse_s3_uri": "s3://artifacts/wheelhouse.tar",
    "docs_s3_uri": "",
    "bucket": "snake-batch-jobs",
    "reports_queue_url": "https://sqs.eu-west-3.amazonaws.com/1/v9-reports",
    "reports_dlq_url": "https://sqs.eu-west-3.amazonaws.com/1/v9-reports-dlq",
    "job_table": "v9-jobs",
    "function_prefix": "v9-worker-pipe",
    "shard_count": 100,
    "api_keys_parameter": "/snakebatch/api-keys",
    "port": 8080,
    "workers": 8,
}


def declared_variables() -> set[str]:
    header = TEMPLATE.read_text().split("\n\n", 1)[0]
    return set(re.findall(r"^#   ([a-z0-9_]+)\s", header, re.M))


def test_header_declares_every_interpolated_variable():
    body = TEMPLATE.read_text()
    used = set(re.findall(r"\$\{(?:indent\(\d+, )?([a-z0-9_]+)\)?\}", body))
    assert used == declared_variables()
    assert declared_variables() == {*VARS, "systemd_unit"}


def render_user_data(tmp_path: Path) -> str:
    """The template through Terraform's own templatefile()."""
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on the PATH")
    (tmp_path / "main.tf").write_text(
        'variable "vars" { type = any }\n'
        'output "user_data" { value = templatefile(var.vars.template, merge(var.vars.values,'
        " { systemd_unit = file(var.vars.unit) })) }\n"
    )
    tfvars = {
        "vars": {
            "template": str(TEMPLATE),
            "unit": str(GATHERER / "snakebatch-gatherer.service"),
            "values": VARS,
        }
    }
    (tmp_path / "terraform.tfvars.json").write_text(json.dumps(tfvars))
    env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"}
    env["PATH"] = str(Path(shutil.which("terraform")).parent) + ":" + env["PATH"]
    run = subprocess.run(
        ["terraform", "apply", "-auto-approve", "-input=false", "-no-color"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr + run.stdout
    out = subprocess.run(
        ["terraform", "output", "-raw", "user_data"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return out


def render(tmp_path: Path) -> str:
    """The rendered boot script."""
    doc = yaml.safe_load(render_user_data(tmp_path))
    return {f["path"]: f["content"] for f in doc["write_files"]}["/opt/snakebatch/boot.sh"]


@pytest.mark.terraform
def test_renders_with_terraform_templatefile(tmp_path):
    out = render_user_data(tmp_path)
    assert out.startswith("#cloud-config\n")
    doc = yaml.safe_load(out)
    files = {f["path"]: f["content"] for f in doc["write_files"]}
    env_file = dict(
        line.split("=", 1) for line in files["/etc/snakebatch/env"].splitlines() if line
    )
    assert env_file["SNAKEBATCH_BACKEND"] == "aws"
    assert env_file["SNAKEBATCH_SHARD_COUNT"] == "100"
    assert env_file["SNAKEBATCH_REPORTS_QUEUE_URL"] == VARS["reports_queue_url"]
    unit = files["/etc/systemd/system/snakebatch-gatherer.service"]
    assert "ExecStart=/opt/snakebatch/venv/bin/gunicorn" in unit and "[Install]" in unit
    assert doc["runcmd"][-1] == ["/opt/snakebatch/boot.sh"]
    assert "package_update" not in doc and doc["packages"] == ["python3.11"]
    boot = files["/opt/snakebatch/boot.sh"]
    syntax = subprocess.run(["bash", "-n"], input=boot, capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    steps = re.findall(r"^run (\d) ", boot, re.M)
    assert steps == [str(n) for n in range(1, 9)]
    assert "--no-index --require-hashes" in boot and "--no-index --no-deps" in boot
    assert "s3://artifacts/wheelhouse.tar" in boot and "enable --now snakebatch-gatherer" in boot


@pytest.mark.terraform
def test_boot_script_stops_at_the_first_failure_and_serves_the_reason(tmp_path):
    """The rendered script's own ``run``/``fail`` with a failing step 3: nothing after it
    runs, one console line names the step, and the health port answers 503 with it."""
    boot = render(tmp_path)
    root = tmp_path / "root"
    (root / "var/lib/snakebatch").mkdir(parents=True)
    script = (
        boot.replace("/var/lib/snakebatch", str(root / "var/lib/snakebatch"))
        .replace("/dev/console", str(root / "console"))
        .replace("exec python3.11 -c", "exit 1; python3.11 -c")
    )
    head, _, _ = script.partition("run 1 ")
    trial = (
        head
        + "run 1 true\nrun 2 true\nrun 3 bash -c 'echo no route to s3 >&2; false'\nrun 4 touch ran-4\n"
    )
    proc = subprocess.run(["bash", "-c", trial], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1
    line = "snakebatch-boot: FAILED step 3/8 wheelhouse: no route to s3 \n"
    assert (root / "console").read_text() == line
    assert (root / "var/lib/snakebatch/boot-failed").read_text() == line
    assert not (tmp_path / "ran-4").exists()
