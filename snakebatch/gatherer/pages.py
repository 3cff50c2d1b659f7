"""Pages rendered from ``docs/*.md``: the docs in the repository are the site.

A paragraph holding only ``[[chart:NAME]]`` becomes the inline SVG chart of that name
(``doc_charts.CHARTS``), so a doc author places a picture without writing HTML.
Rendered HTML is cached by file modification time: a page is one dictionary lookup
until someone edits the doc.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import markdown

from snakebatch.gatherer.doc_charts import CHARTS
from snakebatch.gatherer.errors import NotFound
from snakebatch.gatherer.layout import page

PAGES = ("paper", "architecture", "economics", "math", "concurrency")
_CHART = re.compile(r"<p>\[\[chart:([a-z0-9-]+)\]\]</p>")
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def render_markdown(text: str) -> tuple[str, str]:
    """(title, body HTML) of a markdown document, with chart markers expanded."""
    html = markdown.markdown(
        text, extensions=["tables", "fenced_code", "toc", "sane_lists"], output_format="html"
    )

    def chart(m: re.Match) -> str:
        make = CHARTS.get(m.group(1))
        return make() if make else f'<p class="muted">(unknown chart {m.group(1)})</p>'

    html = _CHART.sub(chart, html)
    h1 = _H1.search(html)
    title = _TAGS.sub("", h1.group(1)).strip() if h1 else "SnakeBatch"
    return title, html


class DocPages:
    def __init__(self, docs_dir: Path):
        self.docs_dir = docs_dir
        self._cache: dict[str, tuple[float, tuple[str, str]]] = {}
        self._lock = threading.Lock()

    def available(self) -> list[str]:
        return [name for name in PAGES if (self.docs_dir / f"{name}.md").is_file()]

    def body(self, name: str) -> tuple[str, str]:
        path = self.docs_dir / f"{name}.md"
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            raise NotFound(f"page /{name} is not written yet (no docs/{name}.md)") from None
        with self._lock:
            hit = self._cache.get(name)
        if hit and hit[0] == mtime:
            return hit[1]
        rendered = render_markdown(path.read_text(encoding="utf-8"))
        with self._lock:
            self._cache[name] = (mtime, rendered)
        return rendered

    def html(self, name: str, *, extra: str = "", script: str = "") -> str:
        """The page; ``extra`` (a live panel) goes right under the title."""
        title, body = self.body(name)
        if extra:
            head, sep, rest = body.partition("</h1>")
            body = head + sep + extra + rest if sep else extra + body
        return page(title, body, here=f"/{name}", script=script)
