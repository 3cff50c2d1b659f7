"""Pure-Python kernels: the fallback for ``_kernels.pyx`` with the same signatures.

Each kernel evaluates one reference-dependent measure of spec §2.2 for a list of
distinct strings against one reference, so the columnar evaluator pays per distinct
value, not per row. Both implementations are tested equal to ``measures``.
"""

from __future__ import annotations

import numpy as np

from snakebatch.engine import measures as m


def contains(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((ref in s for s in strs), dtype=bool, count=len(strs))


def equals(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((s == ref for s in strs), dtype=bool, count=len(strs))


def startswith(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((s.startswith(ref) for s in strs), dtype=bool, count=len(strs))


def endswith(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((s.endswith(ref) for s in strs), dtype=bool, count=len(strs))


def lev(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.lev(s, ref) for s in strs), dtype=np.int64, count=len(strs))


def jac(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.jac(s, ref) for s in strs), dtype=np.float64, count=len(strs))


def sim(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.sim(s, ref) for s in strs), dtype=np.float64, count=len(strs))


def cpl(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.cpl(s, ref) for s in strs), dtype=np.int64, count=len(strs))


def csl(strs: list[str], ref: str) -> np.ndarray:
    return np.fromiter((m.csl(s, ref) for s in strs), dtype=np.int64, count=len(strs))


def chi(strs: list[str], expected: dict) -> np.ndarray:
    return np.fromiter((m.chi(s, expected) for s in strs), dtype=np.float64, count=len(strs))


def lev_at_most(strs: list[str], ref: str, limit: float) -> np.ndarray:
    """``lev(s, ref) <= limit`` per string (the LEV literal's test)."""
    return np.fromiter((m.lev(s, ref) <= limit for s in strs), dtype=bool, count=len(strs))
