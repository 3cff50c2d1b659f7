"""docs/cli.md is the CLI's own help; the README's exit-code table is cli.exits'."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from snakebatch.cli.exits import EXIT_CODES
from snakebatch.cli.reference import render

ROOT = Path(__file__).resolve().parents[2]


def test_docs_cli_md_matches_the_cli():
    assert (ROOT / "docs" / "cli.md").read_text() == render(), (
        "docs/cli.md is stale: python -m snakebatch.cli.reference > docs/cli.md"
    )


def test_readme_exit_code_table_matches():
    readme = (ROOT / "README.md").read_text()
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in readme


def test_version_and_json_through_a_real_process(tmp_path):
    """As a script calls it: stdout holds the one JSON document, stderr the rest."""
    cli = [str(Path(sys.executable).parent / "snakebatch")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def call(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*cli, *args], capture_output=True, text=True, timeout=120, env=env)

    version = call("--version")
    assert version.returncode == 0 and version.stdout.startswith("snakebatch ")
    data = tmp_path / "d.csv"
    data.write_text("y,x\n" + "".join(f"{i % 2},{i}\n" for i in range(40)))
    args = [str(data), "-t", "y", "-o", str(tmp_path / "m.json"), "-L", "1", "--json"]
    fit = call("fit", *args)
    assert fit.returncode == 0, fit.stderr
    assert json.loads(fit.stdout)["paths"]["model"] == str(tmp_path / "m.json")
    assert "next: snakebatch predict" not in fit.stdout
