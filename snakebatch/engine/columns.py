"""The columnar evaluator: one literal over many rows at once, as a numpy bool mask.

Training evaluates the same few literals over thousands of rows, again and again;
the scalar evaluator (``literals.holds``) pays Python's per-call cost each time. Here
every feature is precomputed once, lazily: which rows have it, which hold a number
(and its float64 value), and the distinct ``str()`` renderings with a code per row.
Text literals depend on a row only through ``str(value)``, so they are evaluated
once per *distinct* rendering (a precomputed measure compared with numpy, or a
compiled kernel for the reference-dependent types) and gathered by code. The result
is cached per literal, so the second evaluation of a literal is an index operation.

The scalar evaluator stays the single definition: every case this module cannot
vectorise exactly (odd threshold types, integers beyond 2**53, values whose
evaluation raises) is handed to ``holds`` row by row, so ``mask`` equals
``[holds(literal, row, header) for row in rows]`` everywhere, errors included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from snakebatch.engine import _kernels_py
from snakebatch.engine import measures as m
from snakebatch.engine.literals import holds, holds_on_value, is_number, magnitude

try:
    from snakebatch.engine import _kernels as _compiled
except ImportError:  # not built: the pure-Python kernels give the same answers
    _compiled = None

EXACT_INT = 2**53
CACHE_LIMIT = 4096
UNKNOWN = 2  # per-rendering cache state: 0 false, 1 true, 2 not computed yet

MEASURES: dict[str, Callable[[str], float]] = {
    "len": len,
    "uniq": m.uniq,
    "words": m.words,
    "parts": m.parts,
    "sentences": m.sentences,
    "digits": m.digit_count,
    "upper": m.upper_count,
    "special": m.special_count,
    "ent": m.ent,
    "hex": m.hex_ratio,
    "rep": m.rep,
    "vowels": m.vowel_ratio,
}
FLOAT_MEASURES = frozenset({"ent", "hex", "rep", "vowels"})
MEASURE_OF_KIND = {
    "TN": "len",
    "TLN": "uniq",
    "TWS": "words",
    "TPS": "parts",
    "TSS": "sentences",
    "ND": "digits",
    "TUC": "upper",
    "TDC": "digits",
    "TSC": "special",
    "ENT": "ent",
    "HEX": "hex",
    "REP": "rep",
    "TVR": "vowels",
}
REF_KINDS = {"LEV": "lev", "JAC": "jac", "SIM": "sim", "PFX": "cpl", "SFX": "csl"}
STRING_REF_KINDS = {"T": "contains", "TEQ": "equals", "TSW": "startswith", "TEW": "endswith"}
TEXT_KINDS = frozenset({*MEASURE_OF_KIND, *REF_KINDS, *STRING_REF_KINDS, "CFC"})
NUMERIC_KINDS = frozenset({"N", "NZ", "NL", "NMG", "NRG"})


def kernels(compiled: bool | None = None) -> Any:
    """The kernel module: compiled when asked for and built, else pure Python."""
    if compiled is False or _compiled is None:
        if compiled:
            raise ImportError("the compiled kernels (_kernels) are not built")
        return _kernels_py
    return _compiled


def _plain_number(v: Any) -> bool:
    """A threshold numpy compares exactly as Python would: a bool, a float, a small int."""
    if isinstance(v, bool | float):
        return True
    return isinstance(v, int) and -EXACT_INT <= v <= EXACT_INT


def _cache_key(value: Any) -> Any:
    """A hashable, type-exact key for a literal value, or None when it has no safe key."""
    if type(value) is str:
        return ("str", value)
    if isinstance(value, str | bool | int | float) or value is None:
        return (type(value).__name__, repr(value))
    if isinstance(value, list | tuple):
        parts = tuple(_cache_key(v) for v in value)
        return None if None in parts else (type(value).__name__, parts)
    if isinstance(value, dict):
        items = tuple((_cache_key(k), _cache_key(v)) for k, v in value.items())
        return None if any(None in pair for pair in items) else ("dict", items)
    return None


def _distinct(codes: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct codes (cheaper than ``np.unique`` for small code ranges)."""
    if len(codes) == 1:
        return codes
    seen = np.zeros(size, dtype=bool)
    seen[codes] = True
    return np.flatnonzero(seen)


