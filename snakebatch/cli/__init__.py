"""Entry point of the ``snakebatch`` command; importing each topic registers its commands."""

from snakebatch.cli import engine, fit, jobs, mesh, ops, preflight, serve  # noqa: F401  (registration)
from snakebatch.cli.app import app


def main() -> None:
    app()
