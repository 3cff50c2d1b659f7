"""Rows from a path: the cached walk equals a plain filter of the whole population."""

from __future__ import annotations

import numpy as np
import pytest

from snakebatch.engine.dataset import Dataset
from snakebatch.mesh import rows as rows_mod
from snakebatch.mesh.errors import is_permanent
from snakebatch.mesh.events import MeshEventError
from snakebatch.mesh.rows import rows_for_path


def _dataset() -> Dataset:
    rng = np.random.default_rng(3)
    data = [
        {"y": int(rng.integers(2)), "a": float(rng.normal()), "t": "xyz"[int(rng.integers(3))]}
        for _ in range(500)
    ]
    data[7]["a"] = float("nan")  # false in both polarities, so it lands on the holds=false side
    return Dataset(["y", "a", "t"], ["B", "N", "T"], [r["y"] for r in data], data)


def _plain(ds: Dataset, path: list) -> list[int]:
    keep = np.ones(ds.n, dtype=bool)
    for literal, holds in path:
        mask = ds.columns.mask(literal, np.arange(ds.n))
        keep &= mask if holds else ~mask
    return [int(i) for i in np.flatnonzero(keep)]


def test_cached_walk_equals_plain_filter_and_children_partition(monkeypatch):
    ds = _dataset()
    a, t = [1, 0.0, False, "N"], [2, "x", False, "T"]
    paths = [[], [[a, True]], [[a, False]], [[a, False], [t, True]], [[a, False], [t, False]]]
    for path in paths:
        assert rows_for_path(ds, "pkg", path).tolist() == _plain(ds, path)
    parent = set(rows_for_path(ds, "pkg", [[a, False]]).tolist())
    left = set(rows_for_path(ds, "pkg", paths[3]).tolist())
    right = set(rows_for_path(ds, "pkg", paths[4]).tolist())
    assert left | right == parent and not left & right
    assert 7 in parent
    monkeypatch.setattr(rows_mod, "_CACHE_ROWS", 600)
    rows_for_path(ds, "other", [[a, True]])
    assert sum(len(r) for r in rows_mod._cache.values()) <= 600 or len(rows_mod._cache) == 1
    rows_mod._cache.clear()


def test_a_literal_on_a_column_the_data_lacks_is_a_permanent_event_error():
    ds = _dataset()
    with pytest.raises(MeshEventError, match="names column 42; the data has 3") as caught:
        rows_for_path(ds, "pkg-bad", [[[42, 0.0, False, "N"], False]])
    assert is_permanent(caught.value)
