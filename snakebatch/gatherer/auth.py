"""API keys: hashed at rest, compared in constant time, bound to a short key name.

Keys come from ``SNAKEBATCH_API_KEYS`` (comma separated; an entry ``sha256:HEX`` is a
hash, anything else a plain key hashed on load) and from a keys file of
``name:sha256:HEX`` lines. Only hashes stay in memory or on disk. A plain SHA-256 is
enough because keys are 256-bit random tokens, not passwords a dictionary can guess.

Authentication is on by default: ``KeyAuth`` (under Starlette's
``AuthenticationMiddleware``) identifies every request, and ``guard`` wraps every
route's endpoint so an unauthenticated request gets a 401 before the endpoint runs,
except the routes wrapped in ``public(...)`` where they are declared. A new route
that says nothing is therefore closed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from weakref import WeakSet

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
    UnauthenticatedUser,
)
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from snakebatch.gatherer.errors import Unauthorized

PREFIX = "sha256:"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def hash_key(key: str) -> str:
    return PREFIX + hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "sbk_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class KeyRing:
    """Hash → key name; empty means authentication is off (loopback-only serving)."""

    hashes: dict[str, str]

    @property
    def enabled(self) -> bool:
        return bool(self.hashes)

    @classmethod
    def load(cls, env_keys: tuple[str, ...] = (), keys_file: Path | None = None) -> KeyRing:
        hashes: dict[str, str] = {}
        for i, entry in enumerate(env_keys):
            h = entry if entry.startswith(PREFIX) else hash_key(entry)
            hashes[h] = f"env{i}"
        if keys_file is not None:
            hashes.update(parse_keys_file(keys_file.read_text()))
        return cls(hashes)

    def identify(self, authorization: str | None) -> str:
        """The key name for an ``Authorization`` header, or ``Unauthorized``."""
        if not self.enabled:
            return "local"
        if not authorization:
            raise Unauthorized("missing Authorization header; send 'Authorization: Bearer KEY'")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization must be 'Bearer KEY'")
        presented = hash_key(token.strip())
        for h, name in self.hashes.items():
            if hmac.compare_digest(h, presented):
                return name
        raise Unauthorized("unknown API key")


def parse_keys_file(text: str) -> dict[str, str]:
    """``name:sha256:HEX`` per line; blank lines and ``#`` comments are skipped."""
    out: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, h = line.partition(":")
        digest = h.removeprefix(PREFIX)
        if not sep or not h.startswith(PREFIX) or not _HEX64.fullmatch(digest):
            raise ValueError(f"keys file line {n}: expected 'name:sha256:<64 hex>'")
        out[h] = name
    return out


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class InsecureBind(Exception):
    """Raised instead of listening publicly with authentication off."""


def check_bind(host: str, keys: KeyRing) -> None:
    if not keys.enabled and not is_loopback(host):
        raise InsecureBind(
            f"refusing to listen on {host!r} with no API key configured; set "
            "SNAKEBATCH_API_KEYS or SNAKEBATCH_API_KEYS_FILE, or bind 127.0.0.1"
        )


class Anonymous(UnauthenticatedUser):
    """A caller without a valid key; ``reason`` becomes the 401's message."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class KeyAuth(AuthenticationBackend):
    """Identifies a request by its bearer key against the runtime's ``KeyRing``."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        keys: KeyRing = conn.app.state.runtime.keys
        try:
            name = keys.identify(conn.headers.get("authorization"))
        except Unauthorized as exc:
            return AuthCredentials(), Anonymous(exc.message)
        return AuthCredentials(["authenticated"]), SimpleUser(name)


R = TypeVar("R", bound=BaseRoute)
#: Public routes by identity (a Route compares by value and is unhashable); holding
#: them keeps an id from being reused by another route.
_PUBLIC: dict[int, BaseRoute] = {}
Endpoint = Callable[[Request], Awaitable[Response]]
_GUARDED: WeakSet[Endpoint] = WeakSet()


def public(route: R) -> R:
    """Mark a route as open to callers without a key (pages, health, the schema)."""
    _PUBLIC[id(route)] = route
    return route


def is_public(route: BaseRoute) -> bool:
    return _PUBLIC.get(id(route)) is route


def is_guarded(route: BaseRoute) -> bool:
    return isinstance(route, Route) and route.endpoint in _GUARDED


def _authenticated(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        user = request.user
        if isinstance(user, Anonymous):
            raise Unauthorized(user.reason)
        return await endpoint(request)

    guarded.__name__ = getattr(endpoint, "__name__", "endpoint")
    guarded.__doc__ = endpoint.__doc__
    _GUARDED.add(guarded)
    return guarded


def guard(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """The routes with every endpoint not marked ``public`` behind authentication."""
    out: list[BaseRoute] = []
    for route in routes:
        if is_public(route):
            out.append(route)
        elif isinstance(route, Route):
            out.append(
                Route(
                    route.path,
                    _authenticated(route.endpoint),
                    methods=sorted(route.methods or ()),
                    name=route.name,
                )
            )
        elif isinstance(route, Mount):
            raise TypeError(f"mount {route.path!r} must be marked public or be a route")
        else:
            raise TypeError(f"cannot guard {route!r}")
    return out
