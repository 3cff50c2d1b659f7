# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled kernels for the columnar evaluator; same signatures as ``_kernels_py``.

Each kernel scores a list of distinct strings against one reference. Characters are
read as code points (``Py_UCS4``), so results equal the Python measures exactly.
"""

import numpy as np

cimport numpy as cnp

cnp.import_array()

from collections import Counter

from libc.math cimport INFINITY, NAN, copysign, isnan
from libc.stdlib cimport free, malloc, qsort, realloc
from libc.string cimport memcpy, memset
from cpython.list cimport PyList_GET_ITEM
from cpython.ref cimport PyObject
from cpython.unicode cimport PyUnicode_Contains, PyUnicode_Tailmatch

DEF LEV_LIMIT = 256
DEF CHI_FLOOR = 0.001


def contains(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.uint8)
    cdef unsigned char[:] o = out
    for i in range(n):
        o[i] = ref in <str>strs[i]
    return out.view(bool)


def equals(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.uint8)
    cdef unsigned char[:] o = out
    for i in range(n):
        o[i] = (<str>strs[i]) == ref
    return out.view(bool)


def startswith(list strs, str ref):
    cdef Py_ssize_t i, j, n = len(strs), k = len(ref)
    cdef str s
    cdef unsigned char ok
    out = np.empty(n, dtype=np.uint8)
    cdef unsigned char[:] o = out
    for i in range(n):
        s = strs[i]
        ok = len(s) >= k
        j = 0
        while ok and j < k:
            ok = s[j] == ref[j]
            j += 1
        o[i] = ok
    return out.view(bool)


def endswith(list strs, str ref):
    cdef Py_ssize_t i, j, n = len(strs), k = len(ref), ls
    cdef str s
    cdef unsigned char ok
    out = np.empty(n, dtype=np.uint8)
    cdef unsigned char[:] o = out
    for i in range(n):
        s = strs[i]
        ls = len(s)
        ok = ls >= k
        j = 0
        while ok and j < k:
            ok = s[ls - k + j] == ref[j]
            j += 1
        o[i] = ok
    return out.view(bool)


cdef long _bag(str a, str b):
    ca, cb = Counter(a), Counter(b)
    cdef long shared = 0
    for c, k in ca.items():
        shared += min(k, cb[c])
    return (len(a) - shared) + (len(b) - shared)


cdef double _lev_bounded(str a, str b, double limit):
    """Edit distance, or +inf as soon as it must exceed ``limit`` (``limit + 1`` would not
    exceed an infinite or huge limit).

    One DP serves both callers: ``_lev`` (no bound) and ``_lev_at_most``, which stops
    once every cell of a row is already past the limit.
    """
    cdef Py_ssize_t la = len(a), lb = len(b), i, j
    cdef long prev[LEV_LIMIT + 1]
    cdef long cur[LEV_LIMIT + 1]
    cdef long best, x, row_min
    cdef Py_UCS4 ca
    if la == 0:
        return lb
    if lb == 0:
        return la
    if la > LEV_LIMIT or lb > LEV_LIMIT:
        return _bag(a, b)
    if (la - lb if la > lb else lb - la) > limit:
        return INFINITY
    for j in range(lb + 1):
        prev[j] = j
    for i in range(1, la + 1):
        ca = a[i - 1]
        cur[0] = i
        row_min = i
        for j in range(1, lb + 1):
            best = prev[j] + 1
            x = cur[j - 1] + 1
            if x < best:
                best = x
            x = prev[j - 1] + (ca != b[j - 1])
            if x < best:
                best = x
            cur[j] = best
            if best < row_min:
                row_min = best
        if row_min > limit:
            return INFINITY
        for j in range(lb + 1):
            prev[j] = cur[j]
    return prev[lb]


cdef long _myers(str a, str b) except -1:
    """Edit distance by Myers' bit-parallel algorithm (Hyyrö's formulation), one 64-bit
    word: ``b`` is the pattern (1 ≤ len(b) ≤ 64), ``a`` the text; O(len(a)) word steps
    instead of the O(len(a)·len(b)) table."""
    cdef Py_ssize_t m = len(b), i, k, nx = 0
    cdef unsigned long long ascii[128]
    cdef Py_UCS4 other[64]
    cdef unsigned long long other_mask[64]
    cdef unsigned long long bit, eq, pv, mv = 0, xv, xh, ph, mh, top = 1ULL << (m - 1)
    cdef long score = m
    cdef Py_UCS4 c
    memset(ascii, 0, sizeof(ascii))
    for i in range(m):
        c = b[i]
        bit = 1ULL << i
        if c < 128:
            ascii[c] |= bit
            continue
        for k in range(nx):
            if other[k] == c:
                other_mask[k] |= bit
                break
        else:
            other[nx] = c
            other_mask[nx] = bit
            nx += 1
    pv = ~0ULL
    for c in a:
        if c < 128:
            eq = ascii[c]
        else:
            eq = 0
            for k in range(nx):
                if other[k] == c:
                    eq = other_mask[k]
                    break
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = (ph << 1) | 1
        mh = mh << 1
        pv = mh | ~(xv | ph)
        mv = ph & xv
    return score


cdef inline bint _myers_fits(str a, str b):
    """Both non-empty, ``b`` one word long, neither past the bag-distance cut."""
    return 0 < len(b) <= 64 and 0 < len(a) <= LEV_LIMIT


cdef long _lev(str a, str b) except -1:
    if _myers_fits(a, b):
        return _myers(a, b)
    return <long>_lev_bounded(a, b, INFINITY)


def lev(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.int64)
    cdef long long[:] o = out
    for i in range(n):
        o[i] = _lev(strs[i], ref)
    return out


cdef int _cmp_u64(const void* a, const void* b) noexcept nogil:
    cdef unsigned long long x = (<unsigned long long*>a)[0], y = (<unsigned long long*>b)[0]
    return (x > y) - (x < y)


cdef Py_ssize_t _bigram_codes(str s, unsigned long long* buf):
    """Distinct bigrams of ``s`` as sorted 64-bit codes (two 21-bit code points)."""
    cdef Py_ssize_t i, k, n = len(s) - 1
    if n <= 0:
        return 0
    for i in range(n):
        buf[i] = ((<unsigned long long>s[i]) << 32) | (<unsigned long long>s[i + 1])
    qsort(buf, n, sizeof(unsigned long long), _cmp_u64)
    k = 1
    for i in range(1, n):
        if buf[i] != buf[k - 1]:
            buf[k] = buf[i]
            k += 1
    return k


DEF JAC_STACK = 256


cdef double _jac_codes(str s, str ref, const unsigned long long* b, Py_ssize_t nb) except -1.0:
    """Jaccard similarity of the distinct bigrams of ``s`` and ``ref``, given ``ref``'s
    sorted bigram codes ``b`` (computed once per reference)."""
    cdef Py_ssize_t ls = len(s), na, ia = 0, ib = 0, inter = 0, union
    cdef unsigned long long stack[JAC_STACK]
    cdef unsigned long long* a = stack
    if ls < 2 and len(ref) < 2:
        return 1.0 if s == ref else 0.0
    if ls > JAC_STACK:
        a = <unsigned long long*>malloc(ls * sizeof(unsigned long long))
        if a == NULL:
            raise MemoryError()
    na = _bigram_codes(s, a)
    while ia < na and ib < nb:
        if a[ia] == b[ib]:
            inter += 1
            ia += 1
            ib += 1
        elif a[ia] < b[ib]:
            ia += 1
        else:
            ib += 1
    if a != stack:
        free(a)
    union = na + nb - inter
    return 1.0 if union == 0 else (<double>inter) / union


cdef bytes _ref_bigrams(str ref):
    """``ref``'s sorted distinct bigram codes, packed (the buffer ``_jac_codes`` reads)."""
    cdef bytes out = b"\0" * (max(len(ref), 1) * sizeof(unsigned long long))
    cdef Py_ssize_t nb = _bigram_codes(ref, <unsigned long long*><char*>out)
    return out[: nb * sizeof(unsigned long long)]


