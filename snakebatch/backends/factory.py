"""One way to open the configured backend and its job store.

The gatherer, the Lambda handler and the CLI's ``train`` (which pins ``backend`` to
local) call ``open_backend`` rather than choosing classes themselves, so a new backend
is added here once. The aws modules are imported only when chosen: the
local backend must work without boto3.
"""

from __future__ import annotations

from snakebatch.backends.base import Backend, BackendError, JobStore
from snakebatch.settings import Settings


class UnknownBackend(BackendError):
    """``Settings.backend`` names no backend this build knows."""

    permanent = True


def open_backend(settings: Settings, *, workers: int = 0) -> tuple[Backend, JobStore]:
    """(backend, job store) for ``settings.backend``; ``workers`` sizes a local pool
    (0: this process only submits and reads, another one runs the workers)."""
    if settings.backend == "local":
        from snakebatch.backends.local import LocalBackend
        from snakebatch.backends.local_jobs import SqliteJobStore

        local = LocalBackend(settings.home, workers=workers, shard_count=settings.shard_count)
        return local, SqliteJobStore(local.jobs_path)
    if settings.backend == "aws":
        from snakebatch.backends.aws import AwsBackend, AwsClients
        from snakebatch.backends.aws_jobs import DynamoJobStore

        aws = AwsBackend(settings, AwsClients.create(settings.region))
        return aws, DynamoJobStore(aws.clients.dynamodb, settings.job_table)
    raise UnknownBackend(f"unknown backend {settings.backend!r}; expected 'local' or 'aws'")
