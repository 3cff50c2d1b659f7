"""Identifier validation: ids become store keys, so nothing else may reach the store."""

from __future__ import annotations

import re

from snakebatch.engine.params import JOB_ID_PATTERN, JOB_ID_RULE
from snakebatch.gatherer.errors import BadRequest, NotFound

_ID = re.compile(JOB_ID_PATTERN)


def check_id(value: str, kind: str = "model id") -> str:
    """A garbage or traversal id is simply not a job we could hold: 404, not 500."""
    if not _ID.fullmatch(value):
        raise NotFound(f"no such {kind}: ids are {JOB_ID_RULE}")
    return value


def check_id_param(value: object, kind: str) -> str:
    """Same rule for ids a client sends in a body: there it is a bad request."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise BadRequest(f"{kind} must be {JOB_ID_RULE}")
    return value