cdef double _sim1(str s, str ref):
    """Share of ``ref`` matched as a subsequence of ``s``, greedily."""
    cdef Py_ssize_t j = 0, lr = len(ref)
    cdef Py_UCS4 c
    if lr == 0:
        return 0.0
    for c in s:
        if j < lr and c == ref[j]:
            j += 1
    return (<double>j) / lr


cdef Py_ssize_t _cpl1(str s, str ref):
    cdef Py_ssize_t k = 0, top = min(len(s), len(ref))
    while k < top and s[k] == ref[k]:
        k += 1
    return k


cdef Py_ssize_t _csl1(str s, str ref):
    cdef Py_ssize_t k = 0, ls = len(s), lr = len(ref), top = min(ls, lr)
    while k < top and s[ls - 1 - k] == ref[lr - 1 - k]:
        k += 1
    return k


def jac(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    cdef bytes b = _ref_bigrams(ref)
    cdef const unsigned long long* bp = <const unsigned long long*><const char*>b
    cdef Py_ssize_t nb = len(b) // sizeof(unsigned long long)
    out = np.empty(n, dtype=np.float64)
    cdef double[:] o = out
    for i in range(n):
        o[i] = _jac_codes(strs[i], ref, bp, nb)
    return out


def sim(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.float64)
    cdef double[:] o = out
    for i in range(n):
        o[i] = _sim1(strs[i], ref)
    return out


def cpl(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.int64)
    cdef long long[:] o = out
    for i in range(n):
        o[i] = _cpl1(strs[i], ref)
    return out


def csl(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.int64)
    cdef long long[:] o = out
    for i in range(n):
        o[i] = _csl1(strs[i], ref)
    return out


def chi(list strs, dict expected):
    cdef Py_ssize_t i, n = len(strs)
    cdef double total, e, obs, size
    cdef str s
    cdef list keys
    out = np.empty(n, dtype=np.float64)
    cdef double[:] o = out
    for i in range(n):
        s = strs[i]
        size = max(len(s), 1)
        observed = Counter(s)
        keys = list(expected)
        keys.extend([c for c in observed if c not in expected])
        total = 0.0
        for c in keys:
            e = expected.get(c, CHI_FLOOR)
            obs = observed.get(c, 0) / size
            total += (obs - e) ** 2 / max(e, CHI_FLOOR)
        o[i] = total
    return out


cdef int _lev_at_most(str a, str b, double limit) except -1:
    if _myers_fits(a, b):
        return _myers(a, b) <= limit
    return _lev_bounded(a, b, limit) <= limit


def lev_at_most(list strs, str ref, double limit):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.uint8)
    cdef unsigned char[:] o = out
    for i in range(n):
        o[i] = _lev_at_most(strs[i], ref, limit)
    return out.view(bool)


cdef inline void _need(cnp.ndarray arr, int typenum, str name) except *:
    """Raw-pointer kernels need C-contiguous arrays of one dtype; anything else is a bug."""
    if cnp.PyArray_TYPE(arr) != typenum or not cnp.PyArray_IS_C_CONTIGUOUS(arr):
        raise ValueError(f"kernel argument {name}: wrong dtype or not C-contiguous")


