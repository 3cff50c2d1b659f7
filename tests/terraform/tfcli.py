"""A thin shim over the terraform CLI: run a command in a directory, fail with its output.

Every command runs with the generated CLI config (providers only from the local
mirror), no prompts, no colour, and no checkpoint calls, so a run never reaches for
the network and never waits for input.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any


class TerraformError(AssertionError):
    """A terraform command exited non-zero; the message carries its output."""


def cli_env(cli_config: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        NO_COLOR="1",
    )
    for key in ("TF_WORKSPACE", "TF_DATA_DIR", "TF_LOG"):
        env.pop(key, None)
    return env


class Terraform:
    """The terraform CLI bound to one working directory."""

    def __init__(self, workdir: Path, cli_config: Path) -> None:
        self.workdir = workdir
        self.env = cli_env(cli_config)

    def command(self, *args: str) -> list[str]:
        return ["terraform", f"-chdir={self.workdir}", *args]

    def run(self, *args: str, timeout: float = 600) -> str:
        proc = subprocess.run(
            self.command(*args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise TerraformError(
                f"terraform {' '.join(args)} in {self.workdir} exited {proc.returncode}\n"
                f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
            )
        return proc.stdout

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def init(self) -> None:
        self.run("init", "-backend=false", "-input=false", "-no-color")

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json", "-no-color"))
        return {name: entry["value"] for name, entry in raw.items()}


def finish(proc: subprocess.Popen[str], what: str, timeout: float = 600) -> str:
    """Wait for a background terraform command; raise with its output if it failed."""
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise TerraformError(f"{what} exited {proc.returncode}\n{out[-8000:]}")
    return out
