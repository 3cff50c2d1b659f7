"""CLI commands for the mesh."""

from snakebatch.cli.app import app  # noqa: F401
