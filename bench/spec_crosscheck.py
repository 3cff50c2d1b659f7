"""An independent, deliberately naive Snake written straight from spec §4.2–§4.6 and §5,
for all-numeric data under the ``scientific`` profile, to tell an engine deviation
from sampling noise.

It shares nothing with ``snakebatch.engine`` beyond ingestion (types, dedup, MI
weights and column statistics, which are checked separately): literals are
evaluated with plain Python/numpy from the §2.4 table, the routing peel has no
guard, the clause fallback is unguarded, and every member keeps its condition. If
its accuracy distribution matches the engine's, the engine trains what the spec
describes, and a gap to the reference is either noise or lies outside the spec. It
also replays §5 inference over the engine's own models and counts disagreements.

Run: ``python -m bench.spec_crosscheck digits --seeds 30`` (iris, breast cancer,
digits, synthetic).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics

import numpy as np

from bench.train import SETS
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.predictor import Predictor
from snakebatch.engine.train import fit

RETRIES = 50


def slog(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(math.log(abs(x) + 1), x)


def mag(x: float) -> float:
    return 0.0 if x == 0 else float(math.floor(math.log10(abs(x) + 1e-300)))


def ndigits(x: float) -> int:
    return sum(c.isdigit() for c in str(x))


def holds(x: float, lit: list) -> bool:
    """§2.4 for the numeric types the scientific profile generates."""
    _, v, neg, kind = lit
    if kind == "NZ":
        mu, thr = (x - v[0]) / v[1], v[2]
    else:
        mu, thr = {"N": x, "NL": slog(x), "NMG": mag(x), "ND": ndigits(x)}[kind], v
    return mu >= thr if neg else mu < thr


class NaiveSnake:
    """One seeded training run over a (rows × features) float matrix."""

    def __init__(
        self, x: np.ndarray, y: list, weights: list, stats: dict, seed: int, midpoint_only: bool
    ) -> None:
        self.x, self.y, self.w, self.stats = x, y, weights, stats
        self.midpoint_only = midpoint_only
        self.rng = random.Random(seed)
        self.measured = {
            "N": x,
            "NL": np.vectorize(slog, otypes=[float])(x),
            "NMG": np.vectorize(mag, otypes=[float])(x),
            "ND": np.vectorize(ndigits, otypes=[float])(x),
        }

    def mask(self, lit: list, rows: np.ndarray) -> np.ndarray:
        i, v, neg, kind = lit
        if kind == "NZ":
            mu, thr = (self.x[rows, i] - v[0]) / v[1], v[2]
        else:
            mu, thr = self.measured[kind][rows, i], v
        return mu >= thr if neg else mu < thr

    def opp(self, t: int, f: int) -> list | None:
        """§4.6: MI-weighted feature pick, then the scientific numeric cascade."""
        cands = [i for i in range(1, self.x.shape[1]) if self.x[t, i] != self.x[f, i]]
        if not cands:
            return None
        i = cands[0]
        if len(cands) > 1:
            i = self.rng.choices(cands, weights=[self.w[c] + 1e-4 for c in cands])[0]
        tv, fv = float(self.x[t, i]), float(self.x[f, i])
        r = self.rng.random()

        def midpoint():
            return [i, (fv + tv) / 2, tv > fv, "N"]

        def zscore():
            mean, sd, _ = self.stats[i]
            zt, zf = (tv - mean) / sd, (fv - mean) / sd
            return None if zt == zf else [i, [mean, sd, (zt + zf) / 2], zt > zf, "NZ"]

        def through(fn, tag):
            a, b = fn(tv), fn(fv)
            return None if a == b else [i, (a + b) / 2, a > b, tag]

        cascade = (
            (midpoint, 0.40),
            (zscore, 0.60),
            (lambda: through(slog, "NL"), 0.75),
            (lambda: through(mag, "NMG"), 0.90),
        )
        if self.midpoint_only:
            return midpoint()
        for block, cut in cascade:
            if r < cut and (lit := block()) is not None:
                return lit
        return through(ndigits, "ND") or midpoint()

    def lookahead(self, ts: list[int], f: int) -> list | None:
        best, best_cov = None, -1
        for _ in range(5):
            t = self.rng.choice(ts)
            lit = self.opp(t, f)
            if lit is None or holds(self.x[f, lit[0]], lit) or not holds(self.x[t, lit[0]], lit):
                continue
            cov = int(self.mask(lit, np.asarray(ts)).sum())
            if cov > best_cov:
                best, best_cov = lit, cov
        return best

    def clause(self, f: int, ts: list[int]) -> list[list]:
        lits, rem = [], np.asarray(ts)
        while len(rem):
            rl = rem.tolist()
            lit = self.lookahead(rl, f) or self.opp(self.rng.choice(rl), f)
            lits.append(lit)
            rem = rem[~self.mask(lit, rem)]
        all_ts = np.asarray(ts)
        masks = [self.mask(lit, all_ts) for lit in lits]
        i = 0
        while i < len(lits):
            rest = masks[:i] + masks[i + 1 :]
            if rest and np.logical_or.reduce(rest).all():
                del lits[i], masks[i]
            else:
                i += 1
        return lits

    def sat(self, members: list[int]) -> tuple[list, dict]:
        """§4.4, with every member's condition kept (empty ones too)."""
        ys = [self.y[m] for m in members]
        arr = np.asarray(members)
        clauses: list = []
        looks: dict[int, list] = {p: [] for p in range(len(members))}
        for k in sorted(set(ys)):
            fs = [p for p, t in enumerate(ys) if t == k]
            ts = [m for m, t in zip(members, ys, strict=True) if t != k]
            if not ts:
                continue
            built = []
            while fs:
                f = self.rng.choice(fs)
                c = self.clause(members[f], ts)
                truth = np.logical_or.reduce([self.mask(lit, arr) for lit in c])
                built.append((c, [p for p, t in enumerate(ys) if t == k and not truth[p]]))
                fs = [p for p in fs if truth[p]]
            per: dict[int, list] = {p: [] for p, t in enumerate(ys) if t == k}
            for c, cons in built:
                clauses.append(c)
                for p in cons:
                    per[p].append(len(clauses) - 1)
            for p, cond in per.items():
                looks[p].append(cond)
        return clauses, looks

    def chain(self, bucket: int = 250, noise: float = 0.25) -> list:
        """§4.2–§4.3 without the routing guard."""
        n = len(self.y)
        remaining, out = list(range(n)), []
        while len(remaining) > 2 * bucket:
            core, cond, retries = remaining, [], 0
            while len(core) > 2 * bucket and retries < RETRIES:
                classes = list(dict.fromkeys(self.y[i] for i in core))
                if len(classes) < 2:
                    break
                ta = self.rng.choice(classes)
                tb = self.rng.choice([c for c in classes if c != ta])
                a = self.rng.choice([i for i in core if self.y[i] == ta])
                b = self.rng.choice([i for i in core if self.y[i] == tb])
                lit = self.opp(a, b)
                if lit is None:
                    retries += 1
                    continue
                arr = np.asarray(core)
                kept = arr[self.mask(lit, arr)].tolist()
                if len(kept) < bucket:
                    retries += 1
                    continue
                cond.append(lit)
                core, retries = kept, 0
            if not cond:
                break
            in_core = set(core)
            pool = [i for i in range(n) if i not in in_core]
            members = list(core)
            if noise > 0 and pool:
                k = min(max(1, math.floor(noise * len(core))), len(pool))
                members += self.rng.sample(pool, k)
            out.append((cond, members, self.sat(members)))
            remaining = [i for i in remaining if i not in in_core]
        if remaining:
            out.append((None, remaining, self.sat(remaining)))
        return out


