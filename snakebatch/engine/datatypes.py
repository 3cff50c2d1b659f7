"""Type detection and coercion of training columns (spec §3.3–§3.4).

Detection follows the reference's character rules, so a column reads as the same kind
here and there. Coercion keeps integer targets exact (the reference loses precision
above 2**53) and turns unparseable numeric cells into 0.0, as the reference does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from snakebatch.engine.errors import DataError

NUMERIC_CHARS = frozenset("+-.0123456789e")
DIGITS = frozenset("0123456789")
TARGET_KINDS = frozenset("BINTJ")
FEATURE_KINDS = frozenset("NT")


def floatconversion(value: Any) -> float:
    """``float(value)``, or 0.0 when Python cannot parse it (the reference's rule)."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0


def _all_chars_in(strings: Iterable[str], allowed: frozenset[str]) -> bool:
    # one set over the joined text: the same answer as checking string by string,
    # without a Python-level set per distinct value
    return set("".join(strings)) <= allowed


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def detect_target(values: Sequence[Any]) -> str:
    if any(isinstance(v, dict | list) for v in values):
        return "J"
    strings = {str(v) for v in values}
    if strings in ({"0", "1"}, {"False", "True"}, {"FALSE", "TRUE"}):
        return "B"
    if _all_chars_in(strings, DIGITS):
        return "I"
    if _all_chars_in(strings, NUMERIC_CHARS):
        return "N"
    return "T"


def detect_feature(values: Sequence[Any], *, types: set[type] | None = None) -> str:
    """``N`` when every rendering uses only numeric characters.

    A float NaN or None in an in-memory column is a missing number here, not text (the
    reference turns the whole column into text because ``nan`` has letters, §7.3 #10).
    """
    if (_types(values) if types is None else types) == {str}:  # CSV: nothing to render
        strings: set[str] = set(values)
    else:
        strings = {
            str(v) for v in values if not (v is None or (isinstance(v, float) and math.isnan(v)))
        }
    return "N" if _all_chars_in(strings, NUMERIC_CHARS) else "T"


def coerce_target(value: Any, kind: str) -> Any:
    if kind == "J":
        return value
    s = str(value)
    if kind == "B":
        if s in ("True", "TRUE", "true"):
            return 1
        if s in ("False", "FALSE", "false"):
            return 0
        return int(floatconversion(s))
    if kind == "I":
        if s and set(s) <= DIGITS:
            return int(s)
        number = floatconversion(s)
        return int(number) if math.isfinite(number) else 0
    if kind == "N":
        return floatconversion(s)
    return s


def coerce_feature(value: Any, kind: str) -> Any:
    if kind == "N":
        if value is None:
            return math.nan
        return floatconversion(value if isinstance(value, int | float) else str(value))
    return value if type(value) is str else str(value)


def coerce_column(values: Sequence[Any], kind: str, *, types: set[type] | None = None) -> list[Any]:
    """``coerce_feature`` of every value of a column.

    Columns of one Python type (all CSV text, all floats) convert in one C-level pass;
    a text cell ``float`` cannot parse sends the column to the cell-by-cell rules,
    which turn it into 0.0, so the values are the same either way. ``types`` (the set
    of the values' types) saves a pass when the caller has it.
    """
    if types is None:
        types = _types(values)
    if kind == "N":
        if types == {str} or types <= {int, float}:
            try:
                return list(map(float, values))
            except (ValueError, OverflowError):
                pass
    elif types <= {str}:
        return list(values)
    return [coerce_feature(v, kind) for v in values]


def check_enforced(datatypes: Sequence[str], width: int) -> list[str] | None:
    """Validate enforced datatypes; None when the list is empty (detect everything)."""
    if not datatypes:
        return None
    kinds = list(datatypes)
    if kinds[0] not in TARGET_KINDS:
        raise DataError(f"enforced target datatype {kinds[0]!r} is not one of B, I, N, T, J")
    if len(kinds) >= width:
        bad = [k for k in kinds[1:width] if k not in FEATURE_KINDS]
        if bad:
            raise DataError(f"enforced feature datatypes must be N or T, got {bad[0]!r}")
    return kinds