cdef Py_ssize_t _pick(const int* ct, const int* cf, const double* w, Py_ssize_t m, double r) noexcept nogil:
    """A feature where the two code rows differ (both ≥ 0), weighted by ``w``; -1 if none."""
    cdef Py_ssize_t i, n = 0, first = -1, k
    cdef double total = 0.0, acc, target
    cdef int a, b
    for i in range(m):
        a = ct[i]
        b = cf[i]
        if a != b and a >= 0 and b >= 0:
            if n == 0:
                first = i
            n += 1
            total += w[i]
    if n <= 1:
        return first
    target = r * total
    acc = 0.0
    k = -1
    for i in range(m):
        a = ct[i]
        b = cf[i]
        if a != b and a >= 0 and b >= 0:
            acc += w[i]
            k = i
            if target < acc:
                return i
    return k


def pick_feature(cnp.ndarray codes, cnp.ndarray weights, Py_ssize_t t, Py_ssize_t f, double r):
    _need(codes, cnp.NPY_INT32, "codes")
    _need(weights, cnp.NPY_FLOAT64, "weights")
    cdef Py_ssize_t m = codes.shape[1]
    cdef const int* c = <const int*>cnp.PyArray_DATA(codes)
    return _pick(c + t * m, c + f * m, <const double*>cnp.PyArray_DATA(weights), m, r)


def threshold_mask(cnp.ndarray values, cnp.ndarray ok, cnp.ndarray rows, double thr, bint negated):
    _need(values, cnp.NPY_FLOAT64, "values")
    _need(ok, cnp.NPY_UINT8, "ok")
    _need(rows, cnp.NPY_INTP, "rows")
    cdef Py_ssize_t i, n = rows.shape[0], j
    cdef const double* v = <const double*>cnp.PyArray_DATA(values)
    cdef const unsigned char* okp = <const unsigned char*>cnp.PyArray_DATA(ok)
    cdef const Py_ssize_t* rp = <const Py_ssize_t*>cnp.PyArray_DATA(rows)
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(1, <cnp.npy_intp*>&n, cnp.NPY_BOOL, 0)
    cdef unsigned char* o = <unsigned char*>cnp.PyArray_DATA(out)
    for i in range(n):
        j = rp[i]
        if negated:
            o[i] = okp[j] and v[j] >= thr
        else:
            o[i] = okp[j] and v[j] < thr
    return out


def gather_state(cnp.ndarray state, cnp.ndarray codes, cnp.ndarray present, cnp.ndarray rows):
    _need(state, cnp.NPY_UINT8, "state")
    _need(codes, cnp.NPY_INTP, "codes")
    _need(present, cnp.NPY_UINT8, "present")
    _need(rows, cnp.NPY_INTP, "rows")
    cdef Py_ssize_t i, n = rows.shape[0], j, unknown = 0
    cdef const unsigned char* st = <const unsigned char*>cnp.PyArray_DATA(state)
    cdef const Py_ssize_t* cp = <const Py_ssize_t*>cnp.PyArray_DATA(codes)
    cdef const unsigned char* pp = <const unsigned char*>cnp.PyArray_DATA(present)
    cdef const Py_ssize_t* rp = <const Py_ssize_t*>cnp.PyArray_DATA(rows)
    cdef unsigned char s
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(1, <cnp.npy_intp*>&n, cnp.NPY_BOOL, 0)
    cdef unsigned char* o = <unsigned char*>cnp.PyArray_DATA(out)
    for i in range(n):
        j = rp[i]
        if not pp[j]:
            o[i] = 0
            continue
        s = st[cp[j]]
        o[i] = s == 1
        if s == 2:
            unknown += 1
    return out, unknown


def gather_measure(cnp.ndarray measure, cnp.ndarray codes, cnp.ndarray present, cnp.ndarray rows, double thr, bint negated):
    _need(measure, cnp.NPY_FLOAT64, "measure")
    _need(codes, cnp.NPY_INTP, "codes")
    _need(present, cnp.NPY_UINT8, "present")
    _need(rows, cnp.NPY_INTP, "rows")
    cdef Py_ssize_t i, n = rows.shape[0], j, unknown = 0
    cdef const double* mp = <const double*>cnp.PyArray_DATA(measure)
    cdef const Py_ssize_t* cp = <const Py_ssize_t*>cnp.PyArray_DATA(codes)
    cdef const unsigned char* pp = <const unsigned char*>cnp.PyArray_DATA(present)
    cdef const Py_ssize_t* rp = <const Py_ssize_t*>cnp.PyArray_DATA(rows)
    cdef double mu
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(1, <cnp.npy_intp*>&n, cnp.NPY_BOOL, 0)
    cdef unsigned char* o = <unsigned char*>cnp.PyArray_DATA(out)
    for i in range(n):
        j = rp[i]
        if not pp[j]:
            o[i] = 0
            continue
        mu = mp[cp[j]]
        if mu < 0:
            unknown += 1
        o[i] = (mu >= thr) if negated else (mu < thr)
    return out, unknown


