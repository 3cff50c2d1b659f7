"""``snakebatch predict`` and ``snakebatch info``: serve and inspect a model file.

Errors exit with the codes of ``cli.exits``: a missing model or rows file is 4, a bad
query or rows file 2, an unusable model file 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from snakebatch.cli import options as o
from snakebatch.cli.app import app
from snakebatch.cli.exits import USAGE, CliError, emit_json, note, reporting
from snakebatch.cli.jobs import state_summary
from snakebatch.cli.rows import parse_query, read_rows, vet_queries
from snakebatch.engine.inference import Entry, lookalike_list
from snakebatch.engine.modelio import load_model
from snakebatch.engine.predictor import Predictor
from snakebatch.engine.summary import summarise


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
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="Model JSON (full or stripped).")],
    query: Annotated[
        str | None, typer.Option("--query", help="One query as a JSON object.")
    ] = None,
    rows: Annotated[
        str | None,
        typer.Option(
            "--rows", metavar="FILE", help="Many queries: .csv, .csv.gz, .jsonl, or - for stdin."
        ),
    ] = None,
    audit: Annotated[bool, typer.Option("--audit", help="Also print the audit text.")] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse queries with unknown keys or no model feature."),
    ] = False,
    as_json: o.Json = False,
) -> None:
    """Predict the class of one query or of every row of a file."""
    with reporting():
        if (query is None) == (rows is None):
            raise CliError("give exactly one of --query or --rows")
        queries = read_rows(rows) if rows is not None else [parse_query(query or "")]
        predictor = Predictor(load_model(model))
        if audit and predictor.model.stripped:
            raise CliError("--audit needs the training population; this model is stripped")
        warnings = vet_queries(predictor.model.header, queries)
        if strict and warnings:
            raise CliError(f"{'; '.join(warnings)} (--strict)", USAGE)
        for warning in warnings:
            note(f"warning: {warning}")
        found = (
            predictor.batch_entries(queries)
            if rows is not None
            else [predictor.entries(queries[0])]
        )
    pairs = list(zip(queries, found, strict=True))
    if as_json:
        answers = [answer_json(predictor, q, e, audit) for q, e in pairs]
        emit_json(answers[0] if query is not None else {"model": str(model), "rows": answers})
        return
    sep = "\t" if rows else "\n"
    for q, entries in pairs:
        a = predictor.answer(entries)
        typer.echo(f"{a.prediction}{sep}{a.confidence:.1%}")
        if audit:
            typer.echo(predictor.audit(q))


@app.command()
def info(
    model: Annotated[Path, typer.Argument(metavar="MODEL", help="Model JSON file.")],
    as_json: o.Json = False,
) -> None:
    """Describe a model: target, size, layers, buckets, classes, how it was trained."""
    with reporting():
        loaded = load_model(model)
    summary = summarise(loaded) | {
        "file_bytes": model.stat().st_size,
        "training": loaded.config,
        "state": state_summary(None),
    }
    if as_json:
        emit_json(summary)
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
    trained = ", ".join(f"{k} {v}" for k, v in loaded.config.items())
    typer.echo(f"training:    {trained or '-'}")
    state = summary["state"]
    typer.echo(
        f"local state: {state['home']} ({state['bytes']:,} bytes; "
        "`snakebatch jobs prune` cleans it)",
        err=True,
    )
