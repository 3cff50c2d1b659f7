"""The root of the mesh's errors.

Every error the mesh raises about what it was given (an event, a report, a staged
upload, training parameters) or about its own state (a job not ready, a timeout)
derives from ``MeshError``; every failure of the world beneath it derives from
``snakebatch.backends.base.BackendError``. Callers catch the two roots (and the
engine's ``SnakeError``) instead of long tuples: the CLI maps them to exit codes,
the gatherer to HTTP statuses (``snakebatch.gatherer.errors.STATUS_OF``).
"""

from __future__ import annotations

from snakebatch.backends.base import BackendError


class MeshError(Exception):
    """Root of the mesh's errors.

    ``permanent`` says whether the same input can ever succeed: a malformed event or
    report never will (the default here), a timeout might. The report drainer reads
    this flag and nothing else to decide between retrying and giving up.
    """

    permanent = True


def is_permanent(exc: BaseException) -> bool:
    """True when no retry or redelivery can fix ``exc``: the type says so, nothing is
    guessed. The drainer and the roles' own retries both ask this one question."""
    return isinstance(exc, MeshError | BackendError) and exc.permanent
