"""Whole-column fast paths of ingestion give exactly the cell-by-cell values."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from snakebatch.engine import datatypes as dt
from snakebatch.engine.dataset import Dataset, _codes_by_value, _value_codes
from snakebatch.engine.dedup import _part, column_parts
from snakebatch.engine.mutual_info import numeric_bins, text_bins

NAN = math.nan
COLUMNS = [
    ["1", "2.5", "-3e2", " 4 ", "1_000", "nan", "inf"],  # all parse with float()
    ["1", "", "x", "2"],  # unparseable cells become 0.0
    [1, 2.5, -0.0, NAN],
    [1, 2, 3],
    [True, 1.5, None, "7"],
    ["a", "b", "a"],
    ["a", 1, 2.0, None],
    [],
]


def _same(a: list, b: list) -> bool:
    return [repr(x) for x in a] == [repr(x) for x in b] and [type(x) for x in a] == [
        type(x) for x in b
    ]


@pytest.mark.parametrize("values", COLUMNS)
@pytest.mark.parametrize("kind", ["N", "T"])
def test_coerce_column_equals_coerce_feature(values, kind):
    assert _same(dt.coerce_column(values, kind), [dt.coerce_feature(v, kind) for v in values])


@pytest.mark.parametrize("values", [*COLUMNS, [0.0, -0.0, NAN, NAN, 1.5], ["x", "y"]])
def test_column_parts_equal_row_key_parts(values):
    assert _same(list(column_parts(values)), [_part(v) for v in values])


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "2.5", "-3e2"], "N"),
        (["1", "2", "abc"], "T"),
        (["", "1"], "N"),
        ([1.0, NAN, None, "2"], "N"),
        ([1.0, "x"], "T"),
        ([], "N"),
    ],
)
def test_detect_feature_keeps_the_character_rule(values, kind):
    assert dt.detect_feature(values) == kind


def test_vectorised_value_codes_equal_value_by_value():
    rows = [
        {"y": "a", "n": 0.0, "t": "p", "m": 1},
        {"y": "b", "n": -0.0, "t": "q", "m": 1.0},
        {"y": "a", "n": NAN, "t": "p", "m": "1"},
        {"y": "b", "n": 2.5, "t": "r", "m": NAN},
        {"y": "a", "n": NAN, "t": "q", "m": None},
        {"y": "b", "n": 2.5, "t": "p", "m": 1},
    ]
    ds = Dataset(["y", "n", "t", "m"], ["T", "N", "T", "T"], [r["y"] for r in rows], rows)
    codes = _value_codes(ds)
    for i, h in enumerate(ds.header[1:], start=1):
        expected = _codes_by_value([r.get(h) for r in rows], ds.datatypes[i])
        assert codes[:, i].tolist() == expected.tolist()
    assert codes[:, 1].tolist() == [0, 0, -1, 1, -1, 1]


def test_bins_take_the_fast_path_without_changing_them():
    numbers = [3.0, 1, 2.5, NAN, 1.0, 7.25]
    # a text cell counts as 0.0, a value NaN already brought in: same uniques, same cuts
    mixed = [*numbers, "x"]
    assert numeric_bins(numbers).tolist() == numeric_bins(mixed).tolist()[:-1]
    assert numeric_bins(mixed)[-1] == numeric_bins(mixed)[3]
    assert text_bins(["b", "a", "b", "c"]).tolist() == [0, 1, 0, 2]


def test_mutual_information_does_not_depend_on_the_hash_seed():
    """Text columns with more distinct values than bins used to be coded in a set's
    iteration order, so their MI changed in its last bits from one process to the next."""
    code = (
        "import random;from snakebatch.engine.mutual_info import feature_weights;import numpy as np;"
        "r=random.Random(3);rows=[{'y':i%2,'t':f'v{r.randrange(900)}'} for i in range(3000)];"
        "print(repr(feature_weights(rows,['y','t'],['I','T'],np.array([i%2 for i in range(3000)]))[1]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(outputs) == 1


def test_feature_columns_in_hand_give_the_same_dataset_and_must_fit():
    from snakebatch.engine.errors import DataError
    from snakebatch.engine.ingest import build_population

    pop = build_population(
        ["y", "n", "t"], [["a", "1", "p"], ["b", "2", "q"], ["a", "1", "p"], ["b", "", "p"]]
    )
    assert pop.columns == [[r[h] for r in pop.rows] for h in ("n", "t")]  # duplicate dropped
    kwargs = {"profile": "auto", "seed": 0}
    plain = Dataset(pop.header, pop.datatypes, pop.targets, pop.rows, **kwargs)
    given = Dataset(
        pop.header, pop.datatypes, pop.targets, pop.rows, feature_columns=pop.columns, **kwargs
    )
    assert given.mi_weights == plain.mi_weights
    assert given.to_package() == plain.to_package()
    with pytest.raises(DataError, match="feature columns"):
        Dataset(pop.header, pop.datatypes, pop.targets, pop.rows, feature_columns=pop.columns[:1])
    with pytest.raises(DataError, match="feature columns"):
        Dataset(pop.header, pop.datatypes, pop.targets, pop.rows, feature_columns=[["x"], ["y"]])
