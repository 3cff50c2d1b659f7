"""Sublinear routing: one layer's IF/ELIF chain as a prefix tree of condition literals.

The mesh assembles each bucket's condition as the divide path to its leaf followed by
the leaf's local peel, so the conditions of a layer share long prefixes. Walking the
chain tests every bucket's condition in turn, which grows with the bucket count; the
tree tests each shared literal once, so a row's cost grows with the tree's depth.

The chain's first-match rule is kept exactly: each node knows the lowest chain position
in its subtree (its ``low``) and where a condition ends on it (its ``end``); the walk
keeps the best position found so far and skips every subtree that cannot beat it. A
literal is merged with another only when both are identical (same index, type,
polarity and value, down to the value's Python type), so merging never changes what a
condition means. Buckets after the first ELSE can never be chosen and are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from snakebatch.engine.literals import compile_literal

MaskFn = Callable[[list, np.ndarray], np.ndarray]


class Node:
    __slots__ = ("children", "end", "literal", "low", "test")

    def __init__(self, literal: list | None, test: Callable[[Mapping], bool] | None, low: int):
        self.literal = literal
        self.test = test
        self.low = low  # lowest chain position whose condition passes through this node
        self.end = -1  # lowest chain position whose condition ends here; -1 if none
        self.children: list[Node] = []  # highest ``low`` first, so a stack pops the lowest


def literal_key(lit: Sequence) -> tuple:
    """Identity of a literal for merging: ``repr`` tells 1, 1.0 and True apart, as
    ``str()``-based text literals must."""
    index, value, negated, kind = lit
    return (index, kind, bool(negated), type(value).__name__, repr(value))


class ChainIndex:
    """Routes rows through one chain; answers what :func:`linear_route` answers."""

    def __init__(self, conditions: Sequence[list | None], header: Sequence[str]) -> None:
        n = len(conditions)
        default = next((i for i, c in enumerate(conditions) if c is None), None)
        #: chain positions at or past this never win by their condition
        self.limit = n if default is None else default
        #: the answer when no condition holds: the ELSE bucket, else the last bucket
        self.fallback = default if default is not None else (n - 1 if n else None)
        self.root = Node(None, None, 0)
        nodes = [self.root]
        # (parent's id, literal key) → child; needed only while building, so not kept
        edges: dict[tuple[int, tuple], Node] = {}
        for position, condition in enumerate(conditions[: self.limit]):
            assert condition is not None  # the first ELSE is at ``self.limit``
            node = self.root
            for lit in condition:
                edge = (id(node), literal_key(lit))
                child = edges.get(edge)
                if child is None:
                    child = Node(list(lit), compile_literal(lit, header), position)
                    edges[edge] = child
                    node.children.append(child)
                    nodes.append(child)
                node = child
            if node.end < 0:
                node.end = position
        self.size = len(nodes)
        for node in nodes:  # conditions arrive in chain order, so children are by ``low``
            node.children.reverse()

    def route(self, x: Mapping[str, Any]) -> int | None:
        """Chain position of the first bucket whose condition holds on ``x``."""
        best = self.limit
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.low >= best or (node.test is not None and not node.test(x)):
                continue
            if 0 <= node.end < best:
                best = node.end
            stack.extend(node.children)
        return best if best < self.limit else self.fallback

    def route_batch(self, n: int, mask: MaskFn) -> np.ndarray:
        """Chain position per row of a batch (-1 for an empty chain); each node's literal
        runs once, as a mask over the rows that reached it and could still improve."""
        best = np.full(n, self.limit, dtype=np.int64)
        stack: list[tuple[Node, np.ndarray]] = [(self.root, np.arange(n, dtype=np.int64))]
        while stack:
            node, idx = stack.pop()
            idx = idx[best[idx] > node.low]
            if idx.size and node.literal is not None:
                idx = idx[mask(node.literal, idx)]
            if idx.size == 0:
                continue
            if node.end >= 0:
                best[idx] = np.minimum(best[idx], node.end)
            stack.extend((child, idx) for child in node.children)
        best[best >= self.limit] = -1 if self.fallback is None else self.fallback
        return best
