"""The layer verification contract (spec §4.10), as a typed error.

No member may be a lookalike of a member of another class inside its bucket: every
condition of a member must contain a clause that each other-class member satisfies.
The reference exits the process on a violation; here it is a
``LayerVerificationError`` naming the bucket and members.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.errors import LayerVerificationError


def clause_truth(ds: Dataset, clauses: Sequence, members: np.ndarray) -> np.ndarray:
    """(members × clauses) truth, each literal evaluated once over all members."""
    out = np.zeros((len(members), len(clauses)), dtype=bool)
    for j, clause in enumerate(clauses):
        for lit in clause:
            out[:, j] |= ds.columns.mask(lit, members)
    return out


def check_bucket(ds: Dataset, bucket: dict, falsified: np.ndarray, where: str = "bucket") -> None:
    """The contract on one bucket, given its (members × clauses) falsified matrix."""
    members = np.asarray(bucket["members"], dtype=np.intp)
    y = ds.y[members]
    for key, conds in bucket["lookalikes"].items():
        pos = int(key)
        for cond in conds:
            matched = falsified[:, cond].all(axis=1) & (y != y[pos])
            if matched.any():
                x = int(members[np.flatnonzero(matched)[0]])
                raise LayerVerificationError(
                    f"{where}: member {members[pos]} (class {ds.targets[members[pos]]!r}) "
                    f"is a lookalike of row {x} (class {ds.targets[x]!r}) under "
                    f"condition {cond}"
                )


def verify_layer(ds: Dataset, chain: Sequence[dict], layer: int = 0) -> None:
    """Re-evaluate every clause of every bucket and check the contract."""
    for number, b in enumerate(chain):
        members = np.asarray(b["members"], dtype=np.intp)
        falsified = ~clause_truth(ds, b["clauses"], members)
        check_bucket(ds, b, falsified, f"layer {layer}, bucket {number}")
