"""Headless Chromium (Debian's, driven by playwright): the live grid moves during a job."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.gatherer.conftest import DATA

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DONE_CELLS = "() => [...document.querySelectorAll('.cell')].map(c => +(c.dataset.done || 0))"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium"):
        pytest.fail("chromium is missing: run scripts/system-deps (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_grid_cells_change_while_a_job_runs(browser, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{live_server}/grid/v9")
    page.wait_for_function("document.getElementById('feed').textContent.includes('live')")
    before = page.evaluate(DONE_CELLS)
    assert len(before) == 100

    def train() -> None:
        httpx.post(
            f"{live_server}/v9/train",
            params={"target": "survived", "n_layers": 5, "tau": 100, "bucket": 60, "seed": 2},
            content=(DATA / "titanic.csv").read_bytes(),
            timeout=60,
        )

    threading.Thread(target=train, daemon=True).start()
    page.wait_for_function(
        f"({DONE_CELLS})().reduce((a, b) => a + b, 0) > {sum(before)}", timeout=60_000
    )
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "grid-v9.png"), full_page=True)
    deadline = time.monotonic() + 60
    changed = []
    while time.monotonic() < deadline:
        after = page.evaluate(DONE_CELLS)
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        if len(changed) >= 3:
            break
        page.wait_for_timeout(300)
    assert len(changed) >= 3, "the grid did not update several shard cells"
    assert page.locator(".cell.done, .cell.busy").count() >= 3
    page.close()


@pytest.mark.parametrize("name", ["economics", "paper", "concurrency"])
def test_pages_render_in_a_browser(browser, live_server, name):
    docs = Path(__file__).resolve().parents[2] / "docs"
    if name != "concurrency" and not (docs / f"{name}.md").is_file():
        pytest.skip(f"docs/{name}.md is not written yet")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    response = page.goto(f"{live_server}/{name}")
    assert response.status == 200
    assert page.locator("h1").count() >= 1
    if name == "concurrency":
        page.wait_for_function("document.getElementById('c-budget').textContent !== '–'")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.close()
