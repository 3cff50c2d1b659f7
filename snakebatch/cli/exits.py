"""Exit codes, and the one place that turns an exception into a message and a code.

Every command runs its work inside :func:`reporting`, so an error class means the
same exit code in every command, and cloud errors carry a hint about what to check.
The README's exit-code table is :data:`EXIT_CODES`.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import typer

OK, FAILED, USAGE, CLOUD, NOT_FOUND = 0, 1, 2, 3, 4
EXIT_CODES = {
    OK: "success",
    FAILED: "the work failed: training failed or timed out, data or a model file is unusable",
    USAGE: "usage: an unknown flag, a value out of range, a bad query, a missing --yes",
    CLOUD: "cloud or credentials: AWS refused, was unreachable, or the target is unresolved",
    NOT_FOUND: "not found: a data file, model file or job that does not exist",
}


class CliError(Exception):
    """A failure the command detected itself, with the exit code it means."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def _cloud_hint(exc: BaseException) -> str | None:
    """What to check for a botocore error, or None when ``exc`` is not one."""
    try:
        from botocore import exceptions as bx
    except ImportError:  # pragma: no cover - botocore is a dependency
        return None
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return (
            "no AWS credentials: pass --profile NAME (after `aws sso login --profile NAME` "
            "for SSO), or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(exc, bx.ProfileNotFound):
        return f"{exc}: list profiles with `aws configure list-profiles`"
    if isinstance(exc, bx.TokenRetrievalError | bx.SSOError):
        return f"{exc}: run `aws sso login --profile NAME`"
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError | bx.ReadTimeoutError):
        return f"{exc}: check the network, --region and AWS_ENDPOINT_URL"
    if isinstance(exc, bx.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken"):
            return f"AWS rejected the credentials ({code}): refresh them or pick another --profile"
        return f"AWS refused: {exc}"
    if isinstance(exc, bx.BotoCoreError):
        return f"AWS call failed: {exc}"
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ResponseParserError):
        return "the endpoint's answer is not AWS's: check AWS_ENDPOINT_URL and any HTTP proxy"
    return None


#: Errors from these modules are the cloud's; the local backend's are failed work.
_AWS_BACKENDS = "snakebatch.backends.aws"


def classify(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, message) for an error a user can cause; None for a bug."""
    from snakebatch.backends.base import BackendError, JobNotFound
    from snakebatch.engine.errors import (
        ModelNotFoundError,
        ParameterError,
        QueryError,
        SnakeError,
        TargetError,
    )
    from snakebatch.mesh.errors import MeshError
    from snakebatch.ops.chart import ChartError
    from snakebatch.ops.planner import PlanInputError
    from snakebatch.ops.prices import UnknownRegionError
    from snakebatch.ops.toggle import ToggleError, ToggleInputError

    if isinstance(exc, CliError):
        return exc.code, str(exc)
    hint = _cloud_hint(exc)
    if hint is not None:
        return CLOUD, hint
    if isinstance(exc, JobNotFound):
        return NOT_FOUND, f"no such job: {exc.args[0] if exc.args else exc}"
    if isinstance(exc, ModelNotFoundError | FileNotFoundError):
        return NOT_FOUND, str(exc)
    usage = (ParameterError, QueryError, TargetError, PlanInputError, UnknownRegionError)
    if isinstance(exc, (*usage, ToggleInputError, ChartError)):
        return USAGE, str(exc)
    if isinstance(exc, ToggleError) or (
        isinstance(exc, BackendError) and type(exc).__module__.startswith(_AWS_BACKENDS)
    ):
        return CLOUD, str(exc)
    if isinstance(exc, SnakeError | MeshError | BackendError | ValueError | OSError):
        return FAILED, str(exc)
    return None


@contextlib.contextmanager
def reporting() -> Iterator[None]:
    """Run a command's work: a known error becomes ``error: …`` on stderr and its code."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        known = classify(exc)
        if known is None:
            raise
        code, message = known
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(code) from None


def emit_json(document: Any) -> None:
    """The one JSON document a ``--json`` command prints on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def note(message: str) -> None:
    """Anything that is not the command's result goes to stderr."""
    typer.echo(message, err=True)
