"""Inline SVG charts: a picture where a table of numbers would be read less carefully.

Plain SVG strings, no JavaScript and no plotting dependency, so a page stays one fast
request and renders the same in every browser (and in the headless test browser).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030"]
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 300, 56, 16, 28, 44


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * step:
            step *= m
            break
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 1)]


def _fmt(v: float) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:g}K"
    return f"{v:g}"


def line_chart(
    series: Sequence[tuple[str, Sequence[tuple[float, float]]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    log_x: bool = False,
    hlines: Sequence[tuple[str, float]] = (),
    caption: str = "",
) -> str:
    """Lines over a shared axis; ``hlines`` draws labelled thresholds (e.g. a budget)."""
    pts = [p for _, s in series for p in s]
    if not pts:
        return ""

    def fx(x: float) -> float:
        return math.log10(x) if log_x else x

    xs = [fx(x) for x, _ in pts]
    ys = [y for _, y in pts] + [v for _, v in hlines] + [0.0]
    x0, x1 = min(xs), max(xs)
    y0, y1 = 0.0, max(ys) * 1.08 or 1.0
    if x1 == x0:
        x1 = x0 + 1

    def sx(x: float) -> float:
        return PAD_L + (fx(x) - x0) / (x1 - x0) * (W - PAD_L - PAD_R)

    def sy(y: float) -> float:
        return H - PAD_B - (y - y0) / (y1 - y0) * (H - PAD_T - PAD_B)

    out = [
        f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{escape(title)}">',
        f'<text x="{PAD_L}" y="16" style="font-weight:600;fill:#1d2330">{escape(title)}</text>',
    ]
    for t in _ticks(y0, y1):
        y = sy(t)
        out.append(
            f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eef0f4"/>'
        )
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    xticks = [10**e for e in range(math.ceil(x0), math.floor(x1) + 1)] if log_x else _ticks(x0, x1)
    for t in xticks:
        x = sx(t)
        out.append(f'<text x="{x:.1f}" y="{H - PAD_B + 16}" text-anchor="middle">{_fmt(t)}</text>')
    out.append(
        f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{H - PAD_B}" y2="{H - PAD_B}" stroke="#9aa3b5"/>'
    )
    out.append(
        f'<text x="{(W + PAD_L) / 2}" y="{H - 6}" text-anchor="middle">{escape(x_label)}</text>'
    )
    out.append(
        f'<text transform="translate(12 {(H - PAD_B + PAD_T) / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    for label, v in hlines:
        y = sy(v)
        out.append(
            f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c53030" '
            'stroke-dasharray="5 4"/>'
        )
        out.append(
            f'<text x="{W - PAD_R - 4}" y="{y - 5:.1f}" text-anchor="end" '
            f'style="fill:#c53030">{escape(label)}</text>'
        )
    for i, (label, s) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in s)
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        ly = PAD_T + 4 + 16 * i
        out.append(
            f'<rect x="{PAD_L + 10}" y="{ly}" width="12" height="3" fill="{color}"/>'
            f'<text x="{PAD_L + 28}" y="{ly + 5}">{escape(label)}</text>'
        )
    out.append("</svg>")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart">{"".join(out)}{cap}</figure>'


def bar_chart(
    bars: Sequence[tuple[str, float]], *, title: str, unit: str = "", caption: str = ""
) -> str:
    """Horizontal bars, one per label: for comparing a handful of magnitudes."""
    if not bars:
        return ""
    top = max(v for _, v in bars) or 1.0
    row, left, height = 26, 190, 26 * len(bars) + 34
    out = [
        f'<svg viewBox="0 0 {W} {height}" width="100%" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" style="font-weight:600;fill:#1d2330">{escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(bars):
        y = 28 + i * row
        w = (W - left - 90) * v / top
        out.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        out.append(
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="16" rx="2" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        out.append(f'<text x="{left + w + 6:.1f}" y="{y + 14}">{_fmt(v)}{escape(unit)}</text>')
    out.append("</svg>")
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart">{"".join(out)}{cap}</figure>'
