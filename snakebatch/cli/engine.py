"""``snakebatch predict`` and ``snakebatch info``: serve and inspect a model file.

Every failure a user can cause (unknown file, bad model, bad query, bad rows file)
ends with a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from snakebatch.cli.app import app
from snakebatch.engine.errors import SnakeError
from snakebatch.engine.inference import Entry, lookalike_list
from snakebatch.engine.modelio import load_model
from snakebatch.engine.predictor import Predictor
from snakebatch.engine.summary import summarise


class UsageError(Exception):
    """A user mistake on the command line; reported as one line, exit status 2."""


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def parse_query(text: str) -> dict[str, Any]:
    try:
        query = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--query is not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(query, dict):
        raise UsageError(f"--query must be a JSON object, got {type(query).__name__}")
    return query


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a ``.csv`` (header line; empty cells are missing) or ``.jsonl`` file."""
    if not path.is_file():
        raise UsageError(f"rows file not found: {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            return [
                {k: v for k, v in row.items() if v != "" and k is not None}
                for row in csv.DictReader(f)
            ]
    if suffix in (".jsonl", ".ndjson"):
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}:{n}: invalid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise UsageError(f"{path}:{n}: each line must be a JSON object")
            rows.append(row)
        return rows
    raise UsageError(f"--rows must be a .csv or .jsonl file, got {path.name}")


def answer_json(
    predictor: Predictor, query: dict, entries: list[Entry], audit: bool
) -> dict[str, Any]:
    answer = predictor.answer(entries)
    out: dict[str, Any] = {
        "prediction": answer.prediction,
        "confidence": answer.confidence,
        "probability": [[k, p] for k, p in answer.probability.items()],
        "lookalikes": lookalike_list(entries, predictor.model.targets),
    }
    if audit:
        out["audit"] = predictor.audit(query)
    return out


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="Model JSON file (full or stripped).")],
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="One query as a JSON object.")
    ] = None,
    rows: Annotated[
        Path | None, typer.Option("--rows", help="Many queries: a .csv or .jsonl file.")
    ] = None,
    audit: Annotated[bool, typer.Option("--audit", help="Also print the audit text.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON output (one line per row).")
    ] = False,
) -> None:
    """Predict the class of one query or of every row of a file."""
    try:
        if (query is None) == (rows is None):
            raise UsageError("give exactly one of --query or --rows")
        queries = [parse_query(query)] if query is not None else read_rows(rows)
        predictor = Predictor(load_model(model))
        if audit and predictor.model.stripped:
            raise UsageError("--audit needs the training population; this model is stripped")
        found = (
            predictor.batch_entries(queries)
            if rows is not None
            else [predictor.entries(queries[0])]
        )
        for q, entries in zip(queries, found, strict=True):
            if as_json:
                typer.echo(
                    json.dumps(answer_json(predictor, q, entries, audit), ensure_ascii=False)
                )
                continue
            a = predictor.answer(entries)
            sep = "\t" if rows else "\n"
            typer.echo(f"{a.prediction}{sep}{a.confidence:.1%}")
            if audit:
                typer.echo(predictor.audit(q))
    except (UsageError, SnakeError) as exc:
        raise fail(str(exc)) from None


@app.command()
def info(
    model: Annotated[Path, typer.Argument(help="Model JSON file.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Describe a model: target, size, layers, buckets, clauses, classes, literal types."""
    try:
        loaded = load_model(model)
    except SnakeError as exc:
        raise fail(str(exc)) from None
    summary = summarise(loaded) | {"file_bytes": model.stat().st_size}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    typer.echo(f"file:        {model} ({summary['file_bytes']:,} bytes)")
    typer.echo(f"version:     {summary['version']}")
    typer.echo(f"target:      {summary['target']} ({summary['features']} features)")
    stripped = " (stripped)" if summary["stripped"] else ""
    typer.echo(f"population:  {summary['population']}{stripped}")
    typer.echo(f"layers:      {summary['layers']}")
    typer.echo(f"buckets:     {', '.join(map(str, summary['buckets_per_layer'])) or '-'}")
    typer.echo(f"clauses:     {summary['clauses']}")
    typer.echo(f"classes:     {', '.join(map(str, summary['classes']))}")
    typer.echo(f"profile:     {summary['profile']}")
    types = ", ".join(f"{k} {v}" for k, v in summary["literal_types"].items())
    typer.echo(f"literals:    {types or '-'}")
