"""``serve`` takes the AWS commands' targeting flags; a deployment it cannot read is
exit 3 before anything starts."""

from __future__ import annotations

from typer.testing import CliRunner

from snakebatch.cli import app


def test_serve_refuses_an_unknown_deployment(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--backend", "aws", "--env", str(tmp_path / "x")])
    assert result.exit_code == 3 and "no such deployment directory" in result.stderr


def test_serve_refuses_a_deployment_without_outputs(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--env", str(tmp_path)])
    assert result.exit_code == 3 and "cannot read the deployment's outputs" in result.stderr
