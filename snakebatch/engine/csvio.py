"""CSV reading for training: a real CSV parser over a path, ``.csv.gz``, bytes or text.

The reference splits lines by hand (quotes vanish, blank lines crash, §3.2); here the
standard library's parser handles quoting, embedded commas and newlines, and blank
lines are skipped. Fields are kept as the exact strings read.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from snakebatch.engine.errors import DataError, EmptyDataError

GZIP_MAGIC = b"\x1f\x8b"
#: A CSV file's path, or its content (plain or gzip) already in memory
CsvSource = str | os.PathLike | bytes | bytearray


def _raw_bytes(source: CsvSource) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise DataError(f"cannot read training data {path}: {exc.strerror or exc}") from exc


def read_text(source: CsvSource) -> tuple[str, str]:
    """The decoded text of a CSV source (gzip detected by its magic bytes)."""
    data, where = _raw_bytes(source)
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise DataError(f"{where}: not a readable gzip file ({exc})") from exc
    try:
        return data.decode("utf-8-sig"), where
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text (byte {exc.start})") from exc


#: Rows turned into columns at a time: a million-row file is never held as row lists.
CHUNK_ROWS = 65_536
#: A column with more distinct values than this stops sharing its strings.
MEMO_VALUES = 65_536


def _checked_rows(text: str, where: str) -> Iterator[list[str]]:
    """The header, then every data row padded to its width with ``""``; blank lines
    are skipped, a row longer than the header is an error."""
    csv.field_size_limit(sys.maxsize)  # a 10 MB cell is data, not an attack
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = (row for row in reader if row)
    try:
        header = next(lines, None)
        if header is None:
            raise EmptyDataError(f"{where}: the CSV is empty (no header)")
        yield header
        width = len(header)
        for number, row in enumerate(lines, start=2):
            if len(row) == width:
                yield row
                continue
            if len(row) > width:
                raise DataError(
                    f"{where}: data row {number} has {len(row)} fields, the header has {width}"
                )
            yield row + [""] * (width - len(row))
    except csv.Error as exc:
        raise DataError(f"{where}: malformed CSV at line {reader.line_num}: {exc}") from exc


def parse_csv(text: str, where: str = "<csv>") -> tuple[list[str], list[list[str]]]:
    """Header and rows; short rows are padded with ``""``, long rows are an error."""
    rows = _checked_rows(text, where)
    header = next(rows)
    return header, list(rows)


def parse_csv_columns(text: str, where: str = "<csv>") -> tuple[list[str], list[list[str]]]:
    """Header and one list of cells per column (``parse_csv`` transposed).

    Rows are transposed a chunk at a time, so no list per row is ever held. A column
    whose first chunk repeats its values (categories, cities) keeps one string per
    distinct value: besides the memory, that matters because the parser allocates
    cells row by row, and the survivors of a text column would otherwise pin every
    memory pool the numeric columns' cells share with them after those are coerced
    and freed."""
    rows = _checked_rows(text, where)
    header = next(rows)
    columns: list[list[str]] = [[] for _ in header]
    memos: list[dict[str, str] | None] = []
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        for i, cells in enumerate(zip(*chunk, strict=True)):
            if len(memos) <= i:
                repeats = len(set(cells)) <= len(cells) // 2
                memos.append({} if repeats else None)
            memo = memos[i]
            if memo is None or len(memo) > MEMO_VALUES:
                columns[i].extend(cells)
            else:
                columns[i].extend(map(memo.setdefault, cells, cells))
    return header, columns


def read_csv(source: CsvSource) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file (``.csv`` or ``.csv.gz``) or CSV bytes."""
    text, where = read_text(source)
    return parse_csv(text, where)


def read_csv_columns(source: CsvSource) -> tuple[list[str], list[list[str]]]:
    """Header and columns of a CSV file (``.csv`` or ``.csv.gz``) or CSV bytes."""
    text, where = read_text(source)
    return parse_csv_columns(text, where)