def zscore_mask(cnp.ndarray values, cnp.ndarray ok, cnp.ndarray rows, double mu, double sd, double thr, bint negated):
    """NZ literals: ``(v - mu) / sd`` against ``thr``; a zero ``sd`` gives ±inf (NaN for 0/0)."""
    _need(values, cnp.NPY_FLOAT64, "values")
    _need(ok, cnp.NPY_UINT8, "ok")
    _need(rows, cnp.NPY_INTP, "rows")
    cdef Py_ssize_t i, n = rows.shape[0], j
    cdef const double* v = <const double*>cnp.PyArray_DATA(values)
    cdef const unsigned char* okp = <const unsigned char*>cnp.PyArray_DATA(ok)
    cdef const Py_ssize_t* rp = <const Py_ssize_t*>cnp.PyArray_DATA(rows)
    cdef double z
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(1, <cnp.npy_intp*>&n, cnp.NPY_BOOL, 0)
    cdef unsigned char* o = <unsigned char*>cnp.PyArray_DATA(out)
    for i in range(n):
        j = rp[i]
        if not okp[j]:
            o[i] = 0
            continue
        z = _z(v[j], mu, sd)
        o[i] = (z >= thr) if negated else (z < thr)
    return out


cdef inline double _z(double v, double mu, double sd) noexcept nogil:
    """``(v - mu) / sd``; a zero ``sd`` gives ±inf (NaN for 0/0), as Python's NZ test."""
    cdef double diff = v - mu
    if sd == 0:
        return NAN if (diff == 0 or isnan(diff)) else copysign(INFINITY, diff)
    return diff / sd


# -- fused clause construction over an all-numeric bucket (sat.py) ---------------------
#
# ``block`` = (x, slog, mag, ndig, codes, weights, mean, std, has_stats, profile): the
# first four are (features × members) float64 matrices of the value and of the three
# measures the numeric generators threshold; codes are (members × features) int32.
# Literal kinds: 0 N, 1 NZ, 2 NL, 3 NMG, 4 ND. Profiles: 0 midpoint only, 1 balanced,
# 2 scientific. Every random draw is the one ``generators.make_oppose`` and ``sat`` make,
# in the same order, so the clause equals the generic path's.

cdef enum:
    KIND_N = 0
    KIND_NZ = 1
    KIND_NL = 2
    KIND_NMG = 3
    KIND_ND = 4

cdef enum:
    PROFILE_BALANCED = 1
    PROFILE_SCIENTIFIC = 2


cdef struct Ctx:
    const double* x
    const double* slog
    const double* mag
    const double* ndig
    const int* codes
    const double* w
    const double* mean
    const double* std
    const unsigned char* stats
    Py_ssize_t m
    Py_ssize_t s
    int profile


cdef struct Lit:
    Py_ssize_t i
    int kind
    double thr
    bint neg


cdef inline bint _holds(const Ctx* c, const Lit* lit, Py_ssize_t row) noexcept nogil:
    cdef Py_ssize_t at = lit.i * c.s + row
    cdef double v
    if lit.kind == KIND_N:
        v = c.x[at]
    elif lit.kind == KIND_NZ:
        v = (c.x[at] - c.mean[lit.i]) / c.std[lit.i]
    elif lit.kind == KIND_NL:
        v = c.slog[at]
    elif lit.kind == KIND_NMG:
        v = c.mag[at]
    else:
        v = c.ndig[at]
    return v >= lit.thr if lit.neg else v < lit.thr


cdef Py_ssize_t _randbelow(object getrandbits, Py_ssize_t n) except -1:
    """``random.Random.randrange(n)`` for n ≥ 1, drawing exactly as the stdlib does."""
    cdef int k = 0
    cdef Py_ssize_t v = n, r
    while v:
        k += 1
        v >>= 1
    r = getrandbits(k)
    while r >= n:
        r = getrandbits(k)
    return r


cdef void _midpoint(const Ctx* c, Py_ssize_t i, Py_ssize_t t, Py_ssize_t f, Lit* out) noexcept nogil:
    cdef double a = c.x[i * c.s + t], b = c.x[i * c.s + f]
    out.i = i
    out.kind = KIND_N
    out.thr = (b + a) / 2
    out.neg = a > b


cdef bint _measured(const Ctx* c, const double* arr, int kind, Py_ssize_t i, Py_ssize_t t, Py_ssize_t f, Lit* out) noexcept nogil:
    cdef double a = arr[i * c.s + t], b = arr[i * c.s + f]
    if a == b:
        return False
    out.i = i
    out.kind = kind
    out.thr = (a + b) / 2
    out.neg = a > b
    return True


cdef bint _zscore(const Ctx* c, Py_ssize_t i, Py_ssize_t t, Py_ssize_t f, Lit* out) noexcept nogil:
    cdef double zt, zf
    if not c.stats[i]:
        _midpoint(c, i, t, f, out)
        return True
    zt = (c.x[i * c.s + t] - c.mean[i]) / c.std[i]
    zf = (c.x[i * c.s + f] - c.mean[i]) / c.std[i]
    if zt == zf:
        return False
    out.i = i
    out.kind = KIND_NZ
    out.thr = (zt + zf) / 2
    out.neg = zt > zf
    return True


cdef int _generate(const Ctx* c, Py_ssize_t i, Py_ssize_t t, Py_ssize_t f, object random, Lit* out) except -1:
    """``generators.numeric_literal``: 1 and ``out`` set, or 0 for "nothing"."""
    cdef double r
    cdef int start
    if c.profile == PROFILE_SCIENTIFIC:
        r = random()
        start = (r >= 0.40) + (r >= 0.60) + (r >= 0.75) + (r >= 0.90)
        if start == 0:
            _midpoint(c, i, t, f, out)
            return 1
        if start <= 1 and _zscore(c, i, t, f, out):
            return 1
        if start <= 2 and _measured(c, c.slog, KIND_NL, i, t, f, out):
            return 1
        if start <= 3 and _measured(c, c.mag, KIND_NMG, i, t, f, out):
            return 1
    elif c.profile == PROFILE_BALANCED:
        if random() < 0.5:
            _midpoint(c, i, t, f, out)
            return 1
    else:
        _midpoint(c, i, t, f, out)
        return 1
    if not _measured(c, c.ndig, KIND_ND, i, t, f, out):
        _midpoint(c, i, t, f, out)
    return 1


