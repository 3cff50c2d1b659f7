"""Our trainer against the reference's own trained models, on the same training rows.

Each fixture in ``tests/fixtures/reference`` is a model the reference trained, with its
population, its config and its answers to held-out queries. Training ours on that exact
population with that exact config, over many seeds, places the one reference model
inside our distribution. Three views:

* structure — buckets per layer, routing literals per condition, clauses per member,
  literals per clause, and the share of each literal type (total variation distance to
  the reference's shares). A trainer that drifted from the reference's procedure shows
  up here before it shows up in accuracy.
* held-out answers — the fixture queries whose true label is known (iris and breast
  cancer from scikit-learn, titanic by passenger name): accuracy and mean probability
  of the true class, with the share of our seeds that reach the reference's figure.
* the reference's own buckets — our local SAT run on exactly the members of each of
  the reference's buckets; where the reference's clause count, literals per clause and
  lookalike-condition length fall in our distribution (a probability integral
  transform: over many buckets its mean is 0.5 and its quartiles are even when the two
  procedures draw from the same distribution). This isolates the SAT from peeling.

A single reference model is one draw, so a percentile near 0 or 100 on one fixture is
a hint, not a verdict; the same direction on most fixtures would be one.
Run: ``python -m bench.reference_fixtures [--seeds 20] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
from collections import Counter
from pathlib import Path

import numpy as np

from snakebatch.engine.dataset import Dataset
from snakebatch.engine.generators import make_oppose, original_oppose
from snakebatch.engine.modelio import model_to_dict
from snakebatch.engine.predictor import Predictor
from snakebatch.engine.sat import Bucket, local_sat
from snakebatch.engine.train import fit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "reference"
NAMES = sorted(p.name.removesuffix(".model.json") for p in FIXTURES.glob("*.model.json"))


def structure(model: dict) -> dict:
    """Shape figures of a model in the reference's dict layout."""
    types: Counter = Counter()
    buckets, conds, members, clauses, literals = [], [], 0, 0, 0
    for layer in model["layers"]:
        buckets.append(len(layer))
        for b in layer:
            members += len(b["members"])
            clauses += len(b["clauses"])
            if b["condition"]:
                conds.append(len(b["condition"]))
            for clause in b["clauses"]:
                literals += len(clause)
                types.update(lit[3] for lit in clause)
    total = sum(types.values()) or 1
    return {
        "buckets": statistics.mean(buckets),
        "condition": statistics.mean(conds) if conds else 0.0,
        "clauses/member": clauses / members,
        "literals/clause": literals / max(clauses, 1),
        "types": {k: v / total for k, v in types.items()},
    }


def labelled_queries(name: str, lines: list[dict]) -> tuple[list[dict], list[str], list[dict]]:
    """Fixture queries with a known true label, and the reference's answers to them."""
    if name.startswith("titanic"):
        with open(ROOT / "data" / "titanic.csv", newline="") as fh:
            rows = list(csv.reader(fh))
        by_name = Counter(r[2] for r in rows[1:])
        label = {r[2]: r[0] for r in rows[1:] if by_name[r[2]] == 1}

        def truth(q: dict) -> str | None:
            return label.get(q.get("name"))
    else:
        from sklearn import datasets

        bunch = datasets.load_iris() if name.startswith("iris") else datasets.load_breast_cancer()
        names = list(bunch.feature_names)
        # iris fixtures name their classes; breast cancer keeps scikit-learn's 0/1
        decode = (lambda t: str(bunch.target_names[t])) if name.startswith("iris") else str
        label = {
            tuple(round(float(v), 6) for v in x): decode(int(t))
            for x, t in zip(bunch.data, bunch.target, strict=True)
        }

        def truth(q: dict) -> str | None:
            if set(q) != set(names):
                return None
            return label.get(tuple(round(float(q[f]), 6) for f in names))

    queries, labels, answers = [], [], []
    for line in lines:
        y = truth(line["query"])
        if y is not None:
            queries.append(line["query"])
            labels.append(y)
            answers.append(line)
    return queries, labels, answers


def held_out(predictions: list[str], probabilities: list[dict], labels: list[str]):
    hits = sum(p == y for p, y in zip(predictions, labels, strict=True))
    p_true = statistics.mean(p.get(y, 0.0) for p, y in zip(probabilities, labels, strict=True))
    return hits / len(labels), p_true


