"""Plain-text rendering of literals, in the direction they actually test.

Used by the audit. Unlike the reference, a numeric literal that means ``f < v`` is
written ``f < v`` (the reference prints it reversed), and SIM has a template.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

BELOW = ("<", "≥")  # (negated=false, negated=true) for the common polarity rule

MEASURES: dict[str, str] = {
    "TN": "length of {f}",
    "TLN": "distinct characters of {f}",
    "TWS": "word count of {f}",
    "TPS": "comma-separated parts of {f}",
    "TSS": "sentence count of {f}",
    "N": "{f}",
    "ND": "digit count of {f}",
    "TUC": "uppercase count of {f}",
    "TDC": "digit count of {f}",
    "TSC": "special-character count of {f}",
    "LEV": "edit distance from {f} to {r}",
    "JAC": "bigram overlap of {f} with {r}",
    "SIM": "share of {r} found in order in {f}",
    "PFX": "common prefix of {f} and {r}",
    "SFX": "common suffix of {f} and {r}",
    "ENT": "entropy of {f}",
    "HEX": "hex-digit share of {f}",
    "REP": "repetition score of {f}",
    "CFC": "character-frequency distance of {f} from its reference",
    "NL": "signed log of {f}",
    "NMG": "decimal magnitude of {f}",
    "TVR": "vowel share of {f}",
}

OPERATORS: dict[str, tuple[str, str]] = {"LEV": (">", "≤"), "CFC": ("≥", "<")}

PHRASES: dict[str, tuple[str, str]] = {
    "T": ("{f} contains {v}", "{f} does not contain {v}"),
    "TEQ": ("{f} is {v}", "{f} is not {v}"),
    "TSW": ("{f} starts with {v}", "{f} does not start with {v}"),
    "TEW": ("{f} ends with {v}", "{f} does not end with {v}"),
    "NZR": ("{f} = 0", "{f} ≠ 0"),
}


def _quote(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)


def describe(literal: Sequence, header: Sequence[str], *, flip: bool = False) -> str:
    """The test a literal makes, or with ``flip`` the test of its other polarity."""
    index, value, negated, kind = literal
    name = header[index]
    pol = int(bool(negated) != flip)
    if kind in PHRASES:
        return PHRASES[kind][pol].format(f=name, v=_quote(value))
    if kind == "NRG":
        inside = f"{value[0]!r} < {name} ≤ {value[1]!r}"
        return inside if pol else f"not {inside}"
    if kind == "NZ":
        mu, sd, thr = value
        return f"z-score of {name} (mean {mu!r}, sd {sd!r}) {BELOW[pol]} {thr!r}"
    if kind in MEASURES:
        pair = isinstance(value, list)
        ref = _quote(value[0]) if pair and kind != "CFC" else ""
        threshold = value[-1] if pair else value
        op = OPERATORS.get(kind, BELOW)[pol]
        return f"{MEASURES[kind].format(f=name, r=ref)} {op} {threshold!r}"
    return f"{name}: unknown test {kind!r} (never holds)"
