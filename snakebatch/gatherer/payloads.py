"""Training payloads: recognise CSV / CSV.gz / JSON rows and check them before staging.

Staging a job costs a store write and a fan-out of hundreds of invokes, so everything a
client can get wrong (empty body, ragged CSV, unknown target, a single class) is found
here, in one streaming pass, and answered with a precise 4xx. Decompression is bounded
so a small gzip bomb cannot expand past the configured limit.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from snakebatch.gatherer.errors import BadRequest, PayloadTooLarge, Unprocessable

GZIP_MAGIC = b"\x1f\x8b"
MAX_CLASSES_SHOWN = 5


@dataclass(frozen=True)
class PayloadSummary:
    format: str
    n_rows: int
    header: list[str]
    n_classes: int


def sniff(head: bytes) -> str:
    """``csv.gz`` by magic bytes, ``json`` when the first non-space byte is ``{``, else ``csv``."""
    if head.startswith(GZIP_MAGIC):
        return "csv.gz"
    if head.lstrip()[:1] == b"{":
        return "json"
    return "csv"


def gunzip_chunks(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """Stream-decompress, stopping with 413 as soon as the output passes ``limit``."""
    d = zlib.decompressobj(wbits=31)
    total = 0
    try:
        for chunk in chunks:
            out = d.decompress(chunk, 1 << 20)
            while True:
                total += len(out)
                if total > limit:
                    raise PayloadTooLarge(f"decompressed data exceeds the {limit} byte limit")
                if out:
                    yield out
                if not d.unconsumed_tail:
                    break
                out = d.decompress(d.unconsumed_tail, 1 << 20)
        tail = d.flush()
    except zlib.error as exc:
        raise BadRequest(f"body looks gzip-compressed but is not valid gzip ({exc})") from None
    total += len(tail)
    if total > limit:
        raise PayloadTooLarge(f"decompressed data exceeds the {limit} byte limit")
    if tail:
        yield tail
    if not d.eof:
        raise BadRequest("gzip stream is truncated")


def check_csv(stream: BinaryIO, target: str) -> PayloadSummary:
    """One pass over a CSV: rectangular, has a header with ``target``, at least two classes."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    rows = csv.reader(text, strict=True)
    try:
        header = next(rows, None)
        if header is None or not any(h.strip() for h in header):
            raise BadRequest("empty CSV: no header line")
        check_header(header, target)
        t = header.index(target)
        classes: set[str] = set()
        n = 0
        for row in rows:
            if not row:
                continue
            if len(row) != len(header):
                raise BadRequest(
                    f"malformed CSV: line {rows.line_num} has {len(row)} fields, "
                    f"the header has {len(header)}"
                )
            classes.add(row[t])
            n += 1
    except csv.Error as exc:
        raise BadRequest(f"malformed CSV near line {rows.line_num}: {exc}") from None
    except UnicodeDecodeError:
        raise BadRequest(f"CSV is not valid UTF-8 (near line {rows.line_num + 1})") from None
    finally:
        text.detach()
    check_classes(n, classes, target)
    return PayloadSummary("csv", n, header, len(classes))


def check_header(header: list[str], target: str) -> None:
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise BadRequest(f"duplicate column names: {dupes}")
    if target not in header:
        shown = header[:20] + (["..."] if len(header) > 20 else [])
        raise Unprocessable(f"unknown target {target!r}; columns are {shown}")
    if len(header) < 2:
        raise Unprocessable("need at least one feature column besides the target")


def check_classes(n_rows: int, classes: set, target: str) -> None:
    if n_rows == 0:
        raise BadRequest("no data rows: the payload has a header and nothing else")
    if len(classes) < 2:
        only = next(iter(classes)) if classes else None
        raise Unprocessable(
            f"target {target!r} has one class ({only!r}) in {n_rows} rows; a classifier "
            "needs at least two"
        )


def parse_json_rows(body: bytes) -> list[dict[str, Any]]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rows"), list):
        raise BadRequest('JSON body must be an object {"rows": [ {column: value, ...}, ... ]}')
    rows = doc["rows"]
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise BadRequest(f"rows[{i}] is {type(row).__name__}, expected an object")
    return rows


def check_rows(rows: list[dict[str, Any]], target: str) -> PayloadSummary:
    if not rows:
        raise BadRequest('"rows" is empty')
    header = list(dict.fromkeys(k for row in rows for k in row))
    check_header(header, target)
    classes: set[str] = set()
    for i, row in enumerate(rows):
        if target not in row:
            raise Unprocessable(f"rows[{i}] has no value for target {target!r}")
        classes.add(json.dumps(row[target], sort_keys=True))
    check_classes(len(rows), classes, target)
    return PayloadSummary("json", len(rows), header, len(classes))
