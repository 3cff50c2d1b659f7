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
from libc.stdlib cimport free, malloc, qsort

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
    """Edit distance, or any value above ``limit`` as soon as it must exceed it.

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
        return limit + 1
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
            return limit + 1
        for j in range(lb + 1):
            prev[j] = cur[j]
    return prev[lb]


cdef long _lev(str a, str b):
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


def jac(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs), lr = len(ref), width = lr, na, nb, ia, ib, inter, union
    cdef str s
    for s in strs:
        if len(s) > width:
            width = len(s)
    cdef unsigned long long* a = <unsigned long long*>malloc((width + 1) * sizeof(unsigned long long))
    cdef unsigned long long* b = <unsigned long long*>malloc((lr + 1) * sizeof(unsigned long long))
    if a == NULL or b == NULL:
        free(a)
        free(b)
        raise MemoryError()
    out = np.empty(n, dtype=np.float64)
    cdef double[:] o = out
    try:
        nb = _bigram_codes(ref, b)
        for i in range(n):
            s = strs[i]
            if len(s) < 2 and lr < 2:
                o[i] = 1.0 if s == ref else 0.0
                continue
            na = _bigram_codes(s, a)
            ia = ib = inter = 0
            while ia < na and ib < nb:
                if a[ia] == b[ib]:
                    inter += 1
                    ia += 1
                    ib += 1
                elif a[ia] < b[ib]:
                    ia += 1
                else:
                    ib += 1
            union = na + nb - inter
            o[i] = 1.0 if union == 0 else (<double>inter) / union
    finally:
        free(a)
        free(b)
    return out


def sim(list strs, str ref):
    cdef Py_ssize_t i, j, n = len(strs), lr = len(ref)
    cdef str s
    cdef Py_UCS4 c
    out = np.empty(n, dtype=np.float64)
    cdef double[:] o = out
    for i in range(n):
        if lr == 0:
            o[i] = 0.0
            continue
        s = strs[i]
        j = 0
        for c in s:
            if j < lr and c == ref[j]:
                j += 1
        o[i] = (<double>j) / lr
    return out


def cpl(list strs, str ref):
    cdef Py_ssize_t i, k, n = len(strs), lr = len(ref), top
    cdef str s
    out = np.empty(n, dtype=np.int64)
    cdef long long[:] o = out
    for i in range(n):
        s = strs[i]
        top = min(len(s), lr)
        k = 0
        while k < top and s[k] == ref[k]:
            k += 1
        o[i] = k
    return out


def csl(list strs, str ref):
    cdef Py_ssize_t i, k, n = len(strs), lr = len(ref), top, ls
    cdef str s
    out = np.empty(n, dtype=np.int64)
    cdef long long[:] o = out
    for i in range(n):
        s = strs[i]
        ls = len(s)
        top = min(ls, lr)
        k = 0
        while k < top and s[ls - 1 - k] == ref[lr - 1 - k]:
            k += 1
        o[i] = k
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


cdef bint _lev_at_most(str a, str b, double limit):
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


def pick_feature(cnp.ndarray codes, cnp.ndarray weights, Py_ssize_t t, Py_ssize_t f, double r):
    _need(codes, cnp.NPY_INT32, "codes")
    _need(weights, cnp.NPY_FLOAT64, "weights")
    cdef Py_ssize_t m = codes.shape[1], i, n = 0, first = -1, k
    cdef const int* ct = <const int*>cnp.PyArray_DATA(codes) + t * m
    cdef const int* cf = <const int*>cnp.PyArray_DATA(codes) + f * m
    cdef const double* w = <const double*>cnp.PyArray_DATA(weights)
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
    cdef double diff, z
    cdef cnp.ndarray out = cnp.PyArray_EMPTY(1, <cnp.npy_intp*>&n, cnp.NPY_BOOL, 0)
    cdef unsigned char* o = <unsigned char*>cnp.PyArray_DATA(out)
    for i in range(n):
        j = rp[i]
        if not okp[j]:
            o[i] = 0
            continue
        diff = v[j] - mu
        if sd == 0:
            z = NAN if (diff == 0 or isnan(diff)) else copysign(INFINITY, diff)
        else:
            z = diff / sd
        o[i] = (z >= thr) if negated else (z < thr)
    return out
