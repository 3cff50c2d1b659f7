"""A node's rows, recomputed from its path (events carry paths, never row lists).

Filtering the whole population by every literal of a deep path costs O(N·depth) per
node. Children usually run in the process that just computed their parent (or one
that did a sibling), so a small per-process cache of recent slices turns that into
one mask over the parent's rows: the longest cached prefix of the path is reused.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from snakebatch.mesh.events import MeshEventError, Path, canonical

_CACHE_SLICES = 256
#: Bound on cached row indices (8 bytes each): 64 MB, well inside a 4 GB Lambda.
_CACHE_ROWS = 8_000_000
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def _key(package_key: str, path: Path) -> tuple[str, str]:
    return package_key, canonical(path)


def rows_for_path(ds: Any, package_key: str, path: Path) -> np.ndarray:
    """Global indices of the rows where each step's literal truth equals its ``holds``."""
    start = len(path)
    while start > 0 and _key(package_key, path[:start]) not in _cache:
        start -= 1
    if start:
        rows = _cache[_key(package_key, path[:start])]
        _cache.move_to_end(_key(package_key, path[:start]))
    else:
        rows = np.arange(len(ds.targets), dtype=np.intp)
    for depth in range(start, len(path)):
        literal, holds = path[depth]
        if not 0 <= literal[0] < len(ds.header):
            # A deterministic fault of the event, not of the world: retrying cannot help.
            raise MeshEventError(
                f"path literal {literal!r} names column {literal[0]}; the data has {len(ds.header)}"
            )
        mask = ds.columns.mask(literal, rows)
        rows = rows[mask if holds else ~mask]
        _remember(_key(package_key, path[: depth + 1]), rows)
    return rows


def _remember(key: tuple[str, str], rows: np.ndarray) -> None:
    _cache[key] = rows
    _cache.move_to_end(key)
    held = sum(len(r) for r in _cache.values())
    while len(_cache) > 1 and (len(_cache) > _CACHE_SLICES or held > _CACHE_ROWS):
        _, dropped = _cache.popitem(last=False)
        held -= len(dropped)
