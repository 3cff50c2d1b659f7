"""How long the mesh's pieces take, with where each default comes from.

The predecessor gives divide, conquer and warm-leaf times (§1). Two more numbers are needed
to turn its formula into its figures, and the predecessor states neither, so they are fitted
to the predecessor's own figures and documented as such (docs/math.md shows the fit):

* ``level_latency_s`` — how long one level of the divide tree takes to spawn the next
  (async dispatch, cold start, the divide itself). The predecessor's wedge, 8 leaves x 25
  layers spawned over a 3-level tree at a peak of 17.40/s, gives 200/17.40/3 = 3.83 s.
* ``cold_start_s`` — billed init time of a new 4 GB container (AWS bills INIT for
  managed runtimes since Aug 2025). The predecessor's two cost figures are met with 1.135 s,
  once the conquer's parent-poll wait over its leaf is billed too.

One more the simulator needs and the predecessor does not state:

* ``poll_interval_s`` — how often a conquer polls its leaf's counter (the predecessor's DDB
  ``parent_pk`` poll, §2.2, gives no interval). 0.25 s is the simulator's; it adds at
  most one interval to how long a conquer holds its container.

From these, ``conquer_hold_s`` is how long a conquer holds a slot, and
``slot_seconds(completion)`` the slot time of one leaf's chain that the planner sizes
provisioned slots with (docs/math.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timings:
    t_divide_s: float = 0.08
    t_conquer_s: float = 0.15
    t_leaf_s: float = 0.40
    cold_start_s: float = 1.135
    level_latency_s: float = 200 / 17.40 / 3
    memory_gb: float = 4.0
    poll_interval_s: float = 0.25

    def __post_init__(self) -> None:
        for name in (
            "t_divide_s",
            "t_conquer_s",
            "t_leaf_s",
            "cold_start_s",
            "level_latency_s",
            "memory_gb",
            "poll_interval_s",
        ):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        if self.level_latency_s == 0 or self.memory_gb == 0 or self.poll_interval_s == 0:
            raise ValueError("level_latency_s, memory_gb and poll_interval_s must be > 0")

    @property
    def slot_seconds_per_leaf(self) -> float:
        """Warm slot time one leaf's chain needs: ~2 divides per leaf in a binary tree,
        its conquer, its leaf (0.71 s with the predecessor's times)."""
        return 2 * self.t_divide_s + self.t_conquer_s + self.t_leaf_s

    @property
    def dispatch_s(self) -> float:
        """Async invoke to running on a warm container: what a level's latency leaves
        once the cold start and the divide are taken out (2.62 s with the predecessor's times)."""
        return max(0.0, self.level_latency_s - self.cold_start_s - self.t_divide_s)

    @property
    def conquer_hold_s(self) -> float:
        """How long a blocking conquer holds its container: its own work, its leaf's
        dispatch and warm run, and up to one poll before it sees the ack (3.42 s with
        the predecessor's times). A leaf that lands cold adds a cold start; provisioned slots
        and warm containers take leaves first, so the simulator's mean hold is close to
        this (3.41-3.5 s at 200K-1M rows), and its shortest is the 1.9 s of a leaf
        dispatched early."""
        return self.t_conquer_s + self.dispatch_s + self.t_leaf_s + self.poll_interval_s

    def slot_seconds(self, completion: str = "queue") -> float:
        """Slot time one leaf's chain takes, by completion mode.

        ``queue``: the predecessor's t_slot (nothing waits; it counts a conquer queue mode
        does not run, so it errs on the safe side). ``conquer``: two divides, the
        conquer's hold and its leaf (3.98 s with the predecessor's times): the predecessor's t_slot
        assumes the conquer returns after its 150 ms, which under-plans slots enough
        for the simulator to wedge large jobs.
        """
        if completion == "queue":
            return self.slot_seconds_per_leaf
        if completion == "conquer":
            return 2 * self.t_divide_s + self.conquer_hold_s + self.t_leaf_s
        raise ValueError(f"completion must be 'conquer' or 'queue', got {completion!r}")

    def billed_seconds_per_leaf(self, completion: str = "conquer") -> float:
        """On-demand seconds billed per leaf: in conquer mode the conquer waits (billed)
        for its cold leaf; queue-as-truth completion has no conquer at all."""
        leaf = self.cold_start_s + self.t_leaf_s
        if completion == "conquer":
            return 2 * self.t_divide_s + self.t_conquer_s + 2 * leaf
        if completion == "queue":
            return 2 * self.t_divide_s + leaf
        raise ValueError(f"completion must be 'conquer' or 'queue', got {completion!r}")

    @staticmethod
    def invocations_per_leaf(completion: str = "conquer") -> int:
        return 4 if completion == "conquer" else 3


PREDECESSOR_TIMINGS = Timings()
