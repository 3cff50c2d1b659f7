"""Options shared by every command, derived from ``engine.params`` where they are
training parameters, so ``fit``, ``train``, ``plan`` and ``pc`` spell, default and
check them the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from snakebatch.engine.errors import ParameterError
from snakebatch.engine.params import PARAMS

#: Command-line flags of each training parameter (the long flag first).
FLAGS = {
    "n_layers": ("--layers", "-L"),
    "bucket": ("--bucket", "-b"),
    "noise": ("--noise",),
    "lookahead": ("--lookahead",),
    "seed": ("--seed", "-s"),
    "tau": ("--tau",),
    "completion": ("--completion",),
    # ``--profile`` names an AWS profile, as in the AWS CLI; this one is the model's.
    "profile": ("--oppose-profile",),
    "workers": ("--workers", "-w"),
}


def param(name: str, **extra: Any) -> Any:
    """The typer option of training parameter ``name``: its flags, help and check."""
    p = PARAMS[name]

    def check(value: Any) -> Any:
        if value is None:
            return value
        try:
            return p.check(value)
        except ParameterError as exc:
            raise typer.BadParameter(str(exc)) from None

    text = extra.pop("help", p.help)
    return typer.Option(
        *FLAGS[name], help=f"{text} {p.rule().capitalize()}.", callback=check, **extra
    )


DEFAULTS = {name: p.default for name, p in PARAMS.items()}


def column_ref(text: str) -> int | str:
    """A column given on the command line: a position when it is an integer, else a name."""
    try:
        return int(text)
    except ValueError:
        return text


Data = Annotated[
    Path, typer.Argument(metavar="DATA", help="Training data: .csv, .csv.gz or .json rows.")
]
Target = Annotated[
    str, typer.Option("--target", "-t", help="Target column: a name or a 0-based position.")
]
Out = Annotated[
    Path,
    typer.Option("--out", "-o", help="Model file to write; the stripped model goes beside it."),
]
DEFAULT_OUT = Path("model.json")
Layers = Annotated[int, param("n_layers")]
Bucket = Annotated[int, param("bucket")]
Noise = Annotated[float, param("noise")]
Lookahead = Annotated[int, param("lookahead")]
Seed = Annotated[int, param("seed")]
Tau = Annotated[int, param("tau")]
Completion = Annotated[str, param("completion")]
Profile = Annotated[str, param("profile")]
Workers = Annotated[int, param("workers")]
Exclude = Annotated[
    list[str] | None,
    typer.Option("--exclude", "-x", help="Column to leave out (name or position); repeatable."),
]
Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout; the rest on stderr.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
Timeout = Annotated[
    float | None,
    typer.Option(
        help="Give up after this many seconds: the job is marked failed, its work dropped."
    ),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Act without asking for confirmation.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the plan only; change nothing.")]
Home = Annotated[
    Path | None,
    typer.Option(help="Mesh state directory (default $SNAKEBATCH_HOME or ~/.snakebatch)."),
]