def vote(layers: list, targets: list, classes: list, q: list) -> tuple:
    """§5.2–§5.6 for one query: (prediction, probability)."""
    votes = []
    for layer in layers:
        _, members, (clauses, looks) = next(
            (b for b in layer if b[0] is None or all(holds(q[lit[0]], lit) for lit in b[0])),
            layer[-1],
        )
        neg = {j for j, c in enumerate(clauses) if not any(holds(q[lit[0]], lit) for lit in c)}
        for p, conds in looks.items():
            votes += [targets[members[int(p)]] for c in conds if all(j in neg for j in c)]
    counts = [votes.count(c) for c in classes]
    prob = {
        c: (n / len(votes) if votes else 1 / len(classes))
        for c, n in zip(classes, counts, strict=True)
    }
    best = max(range(len(classes)), key=lambda j: (counts[j], -j))
    return classes[best], prob


def engine_layers(model) -> list:
    return [
        [(b["condition"], b["members"], (b["clauses"], b["lookalikes"])) for b in chain]
        for chain in model.layers
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=["iris", "breast cancer", "digits", "synthetic"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument(
        "--midpoint-only",
        action="store_true",
        help="replace the scientific numeric blocks by the plain midpoint (a what-if)",
    )
    args = parser.parse_args()
    train, queries, labels = SETS[args.name]()
    ds = Dataset.from_source(train, seed=0)
    feats = ds.header[1:]
    x = np.array([[0.0] + [r[h] for h in feats] for r in ds.rows], dtype=float)
    qs = [[0.0] + [q[h] for h in feats] for q in queries]
    classes = sorted(set(ds.targets))
    accs, mismatches = [], 0
    for seed in range(args.seeds):
        naive = NaiveSnake(x, ds.targets, ds.mi_weights, ds.column_stats, seed, args.midpoint_only)
        layers = [naive.chain() for _ in range(5)]
        preds = [vote(layers, ds.targets, classes, q)[0] for q in qs]
        accs.append(sum(p == t for p, t in zip(preds, labels, strict=True)) / len(labels))
        model = fit(train, seed=seed)
        ours = Predictor(model).predict(queries)
        replay = [vote(engine_layers(model), model.targets, classes, q) for q in qs]
        mismatches += sum(
            (o.prediction, o.probability) != r for o, r in zip(ours, replay, strict=True)
        )
    sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
    print(
        f"{args.name}{' (midpoint only)' if args.midpoint_only else ''}: naive spec trainer accuracy {statistics.mean(accs):.4f} ± {sd:.4f} "
        f"over {len(accs)} seeds; engine inference vs §5 replay: {mismatches} mismatches "
        f"in {len(accs) * len(qs)} queries"
    )


if __name__ == "__main__":
    main()
