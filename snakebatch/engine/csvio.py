"""CSV reading for training: a real CSV parser over a path, ``.csv.gz``, bytes or text.

The reference splits lines by hand (quotes vanish, blank lines crash, §3.2); here the
standard library's parser handles quoting, embedded commas and newlines, and blank
lines are skipped. Fields are kept as the exact strings read.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import sys
from pathlib import Path

from snakebatch.engine.errors import DataError, EmptyDataError

GZIP_MAGIC = b"\x1f\x8b"


def _raw_bytes(source: str | os.PathLike | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise DataError(f"cannot read training data {path}: {exc.strerror or exc}") from exc


def read_text(source: str | os.PathLike | bytes) -> tuple[str, str]:
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


def parse_csv(text: str, where: str = "<csv>") -> tuple[list[str], list[list[str]]]:
    """Header and rows; short rows are padded with ``""``, long rows are an error."""
    csv.field_size_limit(sys.maxsize)  # a 10 MB cell is data, not an attack
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [row for row in reader if row]
    except csv.Error as exc:
        raise DataError(f"{where}: malformed CSV at line {reader.line_num}: {exc}") from exc
    if not lines:
        raise EmptyDataError(f"{where}: the CSV is empty (no header)")
    header, body = lines[0], lines[1:]
    width = len(header)
    rows = []
    for number, row in enumerate(body, start=2):
        if len(row) == width:
            rows.append(row)
            continue
        if len(row) > width:
            raise DataError(
                f"{where}: data row {number} has {len(row)} fields, the header has {width}"
            )
        rows.append(row + [""] * (width - len(row)))
    return header, rows


def read_csv(source: str | os.PathLike | bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file (``.csv`` or ``.csv.gz``) or CSV bytes."""
    text, where = read_text(source)
    return parse_csv(text, where)