def compare(name: str, seeds: int) -> dict:
    ref = json.loads((FIXTURES / f"{name}.model.json").read_text())
    lines = [json.loads(x) for x in (FIXTURES / f"{name}.expected.jsonl").read_text().splitlines()]
    queries, labels, answers = labelled_queries(name, lines)
    ref_acc, ref_p = held_out(
        [str(a["prediction"]) for a in answers],
        [{str(k): v for k, v in a["probability"]} for a in answers],
        labels,
    )
    cfg = ref["config"]
    ours, accs, ps = [], [], []
    for seed in range(seeds):
        model = fit(
            ref["population"],
            target_index=ref["target"],
            n_layers=cfg["n_layers"],
            bucket=cfg["bucket"],
            noise=cfg["noise"],
            oppose_profile=cfg["oppose_profile"],
            lookahead=cfg["lookahead"],
            seed=seed,
        )
        ours.append(structure(model_to_dict(model)))
        preds = Predictor(model).predict(queries)
        acc, p = held_out(
            [str(r.prediction) for r in preds],
            [{str(k): v for k, v in r.probability.items()} for r in preds],
            labels,
        )
        accs.append(acc)
        ps.append(p)
    mine = {k: statistics.mean(s[k] for s in ours) for k in ours[0] if k != "types"}
    shares: Counter = Counter()
    for s in ours:
        for k, v in s["types"].items():
            shares[k] += v / len(ours)
    theirs = structure(ref)
    tvd = sum(
        abs(shares[k] - theirs["types"].get(k, 0.0)) for k in set(shares) | set(theirs["types"])
    )
    return {
        "name": name,
        "ref": theirs,
        "ours": mine,
        "tvd": tvd / 2,
        "queries": len(labels),
        "ref_acc": ref_acc,
        "ref_p": ref_p,
        "acc": (statistics.mean(accs), statistics.stdev(accs)),
        "p": (statistics.mean(ps), statistics.stdev(ps)),
        "acc_at_least": sum(a >= ref_acc for a in accs) / seeds,
        "p_at_least": sum(p >= ref_p for p in ps) / seeds,
    }


def bucket_figures(clauses: list, lookalikes: dict) -> tuple[float, float, float]:
    """(clauses, literals per clause, mean lookalike-condition length) of one bucket."""
    conds = [len(c) for per in lookalikes.values() for c in per]
    return (
        len(clauses),
        sum(len(c) for c in clauses) / max(len(clauses), 1),
        sum(conds) / len(conds) if conds else 0.0,
    )


def bucket_pits(name: str, seeds: int) -> np.ndarray:
    """(buckets × 3) percentiles of the reference's bucket figures among ours."""
    ref = json.loads((FIXTURES / f"{name}.model.json").read_text())
    cfg = ref["config"]
    ds = Dataset.from_source(
        ref["population"], target=ref["target"], profile=cfg["oppose_profile"], seed=0
    )
    opp, fallback = make_oppose(ds), original_oppose(ds)
    pits = []
    for layer in ref["layers"]:
        for b in layer:
            members = np.array(b["members"], dtype=np.intp)
            theirs = np.array(bucket_figures(b["clauses"], b["lookalikes"]))
            ours = np.array(
                [
                    bucket_figures(*local_sat(Bucket(ds, members), opp, fallback,
                                              cfg["lookahead"], random.Random(seed))[:2])
                    for seed in range(seeds)
                ]
            )  # fmt: skip
            pits.append(((ours < theirs).sum(0) + 0.5 * (ours == theirs).sum(0)) / seeds)
    return np.array(pits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--only", action="append", choices=NAMES)
    args = parser.parse_args()
    print("| fixture | buckets/layer ref / ours | condition | clauses/member | literals/clause "
          "| type TVD | labelled queries | accuracy ref / ours | p(true) ref / ours "
          "| seeds ≥ ref p(true) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.only or NAMES:
        r = compare(name, args.seeds)
        ref, ours = r["ref"], r["ours"]
        cells = [
            f"{ref[k]:.2f} / {ours[k]:.2f}"
            for k in ("buckets", "condition", "clauses/member", "literals/clause")
        ]
        print(
            f"| {name} | {' | '.join(cells)} | {r['tvd']:.3f} | {r['queries']} "
            f"| {r['ref_acc']:.3f} / {r['acc'][0]:.3f} ± {r['acc'][1]:.3f} "
            f"| {r['ref_p']:.3f} / {r['p'][0]:.3f} ± {r['p'][1]:.3f} | {r['p_at_least']:.0%} |",
            flush=True,
        )
    print("\nLocal SAT on the reference's own buckets: mean percentile of its figures among ours")
    print("| fixture | buckets | clauses | literals/clause | condition length |")
    print("|---|---|---|---|---|")
    every = []
    for name in args.only or NAMES:
        pits = bucket_pits(name, args.seeds)
        every.append(pits)
        print(f"| {name} | {len(pits)} | " + " | ".join(f"{v:.2f}" for v in pits.mean(0)) + " |")
    pooled = np.concatenate(every)
    quartiles = [np.histogram(pooled[:, k], bins=4, range=(0, 1))[0].tolist() for k in range(3)]
    print(
        f"| all (uniform: 0.50 ± {(1 / 12 / len(pooled)) ** 0.5:.2f}) | {len(pooled)} | "
        + " | ".join(f"{pooled[:, k].mean():.2f} {quartiles[k]}" for k in range(3))
        + " |"
    )


if __name__ == "__main__":
    main()
