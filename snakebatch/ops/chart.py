"""The spawn-rate series as a terminal sparkline or a PNG.

A wedge shows as a plateau at the quota followed by nothing; the chart is there so
that shape is visible at a glance next to the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

BARS = " ▁▂▃▄▅▆▇█"


class ChartError(RuntimeError):
    """The chart cannot be drawn (e.g. matplotlib missing for PNG output)."""


def resample(series: Sequence[float], width: int) -> list[float]:
    """Bucket ``series`` into at most ``width`` bins, keeping each bin's peak."""
    if width < 1:
        raise ValueError(f"width must be >= 1, got {width!r}")
    if len(series) <= width:
        return list(series)
    step = len(series) / width
    return [
        max(series[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)])
        for i in range(width)
    ]


def sparkline(series: Sequence[float], width: int = 60, ceiling: float | None = None) -> str:
    """One line of block characters; ``ceiling`` (e.g. the quota) fixes the full-height value."""
    values = resample(series, width)
    top = max([*values, ceiling or 0.0]) or 1.0
    return "".join(BARS[round(v / top * (len(BARS) - 1))] for v in values)


def write_png(
    series: Sequence[float], bin_s: float, path: Path, quota: float | None = None
) -> Path:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ChartError("PNG charts need matplotlib: pip install 'snakebatch[plots]'") from error
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot([i * bin_s for i in range(len(series))], series, drawstyle="steps-post")
    if quota is not None:
        ax.axhline(quota, color="red", linestyle="--", label="scaling quota")
        ax.legend()
    ax.set_xlabel("seconds")
    ax.set_ylabel("new containers / s")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
