"""CLI commands for the engine."""

from snakebatch.cli.app import app  # noqa: F401
