"""boto3 clients built one way, so retries and endpoints behave the same everywhere.

Endpoints are deliberately *not* passed here: boto3 reads ``AWS_ENDPOINT_URL`` and
``AWS_ENDPOINT_URL_<SERVICE>`` itself, which is how one code path runs against AWS,
moto or LocalStack. Throttling (HTTP 429, ``TooManyRequestsException``) is retried by
botocore's own retry modes with exponential backoff and jitter; ``adaptive`` adds a
client-side token bucket so a throttled caller slows down instead of hammering the
account-wide Lambda scaling budget (the predecessor's $1057 incident was a retry storm).
"""

from __future__ import annotations

import os
from typing import Any

from botocore.config import Config

from snakebatch.backends.base import BackendError

RETRY_MODES = ("legacy", "standard", "adaptive")
DEFAULT_RETRY_MODE = "adaptive"
DEFAULT_MAX_ATTEMPTS = 10


class AwsConfigError(BackendError, ValueError):
    """The AWS retry settings in the environment are not usable."""

    permanent = True


def retry_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Retry mode and attempts from the standard ``AWS_RETRY_MODE`` / ``AWS_MAX_ATTEMPTS``."""
    env = os.environ if environ is None else environ
    mode = env.get("AWS_RETRY_MODE") or DEFAULT_RETRY_MODE
    if mode not in RETRY_MODES:
        raise AwsConfigError(f"AWS_RETRY_MODE must be one of {RETRY_MODES}, got {mode!r}")
    raw = env.get("AWS_MAX_ATTEMPTS") or str(DEFAULT_MAX_ATTEMPTS)
    try:
        attempts = int(raw)
    except ValueError:
        raise AwsConfigError(f"AWS_MAX_ATTEMPTS must be an integer, got {raw!r}") from None
    if attempts < 1:
        raise AwsConfigError(f"AWS_MAX_ATTEMPTS must be at least 1, got {attempts}")
    # ``total_max_attempts`` counts the first try, as AWS_MAX_ATTEMPTS does; botocore's
    # ``max_attempts`` key would count retries only and quietly add one.
    return {"mode": mode, "total_max_attempts": attempts}


def client_config(
    environ: dict[str, str] | None = None, *, max_pool_connections: int = 32
) -> Config:
    """The botocore ``Config`` every snakebatch client uses."""
    return Config(
        retries=retry_settings(environ),
        max_pool_connections=max_pool_connections,
        connect_timeout=5,
        read_timeout=60,
    )


def make_client(service: str, region: str, config: Config | None = None) -> Any:
    """A boto3 client; its own session, because boto3's default session is not thread-safe."""
    import boto3

    session = boto3.session.Session()
    return session.client(service, region_name=region, config=config or client_config())