def _remember(cache: dict, key: Any, value: np.ndarray) -> np.ndarray:
    """Store ``value`` in a bounded cache (emptied when full: the entries are cheap to redo)."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _ref_pair(value: Any) -> bool:
    """A ``[reference, threshold]`` value the vectorised path handles exactly."""
    return (
        isinstance(value, list | tuple)
        and len(value) >= 2
        and _plain_number(value[1])
        and isinstance(value[0], str | int | float)
    )


def _below(mu: np.ndarray, v: Any, negated: bool) -> np.ndarray:
    """``μ < v`` or, negated, ``μ ≥ v``; NaN fails both, as in the scalar evaluator."""
    return mu >= v if negated else mu < v


class Feature:
    """Lazily precomputed views of one feature column."""

    def __init__(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        n = len(rows)
        self.present = np.fromiter((name in r for r in rows), dtype=bool, count=n)
        self.present_u8 = self.present.view(np.uint8)
        self.flag_u8: np.ndarray | None = None  # set with ``numeric``
        self.any_exotic = False
        self.values: list[Any] = [
            r[name] if p else None for r, p in zip(rows, self.present, strict=True)
        ]
        self._numeric: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._text: tuple[list[str], np.ndarray] | None = None
        self._measures: dict[str, np.ndarray] = {}
        self._row_measures: dict[str, np.ndarray] = {}
        self._zero: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def numeric(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(number flag, float64 values, exotic flag) per row.

        Exotic rows hold ints numpy cannot compare exactly; they go to the scalar path.
        """
        if self._numeric is None:
            n = len(self.values)
            flag = np.zeros(n, dtype=bool)
            exotic = np.zeros(n, dtype=bool)
            num = np.full(n, np.nan)
            for i, (p, f) in enumerate(zip(self.present.tolist(), self.values, strict=True)):
                if not p or not is_number(f):
                    continue
                if isinstance(f, int) and not _plain_number(f):
                    exotic[i] = True
                    continue
                flag[i] = True
                num[i] = f
            self._numeric = (flag, num, exotic)
            self.flag_u8 = flag.view(np.uint8)
            self.any_exotic = bool(exotic.any())
        return self._numeric

    @property
    def text(self) -> tuple[list[str], np.ndarray]:
        """(distinct ``str()`` renderings, code per row; 0 for missing rows)."""
        if self._text is None:
            seen: dict[str, int] = {}
            uniques: list[str] = []
            codes: list[int] = []
            for p, f in zip(self.present.tolist(), self.values, strict=True):
                if not p:
                    codes.append(0)
                    continue
                s = f if type(f) is str else str(f)
                code = seen.get(s)
                if code is None:
                    code = seen[s] = len(uniques)
                    uniques.append(s)
                codes.append(code)
            if not uniques:
                uniques.append("")
            self._text = (uniques, np.array(codes, dtype=np.intp))
        return self._text

    def measure(self, name: str) -> np.ndarray:
        """A text measure (``len``, ``uniq``, ``words``, …) over the distinct renderings."""
        arr = self._measures.get(name)
        if arr is None:
            fn = MEASURES[name]
            uniques = self.text[0]
            kind = np.float64 if name in FLOAT_MEASURES else np.int64
            arr = np.fromiter((fn(s) for s in uniques), dtype=kind, count=len(uniques))
            self._measures[name] = arr
        return arr

    def measure_f64(self, name: str) -> np.ndarray:
        """``measure`` as float64, the form the compiled clause kernel compares (ints
        below 2**53 convert exactly, as numpy converts them when comparing with a float)."""
        key = name + ":f64"
        arr = self._measures.get(key)
        if arr is None:
            arr = self._measures[key] = np.ascontiguousarray(self.measure(name), dtype=np.float64)
        return arr

    def row_measure(self, name: str) -> np.ndarray:
        """A text measure per row (missing rows read the first rendering's value)."""
        arr = self._row_measures.get(name)
        if arr is None:
            arr = self.measure(name)[self.text[1]]
            self._row_measures[name] = arr
        return arr

    def transformed(self, name: str) -> np.ndarray:
        """``slog`` or ``mag`` of each numeric row, computed by the scalar functions."""
        arr = self._row_measures.get(name)
        if arr is None:
            flag, _, _ = self.numeric
            fn = m.slog if name == "slog" else magnitude
            arr = np.array(
                [fn(f) if ok else math.nan for f, ok in zip(self.values, flag, strict=True)]
            )
            self._row_measures[name] = arr
        return arr

    @property
    def zero(self) -> tuple[np.ndarray, np.ndarray]:
        """(``f == 0``, ``f != 0``) per present row, as Python compares them."""
        if self._zero is None:
            eq = np.array([bool(f == 0) for f in self.values], dtype=bool) & self.present
            ne = np.array([bool(f != 0) for f in self.values], dtype=bool) & self.present
            self._zero = (eq, ne)
        return self._zero


