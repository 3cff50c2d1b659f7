"""The columnar CSV path (``parse_csv_columns`` → ``population_from_columns``), taken
for memory's sake, gives exactly the values of parsing rows and ingesting those."""

from __future__ import annotations

import math

import pytest

from snakebatch.engine import csvio
from snakebatch.engine.csvio import parse_csv, parse_csv_columns
from snakebatch.engine.errors import DataError, EmptyDataError
from snakebatch.engine.ingest import Table, build_population, ingest, select

CSV = (
    "y,n,city,note\n"
    "a,1.5,Paris,x\n"
    "\n"
    'b,-0.0,"Rome, old",\n'
    "a,1.5,Paris,x\n"  # a duplicate feature row
    "b,nan,Rome\n"  # short: padded
    "c,2,Paris,y\n"
    "a,1e3,Oslo,z\n"
)


def _typed(values: list) -> list:
    return [(type(v), "nan" if isinstance(v, float) and math.isnan(v) else repr(v)) for v in values]


@pytest.mark.parametrize("chunk", [1, 2, 3, 65_536])
@pytest.mark.parametrize("memo", [0, 1, 65_536])
def test_columns_are_the_rows_transposed(monkeypatch, chunk, memo):
    monkeypatch.setattr(csvio, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(csvio, "MEMO_VALUES", memo)
    header, rows = parse_csv(CSV)
    assert parse_csv_columns(CSV) == (header, [list(c) for c in zip(*rows, strict=True)])


def test_repeated_text_shares_one_string_per_value():
    text = "c\n" + "".join(f"{city}\n" for city in ["Paris", "Rome"] * 50)
    _, (column,) = parse_csv_columns(text)
    assert column == ["Paris", "Rome"] * 50
    assert len({id(v) for v in column}) == 2


def test_columnar_errors_match_the_row_parser():
    for bad, match in (("a,b\n1,2,3\n", "data row 2 has 3 fields"), ("", "empty")):
        for parse in (parse_csv, parse_csv_columns):
            with pytest.raises(DataError, match=match):
                parse(bad)
    with pytest.raises(EmptyDataError, match="no rows"):
        ingest(b"a,b\n")


@pytest.mark.parametrize(
    ("target", "excluded", "datatypes"),
    [("y", (), None), ("city", ("note",), None), (0, (), ["T", "T", "T", "T"]), ("n", (), None)],
)
def test_ingest_equals_the_row_path(target, excluded, datatypes):
    pop = ingest(CSV.encode(), target=target, excluded=excluded, datatypes=datatypes)
    header, rows = parse_csv(CSV)
    ref_header, ref_columns = select(Table.from_rows(header, rows), target, excluded)
    ref = build_population(ref_header, [list(r) for r in zip(*ref_columns, strict=True)], datatypes)
    assert (pop.header, pop.datatypes, pop.notes) == (ref.header, ref.datatypes, ref.notes)
    assert _typed(pop.targets) == _typed(ref.targets)
    assert [_typed(list(r.values())) for r in pop.rows] == [
        _typed(list(r.values())) for r in ref.rows
    ]
    assert [_typed(c) for c in pop.columns] == [_typed(c) for c in ref.columns]
    assert [list(r) for r in pop.rows] == [pop.header] * len(pop.rows)


def test_duplicates_are_dropped_from_rows_targets_and_columns():
    pop = ingest(CSV.encode(), target="y")
    assert pop.notes == ["dropped 1 row with duplicate features"]
    assert len(pop.rows) == len(pop.targets) == len(pop.columns[0]) == 5
    assert pop.columns[1] == [r["city"] for r in pop.rows]
