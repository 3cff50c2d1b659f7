"""Pages from docs/*.md, the index, the stylesheet, the OpenAPI schema and the live JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from snakebatch.gatherer import create_app
from snakebatch.gatherer.charts import bar_chart, line_chart
from snakebatch.gatherer.pages import PAGES, render_markdown
from tests.gatherer.conftest import assert_error, make_config

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_render_markdown_title_tables_and_charts():
    title, html = render_markdown(
        "# The *title*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[[chart:predecessor-slots]]\n\n"
        "[[chart:nope]]\n\n```\ncode\n```\n"
    )
    assert title == "The title"
    assert "<table>" in html and "<svg" in html and "449" in html
    assert "unknown chart nope" in html and "<pre><code>code" in html


def test_charts_are_svg():
    svg = line_chart(
        [("a", [(1, 1), (10, 5), (100, 9)])],
        title="t",
        x_label="x",
        y_label="y",
        log_x=True,
        hlines=[("budget", 4)],
    )
    assert svg.count("<polyline") == 1 and "budget" in svg
    assert line_chart([], title="t", x_label="x", y_label="y") == ""
    assert "<rect" in bar_chart([("a", 1.0), ("b", 0.0)], title="t")


@pytest.mark.parametrize("name", [n for n in PAGES if (DOCS / f"{n}.md").is_file()])
def test_each_written_doc_is_a_page(api, name):
    r = api.get(f"/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1" in r.text and '/static/style.css"' in r.text
    assert "[[chart:" not in r.text


def test_missing_doc_is_json_404(tmp_path):
    config = make_config(tmp_path, docs_dir=tmp_path / "nodocs")
    with TestClient(create_app(config, local_workers=0)) as c:
        assert_error(c.get("/economics"), 404, "not written yet")
        assert c.get("/concurrency").status_code == 200
        assert c.get("/").status_code == 200


def test_doc_edits_show_up(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "math.md").write_text("# First\n")
    config = make_config(tmp_path, docs_dir=docs)
    with TestClient(create_app(config, local_workers=0)) as c:
        assert "First" in c.get("/math").text
        import os

        (docs / "math.md").write_text("# Second\n")
        os.utime(docs / "math.md", (1, 2_000_000_000))
        assert "Second" in c.get("/math").text


def test_index_static_and_health(api):
    assert "SnakeBatch v9" in api.get("/").text
    css = api.get("/static/style.css")
    assert css.status_code == 200 and ".grid" in css.text
    h = api.get("/v9/health").json()
    assert h["status"] == "ok" and h["backend"] == "local" and h["shards"] == 100


def test_openapi_lists_every_route(api):
    spec = api.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/v9/train",
        "/v9/upload",
        "/v9/status/{model_id}",
        "/v9/model/{model_id}",
        "/v9/model/{model_id}/stripped",
        "/v9/predict-sync",
        "/v9/health",
        "/grid/v9",
        "/concurrency",
    ):
        assert path in spec["paths"], path


def test_grid_page_state_and_events(api):
    page = api.get("/grid/v9").text
    assert page.count('class=cell id="s') == 100 and "EventSource" in page
    state = api.get("/grid/v9/state.json").json()
    assert len(state["shards"]) == 100
    assert set(state["shards"][0]) == {"shard", "invoked", "in_flight", "done", "errors"}
    with api.stream("GET", "/grid/v9/events?max_events=1") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    assert text.startswith("event: grid\ndata: {")
    assert_error(api.get("/grid/v9/events?max_events=0"), 400, "at least 1")
    assert_error(api.get("/grid/v9/events?max_events=x"), 400, "integer")


def test_concurrency_state(api):
    snap = api.get("/concurrency/state.json").json()
    assert snap["budget_per_s"] == pytest.approx(1000 / 60)
    assert {"rate_60s_per_s", "peak_1s_per_s", "over_budget", "series", "backend"} <= set(snap)
    page = api.get("/concurrency").text
    assert "c-chart" in page and "/concurrency/state.json" in page


def test_openapi_covers_every_route_and_method(api):
    from starlette.routing import Route

    spec = api.get("/openapi.json").json()["paths"]
    internal = {"/", "/openapi.json", "/grid/v9/events"}
    for route in api.app.routes:
        if not isinstance(route, Route) or route.path in internal:
            continue
        assert route.path in spec, f"{route.path} is served but not in /openapi.json"
        for method in route.methods - {"HEAD"}:
            assert method.lower() in spec[route.path], (route.path, method)


def test_unreachable_aws_backend_does_not_stop_the_server(tmp_path, monkeypatch):
    from dataclasses import replace

    from tests.support import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    for key, value in {
        "AWS_ENDPOINT_URL": dead,
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_REGION": "eu-west-3",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    base = make_config(tmp_path)
    aws = replace(base.settings, backend="aws", reports_queue_url=f"{dead}/1/v9-reports")
    config = replace(base, settings=aws)
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        health = c.get("/v9/health").json()
        assert health["backend"] == "aws" and health["leader"] is True
        assert health["draining"] is False
        down = c.get("/v9/status/abc")
        assert_error(down, 500)
        assert dead not in down.text
