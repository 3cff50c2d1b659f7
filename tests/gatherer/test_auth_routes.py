"""Authentication by default: every route is either marked public or refuses a caller
without a key before its endpoint runs."""

from __future__ import annotations

import re

from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from snakebatch.gatherer import create_app
from snakebatch.gatherer.auth import guard, is_guarded, is_public
from tests.gatherer.conftest import assert_error, make_config

#: The only paths a caller without a key may reach; growing it is a reviewed decision.
PUBLIC = {
    "/",
    "/v9/health",
    "/openapi.json",
    "/paper",
    "/architecture",
    "/economics",
    "/math",
    "/static",
    "/grid/v9",
    "/grid/v9/state.json",
    "/grid/v9/events",
    "/concurrency",
    "/concurrency/state.json",
}
PROTECTED = {
    "/v9/train",
    "/v9/upload",
    "/v9/status/{model_id}",
    "/v9/model/{model_id}",
    "/v9/model/{model_id}/stripped",
    "/v9/predict-sync",
}


def test_every_route_is_marked_public_or_guarded(tmp_path):
    app = create_app(make_config(tmp_path), local_workers=0)
    public, guarded = set(), set()
    for route in app.routes:
        assert isinstance(route, Route | Mount), route
        if is_public(route):
            public.add(route.path)
        else:
            assert is_guarded(route), f"{route.path} is neither public nor guarded"
            guarded.add(route.path)
    assert public == PUBLIC
    assert guarded == PROTECTED


def test_a_route_nobody_marked_is_closed(tmp_path):
    async def forgotten(request):  # a new endpoint that forgets to authenticate
        raise AssertionError("must not run without a key")

    [route] = guard([Route("/v9/new", forgotten, methods=["GET"])])
    assert is_guarded(route) and not is_public(route)
    app = create_app(make_config(tmp_path, api_keys=("k1",)), local_workers=0)
    app.router.routes.append(route)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert_error(c.get("/v9/new"), 401, "missing authorization")


def test_guarded_routes_refuse_and_public_routes_serve_without_a_key(tmp_path):
    config = make_config(tmp_path, api_keys=("k1",))
    app = create_app(config, local_workers=0)
    with TestClient(app, raise_server_exceptions=False) as c:
        for route in app.routes:
            path = re.sub(r"\{\w+\}", "abc", route.path)
            if is_guarded(route):
                for method in sorted(route.methods - {"HEAD"}):
                    r = c.request(method, path)
                    assert_error(r, 401, "missing authorization")
                    wrong = c.request(method, path, headers={"Authorization": "Bearer nope"})
                    assert_error(wrong, 401, "unknown api key")
            elif path in ("/grid/v9/events", "/static"):
                continue  # an endless event stream; a directory mount
            else:
                assert c.get(path).status_code == 200, path
        assert c.get("/static/style.css").status_code == 200
        assert c.get("/v9/status/abc", headers={"Authorization": "Bearer k1"}).status_code == 404
