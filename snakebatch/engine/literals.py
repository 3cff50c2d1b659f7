"""The literal evaluator (spec §2): one definition of what every literal type means.

A literal is ``[index, value, negated, type]``. This scalar evaluator is canonical:
the columnar evaluator and the compiled kernels are tested to agree with it.

Where the reference raises, this engine answers instead, and documents how:

* text measures apply ``str()`` to the value first (as the reference's compiled path
  does), so a number under a ``T`` literal is evaluated, not an error;
* a numeric literal (``N``, ``NZ``, ``NL``, ``NMG``, ``NRG``) that meets a value which
  is not a number (an unparsed string, ``None``) treats it like a missing value: the
  literal is false in both polarities, exactly as a NaN is;
* ``NMG`` of NaN is false in both polarities and of ±infinity has magnitude +infinity.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from snakebatch.engine import measures as m

Literal = list  # [index, value, negated, type]

LITERAL_TYPES = (
    "T", "TN", "TLN", "TWS", "TPS", "TSS", "N", "ND", "TUC", "TDC", "TSC", "LEV", "JAC",
    "SIM", "PFX", "SFX", "ENT", "HEX", "REP", "CFC", "NZ", "NL", "NMG", "NZR", "NRG",
    "TEQ", "TSW", "TEW", "TVR",
)  # fmt: skip

MAX_FLOAT_INT = int(sys.float_info.max)


def is_number(f: Any) -> bool:
    """Whether ``f`` takes part in numeric comparisons (bools are ints, as in Python)."""
    return isinstance(f, int | float)


def _huge_int(f: Any) -> bool:
    """An int a double cannot hold: arithmetic with floats would overflow."""
    return isinstance(f, int) and abs(f) > MAX_FLOAT_INT


def magnitude(f: float) -> float:
    """``mag`` with this engine's answers where the reference raises (NaN → NaN, ±inf → inf)."""
    if _huge_int(f):
        return float(math.floor(math.log10(abs(f))))
    if math.isnan(f):
        return math.nan
    if math.isinf(f):
        return math.inf
    return m.mag(f)


def zscore(f: float, mu: float, sd: float) -> float | Fraction:
    """``(f − mu) / sd``; exact (a Fraction) for ints beyond the double range."""
    if _huge_int(f) and math.isfinite(mu) and math.isfinite(sd) and sd != 0:
        return (Fraction(f) - Fraction(mu)) / Fraction(sd)
    if _huge_int(f):
        f = math.inf if f > 0 else -math.inf
    try:
        return (f - mu) / sd
    except ZeroDivisionError:  # hand-made models only: IEEE division by zero
        diff = f - mu
        return math.nan if diff == 0 or math.isnan(diff) else math.copysign(math.inf, diff)


def _below(mu: float | Fraction, v: float, negated: bool) -> bool:
    """The common polarity rule: ``μ < v`` when not negated, ``μ ≥ v`` when negated.

    A NaN measure fails both comparisons, so it is false in either polarity.
    """
    return mu >= v if negated else mu < v


def _text(measure: Callable[[str], float]) -> Callable[[Any, Any, bool], bool]:
    return lambda f, v, neg: _below(measure(str(f)), v, neg)


def _ref_pair(measure: Callable[[str, str], float]) -> Callable[[Any, Any, bool], bool]:
    return lambda f, v, neg: _below(measure(str(f), str(v[0])), v[1], neg)


def _numeric(transform: Callable[[Any, Any], float | Fraction]) -> Callable[[Any, Any, bool], bool]:
    def test(f: Any, v: Any, neg: bool) -> bool:
        if not is_number(f):
            return False
        return _below(transform(f, v), _threshold(v), neg)

    return test


def _threshold(v: Any) -> Any:
    return v[-1] if isinstance(v, list | tuple) else v


def _substring(f: Any, v: Any, neg: bool) -> bool:
    return (str(v) not in str(f)) if neg else (str(v) in str(f))


def _lev(f: Any, v: Any, neg: bool) -> bool:
    d = m.lev(str(f), str(v[0]))
    return d <= v[1] if neg else d > v[1]


def _cfc(f: Any, v: Any, neg: bool) -> bool:
    score = m.chi(str(f), v[0])
    return score < v[1] if neg else score >= v[1]


def _nzr(f: Any, v: Any, neg: bool) -> bool:
    return f != 0 if neg else f == 0


def _nrg(f: Any, v: Any, neg: bool) -> bool:
    if not is_number(f):
        return False
    inside = v[0] < f <= v[1]
    return inside if neg else not inside


def _equals(f: Any, v: Any, neg: bool) -> bool:
    return (str(f) != v) if neg else (str(f) == v)


def _startswith(f: Any, v: Any, neg: bool) -> bool:
    return str(f).startswith(v) != neg


def _endswith(f: Any, v: Any, neg: bool) -> bool:
    return str(f).endswith(v) != neg


# Types whose measure is a function of ``str(f)`` alone, compared with a number.
STR_MEASURES: dict[str, Callable[[str], float]] = {
    "TN": len,
    "TLN": m.uniq,
    "TWS": m.words,
    "TPS": m.parts,
    "TSS": m.sentences,
    "ND": m.digit_count,
    "TUC": m.upper_count,
    "TDC": m.digit_count,
    "TSC": m.special_count,
    "ENT": m.ent,
    "HEX": m.hex_ratio,
    "REP": m.rep,
    "TVR": m.vowel_ratio,
}

