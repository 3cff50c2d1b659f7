"""The audit: a plain-text account of why a query got its prediction (§5.10).

It follows the inference path exactly (same normalised input, same fallback routing)
so the story it tells is the computation that produced the probabilities. It needs
the training rows for the example labels, so stripped models raise
:class:`PopulationRequiredError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from snakebatch.engine.classes import ClassIndex
from snakebatch.engine.describe import describe
from snakebatch.engine.errors import PopulationRequiredError
from snakebatch.engine.inference import CompiledBucket, CompiledModel, Entry, falsified_clauses
from snakebatch.engine.literals import holds

BAR_CELLS = 20
EXAMPLES_PER_CLASS = 2
MATCHES_PER_LAYER = 5
LABEL_WIDTH = 60


def require_population(compiled: CompiledModel, what: str) -> None:
    if compiled.model.stripped:
        raise PopulationRequiredError(
            f"{what} needs the training population, which this stripped model does not carry"
        )


def bar(share: float) -> str:
    full = round(share * BAR_CELLS)
    return "█" * full + "░" * (BAR_CELLS - full)


def row_label(population: Sequence[Mapping], header: Sequence[str], g: int) -> str:
    """The first non-empty text feature of a training row, else its index."""
    row = population[g]
    for h in header[1:]:
        v = row.get(h)
        if isinstance(v, str) and v:
            return v[:LABEL_WIDTH]
    return f"row {g}"


def _class_lines(compiled: CompiledModel, entries: Sequence[Entry]) -> list[str]:
    model = compiled.model
    index: ClassIndex = model.class_index
    if not entries:
        return ["  no lookalikes: every class gets the same probability"]
    counts = compiled.counts(entries)
    order = sorted(range(len(index)), key=lambda c: -counts[c])
    lines = []
    for c in order:
        if not counts[c]:
            continue
        share = counts[c] / len(entries)
        examples: list[str] = []
        for e in entries:
            if e.klass == c and len(examples) < EXAMPLES_PER_CLASS:
                label = row_label(model.population, model.header, e.row)
                if label not in examples:
                    examples.append(label)
        lines.append(
            f"  {index.keys[c]!s:<12} {share:6.1%}  {counts[c]}/{len(entries)}  {bar(share)}"
            f"  e.g. {'; '.join(examples)}"
        )
    return lines


def _probability_lines(index: ClassIndex, probability: Mapping[Any, float]) -> list[str]:
    ranked = sorted((p, i) for i, p in enumerate(probability.values()) if p > 0)
    ranked.sort(key=lambda pi: -pi[0])
    return [f"  {index.keys[i]!s:<12} {p:.4f}  {bar(p)}" for p, i in ranked]


def _routing_lines(
    chain: Sequence[CompiledBucket], x: Mapping, header: Sequence[str], chosen: int
) -> list[str]:
    lines = []
    for i, bucket in enumerate(chain):
        if bucket.condition is None:
            how = (
                "the only bucket"
                if len(chain) == 1
                else "the ELSE bucket (no condition above held)"
            )
            lines.append(f"  routed to bucket {i + 1}: {how}")
            return lines
        failing = next((lit for lit in bucket.condition if not holds(lit, x, header)), None)
        if failing is None:
            tests = " AND ".join(describe(lit, header) for lit in bucket.condition) or "(empty)"
            lines.append(f"  routed to bucket {i + 1} because {tests}")
            return lines
        lines.append(f"  skipped bucket {i + 1}: {_falsity(failing, x, header)}")
    lines.append(f"  no bucket condition held: fell back to the last bucket ({chosen + 1})")
    return lines


def _falsity(literal: Sequence, x: Mapping, header: Sequence[str]) -> str:
    """Why a literal is false on ``x``: its feature is missing, or its other test holds."""
    name = header[literal[0]]
    if name not in x:
        return f"{name} is missing"
    flipped = [literal[0], literal[1], not literal[2], literal[3]]
    if holds(flipped, x, header):
        return describe(literal, header, flip=True)
    return f"not ({describe(literal, header)}) for {name} = {x[name]!r}"


def _match_lines(
    compiled: CompiledModel, bucket: CompiledBucket, entries: Sequence[Entry], x: Mapping
) -> list[str]:
    model = compiled.model
    header = model.header
    lines = [f"  {len(entries)} lookalike(s) in this bucket"]
    for e in entries[:MATCHES_PER_LAYER]:
        reasons: list[str] = []
        for j in e.condition:
            for lit in bucket.clauses[j]:
                text = _falsity(lit, x, header)
                if text not in reasons:
                    reasons.append(text)
        why = " AND ".join(reasons) if reasons else "(unconditional)"
        klass = model.class_index.keys[e.klass]
        label = row_label(model.population, header, e.row)
        lines.append(f"    row {e.row} (class {klass}, {label}): {why}")
    if len(entries) > MATCHES_PER_LAYER:
        lines.append(f"    … and {len(entries) - MATCHES_PER_LAYER} more")
    return lines


def audit_text(compiled: CompiledModel, x: Mapping) -> str:
    """The audit of one normalised query."""
    require_population(compiled, "the audit")
    model = compiled.model
    header = model.header
    index = model.class_index
    entries = compiled.entries(x)
    counts = compiled.counts(entries)
    prediction = index.keys[index.best(counts)]
    lines = [
        "=== Snake audit ===",
        f"Prediction: {prediction}  ({len(compiled.chains)} layers, {len(entries)} lookalikes)",
        "",
        "Lookalikes by class:",
        *_class_lines(compiled, entries),
        "",
        "Probability:",
        *_probability_lines(index, index.probability(counts)),
    ]
    for li, chain in enumerate(compiled.chains):
        lines += ["", f"Layer {li + 1}:"]
        if not chain:
            lines.append("  empty layer: no contribution")
            continue
        chosen = compiled.route_layer(li, x)
        assert chosen is not None  # only an empty layer routes nowhere
        bucket = chain[chosen]
        lines += _routing_lines(chain, x, header, chosen)
        matched = bucket.matching_conditions(falsified_clauses(bucket, x))
        lines += _match_lines(compiled, bucket, bucket.matching_entries(matched), x)
    lines += ["", f"Final prediction: {prediction}", "=== end of audit ==="]
    return "\n".join(lines)