cdef int _lookahead(const Ctx* c, const Py_ssize_t* rem, Py_ssize_t nrem, Py_ssize_t f, int k, object getrandbits, object random, Lit* best) except -1:
    """``sat._lookahead``: the best of ``k`` guarded candidates by coverage of ``rem``."""
    cdef int it, found = 0
    cdef Py_ssize_t t, i, j, cov, best_cov = -1
    cdef Lit lit
    for it in range(k if k > 1 else 1):
        t = rem[_randbelow(getrandbits, nrem)]
        i = _pick(c.codes + t * c.m, c.codes + f * c.m, c.w, c.m, random())
        if i < 0 or not _generate(c, i, t, f, random, &lit):
            continue
        if _holds(c, &lit, f) or not _holds(c, &lit, t):
            continue
        if k <= 1:
            best[0] = lit
            return 1
        cov = 0
        for j in range(nrem):
            cov += _holds(c, &lit, rem[j])
        if cov > best_cov:
            best[0] = lit
            best_cov = cov
            found = 1
    return found


cdef int _fallback(const Ctx* c, const Py_ssize_t* rem, Py_ssize_t nrem, Py_ssize_t f, int tries, object getrandbits, object random, Lit* out) except -1:
    """``sat._fallback``: the original oppose (a midpoint), false on F, true somewhere in rem."""
    cdef int it
    cdef Py_ssize_t t, i, j
    for it in range(tries):
        t = rem[_randbelow(getrandbits, nrem)]
        i = _pick(c.codes + t * c.m, c.codes + f * c.m, c.w, c.m, random())
        if i < 0:
            continue
        _midpoint(c, i, t, f, out)
        if _holds(c, out, f):
            continue
        for j in range(nrem):
            if _holds(c, out, rem[j]):
                return 1
    return 0


