"""Helper measures behind the literal types (spec §2.2), in canonical Python-path form.

These functions are the single definition of every measure: the scalar literal
evaluator, the columnar evaluator, the literal generators and the compiled kernels
are all tested against them. Strings are code-point sequences, as in Python.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

LEV_EXACT_LIMIT = 256
REP_WINDOW = 64
HEX_CHARS = frozenset("0123456789abcdefABCDEF")
VOWELS = frozenset("aeiouAEIOU")
CHI_FLOOR = 0.001


def lev(a: str, b: str) -> int:
    """Edit distance; above 256 characters the cheaper bag distance (a lower bound)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    if len(a) > LEV_EXACT_LIMIT or len(b) > LEV_EXACT_LIMIT:
        ca, cb = Counter(a), Counter(b)
        shared = sum(min(n, cb[c]) for c, n in ca.items())
        return (len(a) - shared) + (len(b) - shared)
    return _bit_parallel_lev(a, b)


def _bit_parallel_lev(a: str, b: str) -> int:
    """Exact unit-cost edit distance by Myers' bit-vector algorithm (Hyyrö's form).

    One column of the dynamic program is a pair of bit vectors over ``a``, so each
    character of ``b`` costs a handful of integer operations instead of ``len(a)``
    Python-level cell updates; the result is the same integer.
    """
    m = len(a)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return score


def bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def jac(a: str, b: str) -> float:
    """Bigram Jaccard similarity; strings shorter than 2 compare by equality."""
    if len(a) < 2 and len(b) < 2:
        return 1.0 if a == b else 0.0
    ba, bb = bigrams(a), bigrams(b)
    union = ba | bb
    if not union:
        return 1.0
    return len(ba & bb) / len(union)


def sim(s: str, r: str) -> float:
    """Fraction of ``r`` matched, in order, as a greedy subsequence of ``s``."""
    if not r:
        return 0.0
    j = 0
    n = len(r)
    for c in s:
        if j < n and c == r[j]:
            j += 1
    return j / n


def cpl(a: str, b: str) -> int:
    k = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        k += 1
    return k


def csl(a: str, b: str) -> int:
    return cpl(a[::-1], b[::-1])


def ent(s: str) -> float:
    """Shannon entropy in bits; terms summed in first-occurrence order with ``math.log2``."""
    if not s:
        return 0.0
    n = len(s)
    total = 0.0
    for count in Counter(s).values():  # Counter keeps first-occurrence order
        p = count / n
        total += p * math.log2(p)
    return -total


def hex_ratio(s: str) -> float:
    if not s:
        return 0.0
    return sum(1 for c in s if c in HEX_CHARS) / len(s)


def vowel_ratio(s: str) -> float:
    return sum(1 for c in s if c in VOWELS) / max(len(s), 1)


def uniq(s: str) -> int:
    return len(set(s))


def rep(s: str) -> float:
    """Best periodicity score, every position compared with the first period."""
    s = s[:REP_WINDOW]
    n = len(s)
    if n < 4:
        return 0.0
    best = 0.0
    for p in range(1, n // 2 + 1):
        hits = sum(1 for i in range(p, n) if s[i] == s[i % p])
        score = hits / (n - p)
        if score > best:
            best = score
    return best


def _is_special(c: str) -> bool:
    return not c.isalnum() and not c.isspace()


def _ascii_deleter(predicate: Callable[[str], bool]) -> dict[int, int | None]:
    """A ``str.translate`` table deleting the ASCII characters that satisfy ``predicate``.

    Built from the predicate itself, so the fast ASCII path below counts exactly what
    the per-character Python predicate counts (``\x1c``–``\x1f`` are spaces, etc.).
    """
    return str.maketrans("", "", "".join(chr(i) for i in range(128) if predicate(chr(i))))


_NO_UPPER = _ascii_deleter(str.isupper)
_NO_DIGIT = _ascii_deleter(str.isdigit)
_NO_SPECIAL = _ascii_deleter(_is_special)


def upper_count(s: str) -> int:
    if s.isascii():
        return len(s) - len(s.translate(_NO_UPPER))
    return sum(1 for c in s if c.isupper())


def digit_count(s: str) -> int:
    """Digits in Python's ``isdigit`` sense (superscripts count); called per distinct value."""
    if s.isascii():
        return len(s) - len(s.translate(_NO_DIGIT))
    return sum(1 for c in s if c.isdigit())


def special_count(s: str) -> int:
    if s.isascii():
        return len(s) - len(s.translate(_NO_SPECIAL))
    return sum(1 for c in s if _is_special(c))


def words(s: str) -> int:
    return s.count(" ") + 1


def parts(s: str) -> int:
    return s.count(",") + 1


def sentences(s: str) -> int:
    return s.count(".") + 1


def chi(s: str, expected: dict[str, float]) -> float:
    """Char-frequency chi-square; keys summed in a fixed order (reference: hash order)."""
    n = max(len(s), 1)
    observed = Counter(s)
    keys = list(expected)
    keys.extend(c for c in observed if c not in expected)
    total = 0.0
    for c in keys:
        e = expected.get(c, CHI_FLOOR)
        o = observed.get(c, 0) / n
        total += (o - e) ** 2 / max(e, CHI_FLOOR)
    return total


def slog(x: float) -> float:
    """Signed ``ln(|x| + 1)``; the sign is applied by negation (same bits as ``copysign``)
    so that ints beyond the double range work too."""
    if x == 0:
        return 0.0
    magnitude = math.log(abs(x) + 1)
    return magnitude if x > 0 else -magnitude


def mag(x: float) -> float:
    """Decimal magnitude; raises ``ValueError``/``OverflowError`` on NaN and infinities."""
    if x == 0:
        return 0.0
    return float(math.floor(math.log10(abs(x) + 1e-300)))
