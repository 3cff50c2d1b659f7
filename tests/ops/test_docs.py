"""docs/economics.md and docs/math.md show the numbers the code produces today."""

from __future__ import annotations

import pytest

from snakebatch.ops.figures import DOCS, render


@pytest.mark.slow
@pytest.mark.parametrize("name", ["economics.md", "math.md"])
def test_doc_tables_match_the_code(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    assert "<!-- ops:predecessor-figures -->\n| job |" in text
    assert render(text) == text, f"run: python -m snakebatch.ops.figures ({name} is stale)"


def test_render_replaces_known_blocks_only() -> None:
    text = "a\n<!-- ops:predecessor-figures -->\nold\n<!-- /ops:predecessor-figures -->\n<!-- ops:nope -->\nx\n<!-- /ops:nope -->\n"
    out = render(text)
    assert "old" not in out and "| 1M x 5L | slots | 81 | 81 |" in out
    assert "<!-- ops:nope -->\nx\n" in out
