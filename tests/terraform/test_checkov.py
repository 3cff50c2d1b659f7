"""Static security scan: checkov passes, and every check we skip says why, in the code."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.terraform.conftest import TERRAFORM

pytestmark = pytest.mark.terraform

SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def test_checkov_finds_no_failed_checks(checkov_report: tuple[int, dict[str, Any]]) -> None:
    returncode, report = checkov_report
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
        for c in report["results"].get("failed_checks", [])
    ]
    assert failed == [], "\n".join(failed)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 100, report["summary"]
    assert returncode == 0


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
