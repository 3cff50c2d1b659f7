"""Static security scan: checkov passes, and every check we skip says why, in the code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.terraform.conftest import TERRAFORM

pytestmark = pytest.mark.terraform

SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")
CHECKOV = Path(sys.executable).with_name("checkov")


def test_checkov_finds_no_failed_checks() -> None:
    assert CHECKOV.exists(), f"checkov is not installed next to {sys.executable}"
    proc = subprocess.run(
        [
            str(CHECKOV),
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
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.stdout.strip(), f"checkov printed nothing:\n{proc.stderr[-3000:]}"
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    (report,) = [r for r in reports if r.get("check_type") == "terraform"]
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
        for c in report["results"].get("failed_checks", [])
    ]
    assert failed == [], "\n".join(failed)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 100, report["summary"]
    assert proc.returncode == 0


def test_every_skip_gives_a_one_line_reason() -> None:
    skips = []
    for tf in sorted(TERRAFORM.rglob("*.tf")):
        if ".terraform" in tf.parts:
            continue
        for number, line in enumerate(tf.read_text().splitlines(), 1):
            match = SKIP.search(line)
            if match:
                skips.append(
                    (f"{tf.relative_to(TERRAFORM)}:{number}", match.group(1), match.group(2))
                )
    assert skips, "expected the documented skips (e.g. Lambda VPC) to be present"
    unexplained = [where for where, _, reason in skips if not reason or len(reason.strip()) < 20]
    assert unexplained == [], f"skips without a reason: {unexplained}"
