"""CLI commands for the serve."""

from snakebatch.cli.app import app  # noqa: F401
