"""The one HTML shell every page shares: title, top navigation, one stylesheet, no framework."""

from __future__ import annotations

from html import escape

NAV = [
    ("/paper", "Paper"),
    ("/architecture", "Architecture"),
    ("/economics", "Economics"),
    ("/math", "Math"),
    ("/concurrency", "Concurrency"),
    ("/grid/v9", "Live grid"),
]


def page(title: str, body: str, *, here: str = "", wide: bool = False, script: str = "") -> str:
    links = " ".join(
        f'<a href="{href}"{" class=here" if href == here else ""}>{label}</a>'
        for href, label in NAV
    )
    tail = f"<script>{script}</script>" if script else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · SnakeBatch v9</title>"
        '<link rel=stylesheet href="/static/style.css"></head><body>'
        f'<header class=top><a class=brand href="/">SnakeBatch v9</a><nav>{links}</nav></header>'
        f"<main{' class=wide' if wide else ''}>{body}</main>{tail}</body></html>"
    )
