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


def check_bucket(ds: Dataset, bucket: dict, truth: np.ndarray, where: str = "bucket") -> None:
    """The contract on one bucket, given its (members × clauses) clause truth.

    Conditions are flattened once and checked in one kernel call (the same order as a
    loop over members, conditions and other members), so the first violation found,
    and the message, do not depend on the kernel.
    """
    members = np.asarray(bucket["members"], dtype=np.intp)
    n_clauses = truth.shape[1]
    owners: list[int] = []
    starts = [0]
    flat: list[int] = []
    conds: list[list[int]] = []
    for key, member_conds in bucket["lookalikes"].items():
        pos = int(key)
        if not 0 <= pos < len(members):
            raise LayerVerificationError(f"{where}: lookalike key {key!r} is not a member")
        for cond in member_conds:
            owners.append(pos)
            flat.extend(cond)
            starts.append(len(flat))
            conds.append(cond)
    if not owners:
        return
    clauses = np.array(flat)
    if len(clauses) and (
        clauses.dtype.kind not in "iu" or clauses.min() < 0 or clauses.max() >= n_clauses
    ):
        r = next(r for r, c in enumerate(conds) if not all(_clause_index(j, n_clauses) for j in c))
        raise LayerVerificationError(
            f"{where}: member {members[owners[r]]} has condition {conds[r]} naming a clause "
            f"outside 0..{n_clauses - 1}"
        )
    r, x = ds.columns.kernels.first_violation(
        np.ascontiguousarray(truth, dtype=np.uint8),
        np.ascontiguousarray(ds.y[members], dtype=np.intp),
        np.array(owners, dtype=np.intp),
        np.array(starts, dtype=np.intp),
        clauses.astype(np.intp),
    )
    if r >= 0:
        pos, row = members[owners[r]], int(members[x])
        raise LayerVerificationError(
            f"{where}: member {pos} (class {ds.targets[pos]!r}) "
            f"is a lookalike of row {row} (class {ds.targets[row]!r}) under "
            f"condition {conds[r]}"
        )


def _clause_index(j: object, n_clauses: int) -> bool:
    return type(j) is int and 0 <= j < n_clauses