class ColumnStore:
    """A population in columns; ``mask`` evaluates a literal over many rows at once."""

    measure_of_kind = MEASURE_OF_KIND  # read by the compiled clause kernel

    def __init__(
        self,
        header: Sequence[str],
        datatypes: Sequence[str],
        rows: Sequence[Mapping[str, Any]],
        *,
        compiled: bool | None = None,
    ) -> None:
        self.header = list(header)
        self.datatypes = list(datatypes)
        self.rows = rows
        self.n = len(rows)
        self.kernels = kernels(compiled)
        self._features: dict[str, Feature] = {}
        self._unique_cache: dict[Any, np.ndarray] = {}
        self._measure_cache: dict[Any, np.ndarray] = {}
        self._row_measures: dict[tuple[int, str], np.ndarray] = {}
        self._numeric_table: tuple[np.ndarray, ...] | bool | None = False  # False: not built

    def feature(self, index: int) -> Feature:
        """The precomputed column of ``header[index]`` (built on first use)."""
        name = self.header[index]
        feat = self._features.get(name)
        if feat is None:
            feat = self._features[name] = Feature(name, self.rows)
        return feat

    def row_measure(self, index: int, name: str) -> np.ndarray:
        """``feature(index).row_measure(name)`` behind one dict lookup: the generators ask
        for a measure of two rows tens of thousands of times per training."""
        arr = self._row_measures.get((index, name))
        if arr is None:
            arr = self._row_measures[index, name] = self.feature(index).row_measure(name)
        return arr

    def numeric_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """(value, slog, mag, digit count) as (features × rows) float64 matrices, or None
        unless every feature is ``N`` and holds a float in every row.

        These are what ``mask`` compares for N/NZ, NL, NMG and ND literals on such data,
        so the fused clause kernel can evaluate them without calling ``mask``. The
        measures are computed once per distinct value by the scalar functions (0.0 and
        -0.0, or two NaNs, share a value and give the same answers).
        """
        if self._numeric_table is False:
            self._numeric_table = self._build_numeric_table()
        return self._numeric_table

    def _build_numeric_table(self) -> tuple[np.ndarray, ...] | None:
        width = len(self.header)
        if self.n == 0 or width < 2 or any(k != "N" for k in self.datatypes[1:]):
            return None
        x = np.zeros((width, self.n))
        slog, mag, ndig = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
        for i in range(1, width):
            feat = self.feature(i)
            if not feat.present.all() or any(type(v) is not float for v in feat.values):
                return None
            x[i] = feat.values
            uniq, inverse = np.unique(x[i], return_inverse=True)
            values = [float(v) for v in uniq]
            slog[i] = np.array([m.slog(v) for v in values])[inverse]
            mag[i] = np.array([magnitude(v) for v in values])[inverse]
            ndig[i] = np.array([m.digit_count(str(v)) for v in values], dtype=float)[inverse]
        return x, slog, mag, ndig

    def mask(self, literal: Sequence, idx: Any = None) -> np.ndarray:
        """``[holds(literal, rows[i], header) for i in idx]`` as a bool array.

        ``idx`` is an int array of row positions (negative ones count from the end, as
        in Python); None means every row. A position out of range is an ``IndexError``.
        """
        if idx is None:
            return self.mask_rows(literal, np.arange(self.n, dtype=np.intp))
        given = np.asarray(idx)
        if given.size and given.dtype.kind not in "iu":
            raise TypeError(f"row positions must be integers, got {given.dtype}")
        rows_idx = np.ascontiguousarray(given.reshape(-1), dtype=np.intp)
        if rows_idx.size:
            if rows_idx.min() < 0:
                rows_idx = np.where(rows_idx < 0, rows_idx + self.n, rows_idx)
            if rows_idx.min() < 0 or rows_idx.max() >= self.n:
                raise IndexError(f"row positions must be within [-{self.n}, {self.n})")
        return self.mask_rows(literal, rows_idx)

    def mask_rows(self, literal: Sequence, rows_idx: np.ndarray) -> np.ndarray:
        """``mask`` for a C-contiguous ``intp`` array of in-range positions, unchecked.

        The training loops call this millions of times with positions they built.
        """
        index, value, negated, kind = literal
        feat = self.feature(index)
        neg = bool(negated)
        if kind == "N" and type(value) is float:
            # the hot path of numeric training: one kernel call (exotic ints aside)
            _, num, _ = feat.numeric
            if not feat.any_exotic:
                return self.kernels.threshold_mask(num, feat.flag_u8, rows_idx, value, neg)
        if type(kind) is not str:
            return self._scalar(literal, rows_idx)
        if kind in NUMERIC_KINDS:
            return self._numeric_mask(feat, literal, kind, value, neg, rows_idx)
        if kind == "NZR":
            eq, ne = feat.zero
            return (ne if neg else eq)[rows_idx]
        if kind in TEXT_KINDS:
            return self._text_mask(feat, literal, kind, value, neg, rows_idx)
        return np.zeros(len(rows_idx), dtype=bool)  # unknown type: false both ways

    def _scalar(self, literal: Sequence, rows_idx: np.ndarray) -> np.ndarray:
        rows, header = self.rows, self.header
        return np.fromiter(
            (bool(holds(literal, rows[i], header)) for i in rows_idx),
            dtype=bool,
            count=len(rows_idx),
        )

    def _numeric_mask(
        self,
        feat: Feature,
        literal: Sequence,
        kind: str,
        value: Any,
        neg: bool,
        rows_idx: np.ndarray,
    ) -> np.ndarray:
        try:
            result = self._numeric_vector(feat, kind, value, neg, rows_idx)
        except (TypeError, ValueError, IndexError, KeyError, OverflowError):
            result = None  # an odd literal value: the scalar path decides, row by row
        if result is None:
            return self._scalar(literal, rows_idx)
        if not feat.any_exotic:
            return result
        exotic = feat.numeric[2][rows_idx]
        if exotic.any():
            where = np.flatnonzero(exotic)
            result[where] = self._scalar(literal, rows_idx[where])
        return result

    def _numeric_vector(
        self, feat: Feature, kind: str, value: Any, neg: bool, rows_idx: np.ndarray
    ) -> np.ndarray | None:
        flag, num, _ = feat.numeric
        if kind in ("N", "NL", "NMG"):
            thr = value[-1] if isinstance(value, list | tuple) else value
            if not _plain_number(thr):
                return None
            if kind != "N":
                num = feat.transformed("slog" if kind == "NL" else "mag")
            return self.kernels.threshold_mask(num, feat.flag_u8, rows_idx, float(thr), neg)
        if kind == "NZ":
            if not (isinstance(value, list | tuple) and len(value) >= 3):
                return None
            mu, sd, thr = value[0], value[1], value[-1]
            if not all(_plain_number(v) for v in (mu, sd, thr)):
                return None
            if isinstance(mu, int) and isinstance(sd, int):
                return None  # Python divides the exact int difference: not float64's
            return self.kernels.zscore_mask(
                num, feat.flag_u8, rows_idx, float(mu), float(sd), float(thr), neg
            )
        ok = flag[rows_idx]
        x = num[rows_idx]
        with np.errstate(all="ignore"):
            # NRG: inside = lo < f <= hi
            if not (isinstance(value, list | tuple) and len(value) == 2):
                return None
            lo, hi = value
            if not (_plain_number(lo) and _plain_number(hi)):
                return None
            inside = (lo < x) & (x <= hi)
            return ok & (inside if neg else ~inside)

    def _text_mask(
        self,
        feat: Feature,
        literal: Sequence,
        kind: str,
        value: Any,
        neg: bool,
        rows_idx: np.ndarray,
    ) -> np.ndarray:
        """Text literals: truth per distinct rendering, computed only for renderings
        the rows ask about and remembered for the next call with the same literal."""
        if kind in REF_KINDS and kind != "LEV" and _ref_pair(value):
            return self._ref_mask(feat, kind, value, neg, rows_idx)
        uniques, codes = feat.text
        key = _cache_key(value)
        cache_key = None if key is None else (id(feat), kind, neg, key)
        entry = None if cache_key is None else self._unique_cache.get(cache_key)
        if entry is None:
            if kind in MEASURE_OF_KIND:
                entry = self._measure_unique(feat, kind, value, neg)
                if entry is None:
                    return self._scalar(literal, rows_idx)
                if cache_key is not None:
                    _remember(self._unique_cache, cache_key, entry)
            elif cache_key is None:
                entry = np.full(len(uniques), UNKNOWN, dtype=np.uint8)
            else:
                entry = self.truth_state(cache_key, len(uniques))
        k = self.kernels
        hit, unknown = k.gather_state(entry, codes, feat.present_u8, rows_idx)
        if unknown:
            need = self._unknown_codes(feat, entry == UNKNOWN, rows_idx)
            try:
                got = self._compute_strings(kind, value, neg, [uniques[j] for j in need.tolist()])
            except (TypeError, ValueError, IndexError, KeyError, OverflowError):
                got = None  # an odd literal value: the scalar path decides, row by row
            if got is None:
                return self._scalar(literal, rows_idx)
            entry[need] = got
            hit, _ = k.gather_state(entry, codes, feat.present_u8, rows_idx)
        return hit

    def truth_state(self, key: tuple, size: int) -> np.ndarray:
        """The cached truth per distinct rendering of one text literal (0/1, ``UNKNOWN``
        until computed), keyed ``(id(feature), kind, negated, _cache_key(value))``."""
        entry = self._unique_cache.get(key)
        if entry is None:
            entry = _remember(self._unique_cache, key, np.full(size, UNKNOWN, dtype=np.uint8))
        return entry

    def ref_measure(self, key: tuple, size: int) -> np.ndarray:
        """The cached measure per distinct rendering against one reference (-1 until
        computed), keyed ``(id(feature), kind, reference)``: every threshold shares it."""
        mu = self._measure_cache.get(key)
        if mu is None:
            mu = _remember(self._measure_cache, key, np.full(size, -1.0))
        return mu

    @staticmethod
    def _unknown_codes(feat: Feature, unknown: np.ndarray, rows_idx: np.ndarray) -> np.ndarray:
        """Distinct codes of present rows whose rendering has no cached answer yet."""
        c = feat.text[1][rows_idx]
        return _distinct(c[feat.present[rows_idx] & unknown[c]], len(unknown))

    def _ref_mask(
        self, feat: Feature, kind: str, value: Any, neg: bool, rows_idx: np.ndarray
    ) -> np.ndarray:
        """JAC/SIM/PFX/SFX: the measure against the reference is cached per
        (feature, type, reference) and shared by every threshold, since generators keep
        drawing literals against the same few rows."""
        uniques, codes = feat.text
        ref = value[0] if type(value[0]) is str else str(value[0])
        mu = self.ref_measure((id(feat), kind, ref), len(uniques))
        k = self.kernels
        thr = float(value[1])
        hit, unknown = k.gather_measure(mu, codes, feat.present_u8, rows_idx, thr, neg)
        if unknown:
            need = self._unknown_codes(feat, mu < 0, rows_idx)
            mu[need] = getattr(k, REF_KINDS[kind])([uniques[j] for j in need.tolist()], ref)
            hit, _ = k.gather_measure(mu, codes, feat.present_u8, rows_idx, thr, neg)
        return hit

    @staticmethod
    def _measure_unique(feat: Feature, kind: str, value: Any, neg: bool) -> np.ndarray | None:
        if not _plain_number(value):
            return None
        with np.errstate(all="ignore"):
            return _below(feat.measure(MEASURE_OF_KIND[kind]), value, neg).astype(np.uint8)

    def _compute_strings(self, kind: str, value: Any, neg: bool, strs: list[str]) -> Any:
        """The literal's truth on each string of ``strs``; None if only the scalar path is exact."""
        k = self.kernels
        with np.errstate(all="ignore"):
            if kind == "T":
                hit = k.contains(strs, value if type(value) is str else str(value))
                return ~hit if neg else hit
            if kind in STRING_REF_KINDS:
                if type(value) is not str:
                    return self._generic(strs, kind, value, neg)
                hit = getattr(k, STRING_REF_KINDS[kind])(strs, value)
                return ~hit if neg else hit
            if kind == "CFC":
                ok = isinstance(value, list | tuple) and len(value) >= 2 and type(value[0]) is dict
                if (
                    not ok
                    or not _plain_number(value[1])
                    or not all(type(c) is str and _plain_number(f) for c, f in value[0].items())
                ):
                    return self._generic(strs, kind, value, neg)
                score = k.chi(strs, value[0])
                return score < value[1] if neg else score >= value[1]
            # LEV, JAC, SIM, PFX, SFX: [ref, threshold]
            if not (
                isinstance(value, list | tuple) and len(value) >= 2 and _plain_number(value[1])
            ):
                return self._generic(strs, kind, value, neg)
            ref = value[0] if type(value[0]) is str else str(value[0])
            thr = value[1]
            if kind == "LEV":
                if math.isnan(thr):
                    return np.zeros(len(strs), dtype=bool)  # NaN compares false both ways
                near = k.lev_at_most(strs, ref, float(thr))
                return near if neg else ~near
            mu = getattr(k, REF_KINDS[kind])(strs, ref)
            return _below(mu, thr, neg)

    @staticmethod
    def _generic(uniques: list[str], kind: str, value: Any, neg: bool) -> np.ndarray | None:
        """Scalar evaluation per distinct rendering; None if any raises (then rows decide)."""
        out = np.empty(len(uniques), dtype=bool)
        for j, s in enumerate(uniques):
            try:
                out[j] = bool(holds_on_value(kind, value, neg, s))
            except Exception:
                return None
        return out
