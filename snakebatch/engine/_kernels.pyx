# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled kernels for the columnar evaluator; same signatures as ``_kernels_py``.

Each kernel scores a list of distinct strings against one reference. Characters are
read as code points (``Py_UCS4``), so results equal the Python measures exactly.
"""

import numpy as np

from collections import Counter

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


cdef long _lev(str a, str b):
    cdef Py_ssize_t la = len(a), lb = len(b), i, j
    cdef long prev[LEV_LIMIT + 1]
    cdef long cur[LEV_LIMIT + 1]
    cdef long best, x
    cdef Py_UCS4 ca
    if la == 0:
        return lb
    if lb == 0:
        return la
    if la > LEV_LIMIT or lb > LEV_LIMIT:
        return _bag(a, b)
    for j in range(lb + 1):
        prev[j] = j
    for i in range(1, la + 1):
        ca = a[i - 1]
        cur[0] = i
        for j in range(1, lb + 1):
            best = prev[j] + 1
            x = cur[j - 1] + 1
            if x < best:
                best = x
            x = prev[j - 1] + (ca != b[j - 1])
            if x < best:
                best = x
            cur[j] = best
        for j in range(lb + 1):
            prev[j] = cur[j]
    return prev[lb]


def lev(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs)
    out = np.empty(n, dtype=np.int64)
    cdef long long[:] o = out
    for i in range(n):
        o[i] = _lev(strs[i], ref)
    return out


cdef set _bigrams(str s):
    cdef Py_ssize_t i
    return {s[i : i + 2] for i in range(len(s) - 1)}


def jac(list strs, str ref):
    cdef Py_ssize_t i, n = len(strs), lr = len(ref)
    cdef str s
    cdef set rb = _bigrams(ref), sb
    cdef Py_ssize_t inter, union
    out = np.empty(n, dtype=np.float64)
    cdef double[:] o = out
    for i in range(n):
        s = strs[i]
        if len(s) < 2 and lr < 2:
            o[i] = 1.0 if s == ref else 0.0
            continue
        sb = _bigrams(s)
        inter = len(sb & rb)
        union = len(sb) + len(rb) - inter
        o[i] = 1.0 if union == 0 else (<double>inter) / union
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
