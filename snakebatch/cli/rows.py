"""Queries for ``predict``: read them (JSON, CSV, CSV.gz, JSON lines, stdin) and vet
them against the model's features, so a misspelt key is reported, not answered."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from snakebatch.cli.exits import NOT_FOUND, CliError


def parse_query(text: str) -> dict[str, Any]:
    try:
        query = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"--query is not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(query, dict):
        raise CliError(f"--query must be a JSON object, got {type(query).__name__}")
    return query


def _text(spec: str) -> tuple[str, str]:
    """(name, text) of ``--rows``: a file (gunzipped when it ends in ``.gz``) or stdin."""
    if spec == "-":
        return "<stdin>", sys.stdin.read()
    path = Path(spec)
    if not path.is_file():
        raise CliError(f"rows file not found: {path}", NOT_FOUND)
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CliError(f"{path}: not a valid gzip file ({exc})") from None
    try:
        return path.name, data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text ({exc.reason})") from None


def _kind(name: str, text: str) -> str:
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name == "<stdin>":
        return "jsonl" if text.lstrip().startswith("{") else "csv"
    raise CliError(f"--rows must be a .csv, .csv.gz or .jsonl file (or -), got {name}")


def read_rows(spec: str) -> list[dict[str, Any]]:
    """Rows of a CSV (header line; empty cells are missing) or JSON-lines source."""
    name, text = _text(spec)
    if _kind(name, text) == "csv":
        return [
            {k: v for k, v in row.items() if v != "" and k is not None}
            for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        ]
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{name}:{n}: invalid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise CliError(f"{name}:{n}: each line must be a JSON object")
        rows.append(row)
    return rows


def vet_queries(header: Sequence[str], queries: list[dict[str, Any]]) -> list[str]:
    """Warnings for keys the model does not know and for queries that share no feature
    with it (their answer is the model's fallback, not a prediction from the data).
    The target column is allowed: training files carry it."""
    features = set(header[1:])
    known = features | {header[0]}
    unknown = sorted({k for q in queries for k in q if k not in known})
    blind = sum(1 for q in queries if not features.intersection(q))
    warnings = []
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        warnings.append(
            f"keys the model does not know: {shown} (features: {', '.join(header[1:])})"
        )
    if blind:
        which = "the query shares" if len(queries) == 1 else f"{blind} of {len(queries)} rows share"
        warnings.append(f"{which} no feature with the model; answered from no evidence")
    return warnings
