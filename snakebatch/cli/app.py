"""The ``snakebatch`` command: one Typer app, commands registered by topic modules."""

import typer

app = typer.Typer(
    name="snakebatch",
    help="Train and serve Snake models on a local mesh or on AWS Lambda.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
