"""The model structure check at C speed, for the common case of a valid file.

:mod:`modelio` checks every literal, member and lookalike with Python code, naming
the bad part; on a 68 MB mesh model that took longer than the parse. Here the same
rules run as whole-bucket set, ``map`` and ``min``/``max`` operations, whose loops
run in C. Only a ``True`` is trusted: on ``False`` the Python check runs and raises
its precise error, so this check may be stricter than that one but never more
lenient (a property test holds it to that).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any

INT = {int}
LIST = {list}
STR = {str}
ORIGINS = {"c", "n"}
NUMBER = frozenset((int, float, bool))
first, second, fourth = itemgetter(0), itemgetter(1), itemgetter(3)


def layers_look_valid(
    layers: Any, width: int, n_rows: int, shapes: Mapping[str, Callable[[Any], bool]]
) -> bool:
    """Whether every bucket passes :func:`modelio._check_bucket` (False: ask it why)."""
    if type(layers) is not list or not set(map(type, layers)) <= LIST:
        return False
    return all(_bucket_ok(b, width, n_rows, shapes) for layer in layers for b in layer)


def _indices_ok(values: list, bound: int) -> bool:
    return not values or (
        set(map(type, values)) <= INT and min(values) >= 0 and max(values) < bound
    )


def _bucket_ok(
    bucket: Any, width: int, n_rows: int, shapes: Mapping[str, Callable[[Any], bool]]
) -> bool:
    if type(bucket) is not dict:
        return False
    members, origins = bucket.get("members"), bucket.get("origins")
    if type(members) is not list or not _indices_ok(members, n_rows):
        return False
    if origins is not None and (
        type(origins) is not list
        or len(origins) != len(members)
        or not set(map(type, origins)) <= STR
        or not set(origins) <= ORIGINS
    ):
        return False
    condition = bucket.get("condition")
    clauses = bucket.get("clauses", [])
    if condition is not None and type(condition) is not list:
        return False
    if type(clauses) is not list or not set(map(type, clauses)) <= LIST:
        return False
    literals = list(chain.from_iterable(clauses))
    if condition:
        literals += condition
    if not _literals_ok(literals, width, shapes):
        return False
    lookalikes = bucket.get("lookalikes", {})
    if type(lookalikes) is not dict:
        return False
    if not lookalikes:
        return True
    keys = list(lookalikes)
    if not set(map(type, keys)) <= STR:
        return False
    if not (all(map(str.isdecimal, keys)) and all(map(str.isascii, keys))):
        return False
    if max(map(int, keys)) >= len(members):
        return False
    lists = list(lookalikes.values())
    if not set(map(type, lists)) <= LIST:
        return False
    conditions = list(chain.from_iterable(lists))
    if not set(map(type, conditions)) <= LIST:
        return False
    return _indices_ok(list(chain.from_iterable(conditions)), len(clauses))


def _literals_ok(literals: list, width: int, shapes: Mapping[str, Callable[[Any], bool]]) -> bool:
    """``[index, value, negated, type]`` each; values by type, odd kinds one by one."""
    if not literals:
        return True
    if not (set(map(type, literals)) <= LIST and set(map(len, literals)) == {4}):
        return False
    indices = list(map(first, literals))
    if not (set(map(type, indices)) <= INT and min(indices) >= 1 and max(indices) < width):
        return False
    kinds = list(map(fourth, literals))
    if not set(map(type, kinds)) <= STR:
        return False
    odd = set()
    for kind, vtype in set(zip(kinds, map(type, map(second, literals)), strict=True)):
        check = shapes.get(kind)
        if check is None or (vtype in NUMBER and check(0.0)) or (vtype is str and check("")):
            continue
        odd.add(kind)
    return all(shapes[lit[3]](lit[1]) for lit in literals if lit[3] in odd)