def numeric_clause(tuple block, cnp.ndarray ts, Py_ssize_t f, int lookahead, int tries, object rng):
    """``sat.construct_clause`` for an all-numeric bucket, in one call.

    Returns ([(feature, kind, threshold, negated), …], truth over the members) or None.
    """
    x, slog, mag, ndig, codes, weights, mean, std, stats, profile = block
    _need(x, cnp.NPY_FLOAT64, "x")
    _need(slog, cnp.NPY_FLOAT64, "slog")
    _need(mag, cnp.NPY_FLOAT64, "mag")
    _need(ndig, cnp.NPY_FLOAT64, "ndig")
    _need(codes, cnp.NPY_INT32, "codes")
    _need(weights, cnp.NPY_FLOAT64, "weights")
    _need(mean, cnp.NPY_FLOAT64, "mean")
    _need(std, cnp.NPY_FLOAT64, "std")
    _need(stats, cnp.NPY_UINT8, "stats")
    _need(ts, cnp.NPY_INTP, "ts")
    cdef Ctx c
    c.m = (<cnp.ndarray>codes).shape[1]
    c.s = (<cnp.ndarray>codes).shape[0]
    if (<cnp.ndarray>x).shape[0] != c.m or (<cnp.ndarray>x).shape[1] != c.s:
        raise ValueError("numeric block: value matrix does not match the codes")
    c.x = <const double*>cnp.PyArray_DATA(x)
    c.slog = <const double*>cnp.PyArray_DATA(slog)
    c.mag = <const double*>cnp.PyArray_DATA(mag)
    c.ndig = <const double*>cnp.PyArray_DATA(ndig)
    c.codes = <const int*>cnp.PyArray_DATA(codes)
    c.w = <const double*>cnp.PyArray_DATA(weights)
    c.mean = <const double*>cnp.PyArray_DATA(mean)
    c.std = <const double*>cnp.PyArray_DATA(std)
    c.stats = <const unsigned char*>cnp.PyArray_DATA(stats)
    c.profile = profile
    cdef Py_ssize_t nts = ts.shape[0], nrem = nts, s = c.s, n_lits = 0, cap = 8, j, l
    cdef const Py_ssize_t* tsp = <const Py_ssize_t*>cnp.PyArray_DATA(ts)
    getrandbits, random = rng.getrandbits, rng.random
    cdef Py_ssize_t* rem = <Py_ssize_t*>malloc((nts + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* cover = <Py_ssize_t*>malloc((nts + 1) * sizeof(Py_ssize_t))
    cdef Lit* lits = <Lit*>malloc(cap * sizeof(Lit))
    cdef unsigned char* masks = <unsigned char*>malloc(cap * (s + 1))
    cdef unsigned char* mk
    cdef void* grown
    cdef Lit lit
    if rem == NULL or cover == NULL or lits == NULL or masks == NULL:
        free(rem)
        free(cover)
        free(lits)
        free(masks)
        raise MemoryError()
    try:
        for j in range(nts):
            if tsp[j] < 0 or tsp[j] >= s:
                raise IndexError("numeric block: a T position is outside the bucket")
            rem[j] = tsp[j]
        if f < 0 or f >= s:
            raise IndexError("numeric block: F is outside the bucket")
        while nrem:
            if not (_lookahead(&c, rem, nrem, f, lookahead, getrandbits, random, &lit)
                    or _fallback(&c, rem, nrem, f, tries, getrandbits, random, &lit)):
                return None
            if n_lits == cap:
                cap *= 2
                grown = realloc(lits, cap * sizeof(Lit))
                if grown == NULL:
                    raise MemoryError()
                lits = <Lit*>grown
                grown = realloc(masks, cap * (s + 1))
                if grown == NULL:
                    raise MemoryError()
                masks = <unsigned char*>grown
            lits[n_lits] = lit
            mk = masks + n_lits * s
            for j in range(s):
                mk[j] = _holds(&c, &lit, j)
            n_lits += 1
            nrem = _uncovered(rem, nrem, mk)
        truth = np.zeros(s, dtype=np.uint8)
        kept = _minimise(masks, n_lits, s, tsp, nts, cover, truth)
        out_lits = [(lits[l].i, lits[l].kind, lits[l].thr, bool(lits[l].neg)) for l in kept]
        return out_lits, truth.view(bool)
    finally:
        free(rem)
        free(cover)
        free(lits)
        free(masks)


cdef Py_ssize_t _uncovered(Py_ssize_t* rem, Py_ssize_t nrem, const unsigned char* mk) noexcept:
    """Keep (in order) the positions of ``rem`` the new literal leaves false; their count."""
    cdef Py_ssize_t j, keep = 0
    for j in range(nrem):
        if not mk[rem[j]]:
            rem[keep] = rem[j]
            keep += 1
    return keep


cdef list _minimise(const unsigned char* masks, Py_ssize_t n_lits, Py_ssize_t s, const Py_ssize_t* tsp, Py_ssize_t nts, Py_ssize_t* cover, cnp.ndarray truth):
    """Greedy minimisation in order: drop a literal while every T stays covered.

    ``masks`` holds each literal's truth over the ``s`` members; returns the kept
    literals' positions and ORs their truth into ``truth`` (uint8).
    """
    cdef Py_ssize_t j, l
    cdef const unsigned char* mk
    cdef unsigned char* acc = <unsigned char*>cnp.PyArray_DATA(truth)
    cdef bint drop
    kept = []
    for j in range(nts):
        cover[j] = 0
        for l in range(n_lits):
            cover[j] += masks[l * s + tsp[j]]
    for l in range(n_lits):
        mk = masks + l * s
        drop = True
        for j in range(nts):
            if cover[j] - mk[tsp[j]] <= 0:
                drop = False
                break
        if drop:
            for j in range(nts):
                cover[j] -= mk[tsp[j]]
            continue
        kept.append(l)
        for j in range(s):
            acc[j] |= mk[j]
    return kept


def first_violation(cnp.ndarray truth, cnp.ndarray y, cnp.ndarray owners, cnp.ndarray starts, cnp.ndarray clauses):
    """The layer contract (verify.py): the first (condition, member) where a member of
    another class than the condition's owner falsifies every clause of the condition.

    ``truth`` is (members × clauses) uint8; condition r lists
    ``clauses[starts[r]:starts[r + 1]]``. Returns (r, member) or (-1, -1).
    """
    _need(truth, cnp.NPY_UINT8, "truth")
    _need(y, cnp.NPY_INTP, "y")
    _need(owners, cnp.NPY_INTP, "owners")
    _need(starts, cnp.NPY_INTP, "starts")
    _need(clauses, cnp.NPY_INTP, "clauses")
    cdef Py_ssize_t s = truth.shape[0], width = truth.shape[1], n_cond = owners.shape[0]
    cdef const unsigned char* tr = <const unsigned char*>cnp.PyArray_DATA(truth)
    cdef const Py_ssize_t* yp = <const Py_ssize_t*>cnp.PyArray_DATA(y)
    cdef const Py_ssize_t* op = <const Py_ssize_t*>cnp.PyArray_DATA(owners)
    cdef const Py_ssize_t* sp = <const Py_ssize_t*>cnp.PyArray_DATA(starts)
    cdef const Py_ssize_t* cp = <const Py_ssize_t*>cnp.PyArray_DATA(clauses)
    cdef Py_ssize_t r, x, j, own
    cdef bint any_true
    for r in range(n_cond):
        own = yp[op[r]]
        for x in range(s):
            if yp[x] == own:
                continue
            any_true = False
            for j in range(sp[r], sp[r + 1]):
                if tr[x * width + cp[j]]:
                    any_true = True
                    break
            if not any_true:
                return r, x
    return -1, -1


# -- clause construction on any data (sat.py) -------------------------------------------
#
# The dataset's generators (Python callables) draw the literals, with the same random
# draws in the same order as ``_kernels_py.text_clause``. Guards, coverage, fallback and
# minimisation run here, and so does the evaluation of every literal ``_plan`` accepts:
# per-row numbers and per-rendering measures read from the columns; string tests and
# reference measures computed once per distinct rendering into the store's caches
# (``truth_state``, ``ref_measure``), which ``mask_rows`` shares. Any other literal goes
# to ``store.mask_rows``, the single definition.

cdef enum:
    OP_SLOW = 0
    OP_NUM = 1
    OP_NZ = 2
    OP_MEASURE = 3
    OP_CONTAINS = 4
    OP_EQUALS = 5
    OP_STARTS = 6
    OP_ENDS = 7
    OP_LEV = 8
    OP_JAC = 9
    OP_SIM = 10
    OP_CPL = 11
    OP_CSL = 12

STRING_OPS = {"T": OP_CONTAINS, "TEQ": OP_EQUALS, "TSW": OP_STARTS, "TEW": OP_ENDS}
REF_OPS = {"LEV": OP_LEV, "JAC": OP_JAC, "SIM": OP_SIM, "PFX": OP_CPL, "SFX": OP_CSL}


cdef struct Plan:
    int op
    bint neg
    double thr
    double mu
    double sd
    PyObject* ref  # borrowed from the literal
    PyObject* uniques  # borrowed from the column store
    const Py_ssize_t* codes
    const unsigned char* ok
    const double* values  # per row (numbers) or per rendering (measures)
    double* cached  # per rendering, -1 until computed (reference measures)
    const unsigned long long* bigrams  # JAC: the reference's sorted bigram codes
    Py_ssize_t n_bigrams
    unsigned char* state  # per rendering, 0/1 or 2 until computed (string tests, LEV)


cdef void* _data(object arr):
    return cnp.PyArray_DATA(<cnp.ndarray>arr)


cdef object _plan(object store, object lit, dict measure_of_kind, Plan* p):
    """Fill ``p`` for a literal evaluated here and return what owns its arrays (keep it
    while ``p`` is used), or None to leave the literal to ``mask_rows``.

    Only exact cases are taken: float thresholds, ``str`` references, columns without
    ints a double cannot hold. Everything else has odd corners the store handles.
    """
    index, value, negated, kind = lit
    p.op = OP_SLOW
    if type(kind) is not str or type(index) is not int:
        return None
    p.neg = bool(negated)
    feat = store.feature(index)
    if kind == "N" or kind == "NL" or kind == "NMG" or kind == "NZ":
        num = feat.numeric[1]
        if feat.any_exotic:
            return None
        if kind == "NZ":
            if type(value) is not list or len(value) != 3:
                return None
            mu, sd, thr = value
            if type(mu) is not float or type(sd) is not float or type(thr) is not float:
                return None
            p.mu, p.sd, p.thr, p.op = mu, sd, thr, OP_NZ
        else:
            if type(value) is not float:
                return None
            if kind != "N":
                num = feat.transformed("slog" if kind == "NL" else "mag")
            p.thr, p.op = value, OP_NUM
        p.values = <const double*>_data(num)
        p.ok = <const unsigned char*>_data(feat.flag_u8)
        return num
    uniques, codes = feat.text
    p.codes = <const Py_ssize_t*>_data(codes)
    p.ok = <const unsigned char*>_data(feat.present_u8)
    p.uniques = <PyObject*>uniques
    name = measure_of_kind.get(kind)
    if name is not None:
        if type(value) is not float:
            return None
        owner = feat.measure_f64(name)
        p.values = <const double*>_data(owner)
        p.thr, p.op = value, OP_MEASURE
        return owner
    op = STRING_OPS.get(kind)
    if op is not None:
        if type(value) is not str:
            return None
        owner = store.truth_state((id(feat), kind, p.neg, ("str", value)), len(uniques))
        p.state = <unsigned char*>_data(owner)
        p.ref, p.op = <PyObject*>value, op
        return owner
    op = REF_OPS.get(kind)
    if op is None or type(value) is not list or len(value) != 2:
        return None
    ref, thr = value
    if type(ref) is not str or type(thr) is not float:
        return None
    if op == OP_LEV:  # the store keys LEV by literal (``_cache_key``): the bound is the speed
        key = ("list", (("str", ref), ("float", repr(thr))))
        owner = store.truth_state((id(feat), kind, p.neg, key), len(uniques))
        p.state = <unsigned char*>_data(owner)
    else:
        owner = store.ref_measure((id(feat), kind, ref), len(uniques))
        p.cached = <double*>_data(owner)
        if op == OP_JAC:
            bigrams = _ref_bigrams(ref)
            p.bigrams = <const unsigned long long*><const char*>bigrams
            p.n_bigrams = len(bigrams) // sizeof(unsigned long long)
            owner = (owner, bigrams)
    p.ref, p.thr, p.op = <PyObject*>ref, thr, op
    return owner


cdef double _ref_measure(const Plan* p, str s, str ref) except -1.0:
    cdef int op = p.op
    if op == OP_JAC:
        return _jac_codes(s, ref, p.bigrams, p.n_bigrams)
    if op == OP_SIM:
        return _sim1(s, ref)
    if op == OP_CPL:
        return _cpl1(s, ref)
    return _csl1(s, ref)


cdef int _state_truth(const Plan* p, str s) except -1:
    """A string test's or a LEV literal's truth on one rendering."""
    cdef str ref = <str><object>p.ref
    if p.op == OP_LEV:
        if isnan(p.thr):
            return 0  # NaN compares false both ways
        return _lev_at_most(s, ref, p.thr) == p.neg
    if p.op == OP_CONTAINS:
        return PyUnicode_Contains(s, ref) != p.neg
    if p.op == OP_EQUALS:
        return (s == ref) != p.neg
    return PyUnicode_Tailmatch(s, ref, 0, len(s), -1 if p.op == OP_STARTS else 1) != p.neg


cdef int _truth(const Plan* p, Py_ssize_t row) except -1:
    """The planned literal on one dataset row."""
    cdef double v
    cdef Py_ssize_t code
    cdef int st
    if not p.ok[row]:
        return 0
    if p.op == OP_NUM:
        v = p.values[row]
    elif p.op == OP_NZ:
        v = _z(p.values[row], p.mu, p.sd)
    elif p.op == OP_MEASURE:
        v = p.values[p.codes[row]]
    elif p.op <= OP_LEV:
        code = p.codes[row]
        st = p.state[code]
        if st == 2:
            st = p.state[code] = _state_truth(p, <str>PyList_GET_ITEM(<list><object>p.uniques, code))
        return st
    else:
        code = p.codes[row]
        v = p.cached[code]
        if v < 0:
            v = _ref_measure(p, <str>PyList_GET_ITEM(<list><object>p.uniques, code), <str><object>p.ref)
            p.cached[code] = v
    return (v >= p.thr) if p.neg else (v < p.thr)


cdef int _full_mask(object store, object lit, const Plan* p, const Py_ssize_t* mem, object members, Py_ssize_t s, unsigned char* out) except -1:
    """The literal over every member, into ``out``."""
    cdef Py_ssize_t j
    if p.op == OP_SLOW:
        got = np.ascontiguousarray(store.mask_rows(lit, members), dtype=np.bool_)
        memcpy(out, _data(got), s)
        return 0
    for j in range(s):
        out[j] = _truth(p, mem[j])
    return 0


cdef object _text_lookahead(object store, dict mok, object opp, const Py_ssize_t* mem, object members, const Py_ssize_t* rem, Py_ssize_t nrem, Py_ssize_t f, int k, object getrandbits, object rng, Py_ssize_t s, unsigned char* out):
    """``_kernels_py._text_lookahead``: the best guarded candidate (its truth into ``out``)."""
    cdef Py_ssize_t it, ti, t, j, cov, best_cov = -1, f_row = mem[f]
    cdef Plan p, best_plan
    cdef const unsigned char* sm
    best = best_owner = rows = None
    for it in range(k if k > 1 else 1):
        ti = _randbelow(getrandbits, nrem)
        t = mem[rem[ti]]
        lit = opp(t, f_row, rng)
        if lit is None:
            continue
        owner = _plan(store, lit, mok, &p)
        cov = 0
        if owner is not None:
            if _truth(&p, f_row) or not _truth(&p, t):
                continue
            if k > 1:
                for j in range(nrem):
                    cov += _truth(&p, mem[rem[j]])
        else:
            if rows is None:
                rows = np.empty(nrem + 1, dtype=np.intp)
                for j in range(nrem):
                    rows[j] = mem[rem[j]]
                rows[nrem] = f_row
            got = np.ascontiguousarray(store.mask_rows(lit, rows), dtype=np.bool_)
            sm = <const unsigned char*>_data(got)
            if sm[nrem] or not sm[ti]:
                continue
            for j in range(nrem):
                cov += sm[j]
        if k <= 1 or cov > best_cov:
            best, best_owner, best_cov, best_plan = lit, owner, cov, p
            if k <= 1:
                break
    if best is not None:
        _full_mask(store, best, &best_plan, mem, members, s, out)
    return best


cdef object _text_fallback(object store, dict mok, object opp, const Py_ssize_t* mem, object members, const Py_ssize_t* rem, Py_ssize_t nrem, Py_ssize_t f, int tries, object getrandbits, object rng, Py_ssize_t s, unsigned char* out):
    """``_kernels_py._text_fallback``: the original oppose, false on F, true somewhere in rem."""
    cdef Py_ssize_t it, j
    cdef Plan p
    for it in range(tries):
        lit = opp(mem[rem[_randbelow(getrandbits, nrem)]], mem[f], rng)
        if lit is None:
            continue
        owner = _plan(store, lit, mok, &p)
        _full_mask(store, lit, &p, mem, members, s, out)
        if out[f]:
            continue
        for j in range(nrem):
            if out[rem[j]]:
                return lit
    return None


def text_clause(object store, cnp.ndarray members, cnp.ndarray ts, Py_ssize_t f, object opp, object fallback, int lookahead, int tries, object rng):
    """``sat.construct_clause`` on any data, in one call: ([literal, …], truth) or None.

    ``members`` are the bucket's dataset rows; ``ts`` and ``f`` are positions in it.
    """
    _need(members, cnp.NPY_INTP, "members")
    _need(ts, cnp.NPY_INTP, "ts")
    cdef Py_ssize_t s = members.shape[0], nts = ts.shape[0], nrem = nts, n_lits = 0, cap = 8, j
    cdef const Py_ssize_t* mem = <const Py_ssize_t*>cnp.PyArray_DATA(members)
    cdef const Py_ssize_t* tsp = <const Py_ssize_t*>cnp.PyArray_DATA(ts)
    cdef dict mok = store.measure_of_kind
    getrandbits = rng.getrandbits
    cdef Py_ssize_t* rem = <Py_ssize_t*>malloc((nts + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* cover = <Py_ssize_t*>malloc((nts + 1) * sizeof(Py_ssize_t))
    cdef unsigned char* masks = <unsigned char*>malloc(cap * (s + 1))
    cdef unsigned char* mk
    cdef void* grown
    if rem == NULL or cover == NULL or masks == NULL:
        free(rem)
        free(cover)
        free(masks)
        raise MemoryError()
    lits = []
    try:
        for j in range(nts):
            if tsp[j] < 0 or tsp[j] >= s:
                raise IndexError("text clause: a T position is outside the bucket")
            rem[j] = tsp[j]
        if f < 0 or f >= s:
            raise IndexError("text clause: F is outside the bucket")
        while nrem:
            if n_lits == cap:
                cap *= 2
                grown = realloc(masks, cap * (s + 1))
                if grown == NULL:
                    raise MemoryError()
                masks = <unsigned char*>grown
            mk = masks + n_lits * s
            lit = _text_lookahead(store, mok, opp, mem, members, rem, nrem, f, lookahead, getrandbits, rng, s, mk)
            if lit is None:
                lit = _text_fallback(store, mok, fallback, mem, members, rem, nrem, f, tries, getrandbits, rng, s, mk)
            if lit is None:
                return None
            lits.append(lit)
            n_lits += 1
            nrem = _uncovered(rem, nrem, mk)
        truth = np.zeros(s, dtype=np.uint8)
        kept = _minimise(masks, n_lits, s, tsp, nts, cover, truth)
        return [lits[l] for l in kept], truth.view(bool)
    finally:
        free(rem)
        free(cover)
        free(masks)
