"""Ingestion (spec §3): inputs, target selection, typing, coercion, dedup, bad input."""

from __future__ import annotations

import gzip
import math

import pytest

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.errors import DataError, EmptyDataError, TargetError
from snakebatch.engine.ingest import ingest

CSV = b'label,color,size\nA,red,10\nB,"blue, dark",20\nA,"say ""hi""",11\n'


def test_csv_quotes_commas_and_escaped_quotes(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(CSV)
    pop = ingest(path)
    assert pop.header == ["label", "color", "size"]
    assert pop.datatypes == ["T", "T", "N"]
    assert [r["color"] for r in pop.rows] == ["red", "blue, dark", 'say "hi"']
    assert [r["size"] for r in pop.rows] == [10.0, 20.0, 11.0]
    assert pop.targets == ["A", "B", "A"]


def test_csv_gz_and_blank_lines_and_crlf(tmp_path):
    path = tmp_path / "d.csv.gz"
    path.write_bytes(gzip.compress(b"y,x\r\n1,a\r\n\r\n0,b\r\n\n"))
    pop = ingest(path)
    assert pop.datatypes == ["B", "T"]
    assert pop.targets == [1, 0]


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(EmptyDataError):
        ingest(empty)
    header_only = tmp_path / "h.csv"
    header_only.write_bytes(b"y,x\n")
    with pytest.raises(EmptyDataError):
        ingest(header_only)


def test_missing_file_and_wrong_suffix(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        ingest(tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"\.csv"):
        ingest(str(tmp_path / "data.parquet"))


def test_not_utf8_and_bad_gzip(tmp_path):
    with pytest.raises(DataError, match="UTF-8"):
        ingest(b"y,x\n1,\xff\xfe\n")
    with pytest.raises(DataError, match="gzip"):
        ingest(b"\x1f\x8bnot really gzip")


def test_row_longer_than_header_is_an_error_short_rows_are_padded():
    with pytest.raises(DataError, match="row 2"):
        ingest(b"y,x\n1,a,extra\n")
    pop = ingest(b"y,x,z\n1,a\n0,b,c\n")
    assert pop.rows[0]["z"] == ""


def test_target_by_name_and_index_in_every_flow():
    rows = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert ingest(rows, target="b").header == ["b", "a"]
    assert ingest(rows, target=1).header == ["b", "a"]
    assert ingest([(1, "x"), (2, "y")], target=1).header == ["f1", "target"]
    assert ingest(b"a,b\n1,x\n2,y\n", target="b").targets == ["x", "y"]
    assert ingest(b"a,b\n1,x\n2,y\n", target=-1).targets == ["x", "y"]


def test_unknown_target_and_excluded_target():
    with pytest.raises(TargetError, match="nope"):
        ingest(b"a,b\n1,x\n", target="nope")
    with pytest.raises(TargetError, match="out of range"):
        ingest(b"a,b\n1,x\n", target=5)
    with pytest.raises(TargetError, match="excluded"):
        ingest(b"a,b\n1,x\n", target="a", excluded=["a"])
    with pytest.raises(TargetError):
        ingest(b"a,b\n1,x\n", target=True)


def test_excluded_features_in_every_flow():
    assert ingest(b"y,a,b\n1,x,2\n", excluded=[1]).header == ["y", "b"]
    assert ingest([{"y": 1, "a": "x", "b": 2}], excluded=["a"]).header == ["y", "b"]


def test_list_of_scalars_self_classes_and_empty_list():
    pop = ingest(["a", "b", "a"])
    assert pop.header == ["target", "f1"]
    assert pop.targets == ["a", "b"]  # the third row duplicates the first
    with pytest.raises(EmptyDataError):
        ingest([])
    with pytest.raises(DataError):
        ingest(42)


def test_dataframe_like():
    class Frame:
        def to_dict(self, orient="dict"):
            assert orient == "records"
            return [{"y": "a", "x": 1.5}, {"y": "b", "x": 2.5}]

    pop = ingest(Frame())
    assert pop.datatypes == ["T", "N"]
    assert pop.rows[1]["x"] == 2.5


def test_target_kinds_and_coercion():
    assert ingest([{"y": True, "x": 1}, {"y": False, "x": 2}]).targets == [1, 0]
    assert ingest([{"y": "12345678901234567890", "x": 1}]).targets == [12345678901234567890]
    assert ingest([{"y": "-1", "x": 1}, {"y": "2", "x": 2}]).datatypes[0] == "N"
    assert ingest([{"y": "true", "x": 1}, {"y": "false", "x": 2}]).datatypes[0] == "T"
    j = ingest([{"y": {"k": 1}, "x": 1}, {"y": [1, 2], "x": 2}])
    assert j.datatypes[0] == "J" and j.targets == [{"k": 1}, [1, 2]]


def test_nan_and_empty_cells():
    pop = ingest([{"y": 1, "x": math.nan}, {"y": 0, "x": 2.0}, {"y": 1, "x": None}])
    assert pop.datatypes == ["B", "N"]  # a NaN or None does not make the column text
    assert math.isnan(pop.rows[0]["x"])
    assert len(pop.rows) == 2  # NaN and None are the same missing number: one is a duplicate
    csv_pop = ingest(b"y,x\n1,\n0,3\n")
    assert csv_pop.datatypes == ["B", "N"] and csv_pop.rows[0]["x"] == 0.0


def test_dedup_typed_keys_and_signed_zero():
    pop = ingest([{"y": 1, "a": "ab", "b": "c"}, {"y": 0, "a": "a", "b": "bc"}])
    assert len(pop.rows) == 2  # the reference's separator-less key would drop one
    zeros = ingest([{"y": 1, "x": 0.0}, {"y": 0, "x": -0.0}])
    assert len(zeros.rows) == 1 and zeros.notes


def test_all_duplicate_rows_collapse_to_one():
    pop = ingest([{"y": "a", "x": 1}] * 50)
    assert len(pop.rows) == 1


def test_enforced_datatypes_are_honoured_and_checked():
    rows = [{"y": "1", "x": "nan"}, {"y": "0", "x": "5"}]
    pop = ingest(rows, datatypes=["T", "N"])
    assert pop.datatypes == ["T", "N"] and pop.targets == ["1", "0"]
    assert math.isnan(pop.rows[0]["x"])
    assert ingest(rows, datatypes=["I"]).datatypes == ["I", "T"]
    with pytest.raises(DataError, match="N or T"):
        ingest(rows, datatypes=["T", "X"])
    with pytest.raises(DataError, match="target"):
        ingest(rows, datatypes=["Q", "N"])


def test_ten_megabyte_cell():
    big = "x" * (10 * 1024 * 1024)
    pop = ingest(f"y,t\n1,{big}\n0,short\n".encode())
    assert len(pop.rows[0]["t"]) == len(big)


def test_package_round_trip_never_redetects():
    ds = Dataset.from_source(b"y,a,b\n1,x,1.5\n0,y,2.5\n1,z,\n", seed=0)
    pkg = ds.to_package()
    import json

    again = Dataset.from_package(json.loads(json.dumps(pkg)))
    assert again.header == ds.header and again.datatypes == ds.datatypes
    assert again.rows == ds.rows and again.targets == ds.targets
    assert again.profile == ds.profile and again.mi_weights == ds.mi_weights
    forced = dict(pkg, datatypes=["B", "T", "T"], oppose_profile="hef")
    other = Dataset.from_package(forced)
    assert other.datatypes == ["B", "T", "T"] and other.profile == "hef"
    assert [r["b"] for r in other.rows] == ["1.5", "2.5", "0.0"]
    with pytest.raises(DataError):
        Dataset.from_package({"header": ["y"]})
