"""CLI commands for the ops."""

from snakebatch.cli.app import app  # noqa: F401