TESTS: dict[str, Callable[[Any, Any, bool], bool]] = {
    **{kind: _text(measure) for kind, measure in STR_MEASURES.items()},
    "T": _substring,
    "N": _numeric(lambda f, v: f),
    "LEV": _lev,
    "JAC": _ref_pair(m.jac),
    "SIM": _ref_pair(m.sim),
    "PFX": _ref_pair(m.cpl),
    "SFX": _ref_pair(m.csl),
    "CFC": _cfc,
    "NZ": _numeric(lambda f, v: zscore(f, v[0], v[1])),
    "NL": _numeric(lambda f, v: m.slog(f)),
    "NMG": _numeric(lambda f, v: magnitude(f)),
    "NZR": _nzr,
    "NRG": _nrg,
    "TEQ": _equals,
    "TSW": _startswith,
    "TEW": _endswith,
}


def holds_on_value(kind: str, value: Any, negated: Any, f: Any) -> bool:
    """Whether a literal of type ``kind`` holds on the feature value ``f`` (present)."""
    test = TESTS.get(kind)
    if test is None:
        return False
    return test(f, value, bool(negated))


def holds(literal: Sequence, x: Mapping[str, Any], header: Sequence[str]) -> bool:
    """Whether ``literal`` holds on row ``x``; a missing feature makes it false (§2.1)."""
    index, value, negated, kind = literal
    name = header[index]
    if name not in x:
        return False
    test = TESTS.get(kind)
    if test is None:
        return False
    return test(x[name], value, bool(negated))


_MISSING = object()


def _never(x: Mapping[str, Any]) -> bool:
    return False


def compile_literal(literal: Sequence, header: Sequence[str]) -> Callable[[Mapping], bool]:
    """``holds`` with the literal bound once: the serving path evaluates the same literals
    for every query, so unpacking and dispatch are paid at load instead."""
    index, value, negated, kind = literal
    name = header[index]
    test = TESTS.get(kind)
    if test is None:
        return _never
    neg = bool(negated)
    if kind == "T":  # the most common types get a closure without the generic dispatch
        return _compile_substring(name, str(value), neg)
    if kind == "N" and is_number(value):
        return _compile_threshold(name, value, neg)
    if kind in STR_MEASURES and is_number(value):
        return _compile_measure(name, STR_MEASURES[kind], value, neg)

    def run(x: Mapping[str, Any]) -> bool:
        return name in x and test(x[name], value, neg)

    return run


def _compile_substring(name: str, token: str, neg: bool) -> Callable[[Mapping], bool]:
    def contains(x: Mapping[str, Any]) -> bool:
        return name in x and token in str(x[name])

    def lacks(x: Mapping[str, Any]) -> bool:
        return name in x and token not in str(x[name])

    return lacks if neg else contains


def _compile_measure(
    name: str, measure: Callable[[str], float], v: float, neg: bool
) -> Callable[[Mapping], bool]:
    def below(x: Mapping[str, Any]) -> bool:
        f = x.get(name, _MISSING)
        return f is not _MISSING and measure(str(f)) < v

    def at_least(x: Mapping[str, Any]) -> bool:
        f = x.get(name, _MISSING)
        return f is not _MISSING and measure(str(f)) >= v

    return at_least if neg else below


def _compile_threshold(name: str, v: float, neg: bool) -> Callable[[Mapping], bool]:
    def below(x: Mapping[str, Any]) -> bool:
        f = x.get(name, _MISSING)
        return isinstance(f, int | float) and f < v

    def at_least(x: Mapping[str, Any]) -> bool:
        f = x.get(name, _MISSING)
        return isinstance(f, int | float) and f >= v

    return at_least if neg else below


def compile_clause(clause: Sequence[Sequence], header: Sequence[str]) -> Callable[[Mapping], bool]:
    """``clause_holds`` bound once; one-literal clauses (the usual case) are the literal."""
    tests = [compile_literal(lit, header) for lit in clause]
    if not tests:
        return _never
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda x: first(x) or second(x)

    def any_holds(x: Mapping[str, Any]) -> bool:
        for t in tests:  # noqa: SIM110 - a plain loop is cheaper than any() over a generator
            if t(x):
                return True
        return False

    return any_holds


def compile_condition(
    condition: Sequence[Sequence], header: Sequence[str]
) -> Callable[[Mapping], bool]:
    """``condition_holds`` bound once; ``[]`` matches everything."""
    tests = [compile_literal(lit, header) for lit in condition]
    if len(tests) == 1:
        return tests[0]
    return lambda x: all(t(x) for t in tests)


def clause_holds(clause: Sequence[Sequence], x: Mapping[str, Any], header: Sequence[str]) -> bool:
    """A clause is the OR of its literals; the empty clause is false."""
    return any(holds(lit, x, header) for lit in clause)


def condition_holds(
    condition: Sequence[Sequence], x: Mapping[str, Any], header: Sequence[str]
) -> bool:
    """A routing condition is the AND of its literals; ``[]`` matches everything."""
    return all(holds(lit, x, header) for lit in condition)
