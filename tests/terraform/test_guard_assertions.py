"""The pcguard, alarms and queues module tests can fail: a grant or a wire broken in a
copy of the module fails the assertion that watches it (each suite trimmed to the run
that holds that assertion, so the check stays cheap)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.terraform.conftest import TERRAFORM
from tests.terraform.tfcli import Terraform, TerraformError

pytestmark = pytest.mark.terraform


def broken_copy(tmp_path: Path, module: str, file: str, old: str, new: str, run: str) -> Path:
    """``module`` copied with ``old`` replaced by ``new`` in ``file`` and its suite cut
    down to ``run``."""
    copy = tmp_path / module
    shutil.copytree(
        TERRAFORM / "modules" / module, copy, ignore=shutil.ignore_patterns(".terraform*")
    )
    source = copy / file
    text = source.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {file}"
    source.write_text(text.replace(old, new))
    suite = copy / "tests" / f"{module}.tftest.hcl"
    header, *runs = suite.read_text().split('\nrun "')
    (kept,) = [r for r in runs if r.startswith(f'{run}"')]
    suite.write_text(f'{header}\nrun "{kept}')
    return copy


@pytest.mark.parametrize(
    ("module", "file", "old", "new", "run", "message"),
    [
        (
            "pcguard",
            "main.tf",
            'Action   = ["sqs:SendMessage"]',
            'Action   = ["sqs:GetQueueUrl"]',
            "roles_reach_only_the_live_aliases_and_their_own_resources",
            "dead-letter to its DLQ",
        ),
        (
            "pcguard",
            "main.tf",
            "arn = aws_sqs_queue.dlq.arn",
            'arn = "arn:aws:sqs:eu-west-3:210987654321:elsewhere"',
            "roles_reach_only_the_live_aliases_and_their_own_resources",
            "run the sweeper as the scheduler role",
        ),
        (
            "alarms",
            "main.tf",
            'Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]',
            'Action    = ["kms:Decrypt"]',
            "alarms_notify_the_topic_encrypted_with_a_key_cloudwatch_may_use",
            "must let CloudWatch",
        ),
        (
            "queues",
            "outputs.tf",
            "value       = aws_sqs_queue.dlq.url",
            "value       = aws_sqs_queue.reports.url",
            "reports_redrive_to_an_encrypted_dlq",
            "DLQ outputs must be the DLQ's",
        ),
    ],
)
def test_breaking_what_an_assertion_watches_fails_it(
    tmp_path: Path, tf_cli_config: Path, module, file, old, new, run, message
) -> None:
    tf = Terraform(broken_copy(tmp_path, module, file, old, new, run), tf_cli_config)
    tf.init()
    with pytest.raises(TerraformError, match=message):
        tf.run("test", "-no-color")
