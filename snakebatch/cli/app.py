"""The ``snakebatch`` command: one Typer app, commands registered by topic modules."""

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

app = typer.Typer(
    name="snakebatch",
    help="Train and serve Snake models on a local mesh or on AWS Lambda. "
    "Exit codes: 0 success, 1 failed work, 2 usage, 3 cloud or credentials, 4 not found.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def package_version() -> str:
    try:
        return version("snakebatch")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"snakebatch {package_version()}")
        raise typer.Exit()


@app.callback()
def main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Train and serve Snake models on a local mesh or on AWS Lambda."""
