"""Training (spec §4): reproducibility, chain and SAT invariants, profiles, serving."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from snakebatch.engine.chain import build_chain
from snakebatch.engine.csvio import read_csv
from snakebatch.engine.dataset import Dataset
from snakebatch.engine.errors import EmptyDataError, LayerVerificationError, ParameterError
from snakebatch.engine.literals import clause_holds, condition_holds, holds
from snakebatch.engine.modelio import dumps_model, loads_model
from snakebatch.engine.predictor import Predictor
from snakebatch.engine.profiles import PROFILES
from snakebatch.engine.split import opposing_literal
from snakebatch.engine.train import fit

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def titanic_rows():
    header, rows = read_csv(DATA / "titanic.csv")
    random.Random(0).shuffle(rows)
    return [dict(zip(header, r, strict=True)) for r in rows[:300]]


@pytest.fixture(scope="module")
def titanic_model(titanic_rows):
    return fit(titanic_rows, n_layers=2, bucket=40, seed=7)


def _check_layer(model, chain):
    header, rows, targets = model.header, model.population, model.targets
    assert chain, "a layer has at least one bucket"
    for position, b in enumerate(chain):
        members, origins = b["members"], b["origins"]
        assert len(members) == len(origins) == len(set(members))
        if b["condition"] is None:
            assert position == len(chain) - 1 and set(origins) == {"c"}
            assert members == sorted(members)
        else:
            core = [g for g, o in zip(members, origins, strict=True) if o == "c"]
            assert core == sorted(core) and b["condition"]
            assert all(condition_holds(b["condition"], rows[g], header) for g in core)
        assert list(b["lookalikes"]) == [str(i) for i in range(len(members))]
        classes = sorted({targets[g] for g in members})
        truth = [[clause_holds(c, rows[g], header) for c in b["clauses"]] for g in members]
        for local, g in enumerate(members):
            conds = b["lookalikes"][str(local)]
            if len(classes) == 1:
                assert conds == []
                continue
            assert len(conds) <= 1
            for cond in conds:
                assert cond and cond == sorted(cond)
                # a condition lists exactly the own-class clauses the member falsifies
                assert all(not truth[local][j] for j in cond)
                for other_local, other in enumerate(members):
                    if targets[other] != targets[g]:
                        assert any(truth[other_local][j] for j in cond)


def test_layers_satisfy_the_chain_and_clause_contracts(titanic_model):
    assert len(titanic_model.layers) == 2
    assert any(len(chain) > 1 for chain in titanic_model.layers), "bucket=40 must peel"
    for chain in titanic_model.layers:
        _check_layer(titanic_model, chain)
    assert titanic_model.config["oppose_profile"] == "balanced"
    assert titanic_model.log.count("layer ") >= 2


def test_same_seed_same_model_different_seed_different(titanic_rows, titanic_model):
    again = fit(titanic_rows, n_layers=2, bucket=40, seed=7)
    assert again.layers == titanic_model.layers
    assert again.population == titanic_model.population
    assert again.targets == titanic_model.targets
    other = fit(titanic_rows, n_layers=2, bucket=40, seed=8)
    assert other.layers != titanic_model.layers


def test_parallel_layers_equal_sequential(titanic_rows, titanic_model):
    parallel = fit(titanic_rows, n_layers=2, bucket=40, seed=7, workers=2)
    assert parallel.layers == titanic_model.layers


def test_pure_python_kernels_train_the_same_model(titanic_rows, titanic_model):
    ds = Dataset.from_source(titanic_rows, seed=7, compiled=False)
    model = fit(ds, n_layers=2, bucket=40, seed=7)
    assert model.layers == titanic_model.layers


def test_model_round_trips_through_json_and_serves(titanic_rows, titanic_model):
    loaded = loads_model(dumps_model(titanic_model))
    assert loaded.layers == json.loads(json.dumps(titanic_model.layers))
    queries = [{k: v for k, v in r.items() if k != "survived" and v != ""} for r in titanic_rows]
    a = [p.prediction for p in Predictor(titanic_model).predict(queries)]
    b = [p.prediction for p in Predictor(loaded).predict(queries)]
    assert a == b
    accuracy = np.mean([str(p) == r["survived"] for p, r in zip(a, titanic_rows, strict=True)])
    assert accuracy > 0.8  # training rows: the lookalikes are mostly the rows themselves


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_trains_valid_layers(titanic_rows, profile):
    model = fit(titanic_rows[:120], n_layers=1, bucket=30, seed=3, oppose_profile=profile)
    assert model.config["oppose_profile"] == profile
    _check_layer(model, model.layers[0])


def test_auto_profile_resolution():
    numeric = [{"y": i % 2, "a": float(i), "b": float(i * i % 7)} for i in range(40)]
    assert fit(numeric, n_layers=1, seed=0).config["oppose_profile"] == "scientific"
    codes = [{"y": i % 2, "code": f"A{i:03d}-{i % 7}"} for i in range(40)]
    assert fit(codes, n_layers=1, seed=0).config["oppose_profile"] == "industrial"


def test_scientific_literals_are_used_on_numeric_data():
    rng = random.Random(0)
    rows = [
        {"y": int(x > 0.3), "x": x, "z": rng.random()} for x in (rng.random() for _ in range(300))
    ]
    model = fit(rows, n_layers=2, bucket=40, seed=1)
    kinds = {lit[3] for chain in model.layers for b in chain for c in b["clauses"] for lit in c}
    assert kinds <= {"N", "NZ", "NL", "NMG", "ND"} and len(kinds) >= 3
    _check_layer(model, model.layers[0])


def test_one_class_gives_a_model_that_predicts_it():
    model = fit([{"y": "only", "x": float(i)} for i in range(10)], n_layers=2, seed=0)
    assert all(b["clauses"] == [] for chain in model.layers for b in chain)
    pred = Predictor(model).predict_one({"x": 3.0})
    assert pred.prediction == "only" and pred.probability == {"only": 1.0}


def test_an_empty_staged_package_is_an_error():
    ds = Dataset.from_package(
        {"header": ["y", "x"], "datatypes": ["T", "N"], "targets": [], "population": [[]],
         "oppose_profile": "balanced"}
    )  # fmt: skip
    with pytest.raises(EmptyDataError):
        fit(ds, seed=0)


def test_all_duplicates_train_a_one_row_model():
    model = fit([{"y": "a", "x": "same"}] * 20, n_layers=1, seed=0)
    assert model.targets == ["a"] and Predictor(model).predict_one({"x": "q"}).prediction == "a"


def test_inseparable_rows_end_without_hanging():
    """Rows that differ only by NaN cannot be told apart; training must still finish."""
    rows = [{"y": "a", "x": math.nan, "t": "k"}, {"y": "b", "x": 1.0, "t": "k"}] + [
        {"y": "ab"[i % 2], "x": float(i), "t": "k"} for i in range(2, 30)
    ]
    model = fit(rows, n_layers=2, bucket=5, seed=0, datatypes=["T", "N", "T"])
    for chain in model.layers:
        _check_layer(model, chain)


def test_build_chain_on_a_slice_uses_global_indices(titanic_rows):
    ds = Dataset.from_source(titanic_rows, seed=1)
    indices = np.arange(100, 300)
    chain = build_chain(ds, indices, bucket=30, noise=0.25, lookahead=5, rng=random.Random(2))
    members = {g for b in chain for g in b["members"]}
    assert members <= set(indices.tolist())
    core = sorted(
        g for b in chain for g, o in zip(b["members"], b["origins"], strict=True) if o == "c"
    )
    assert core == list(range(100, 300))  # every row of the slice is core exactly once
    assert any(o == "n" for b in chain for o in b["origins"])


def test_pure_slice_gets_clauses_from_a_population_noise_pool(titanic_rows):
    """A one-class slice has no clauses unless noise comes from outside it (§4.3)."""
    ds = Dataset.from_source(titanic_rows, seed=1)
    pure = np.flatnonzero(np.array(ds.targets) == ds.targets[0])[:100]
    alone = build_chain(ds, pure, bucket=30, noise=0.25, lookahead=5, rng=random.Random(2))
    assert not any(b["clauses"] for b in alone)
    everyone = np.arange(ds.n)
    chain = build_chain(
        ds, pure, bucket=30, noise=0.25, lookahead=5, rng=random.Random(2),
        noise_pool=everyone, noisy_last=True,
    )  # fmt: skip
    assert all(b["clauses"] for b in chain)  # the last bucket too: noisy_last
    for b in chain:
        core = [g for g, o in zip(b["members"], b["origins"], strict=True) if o == "c"]
        noise = [g for g, o in zip(b["members"], b["origins"], strict=True) if o == "n"]
        assert len(noise) == max(1, math.floor(0.25 * len(core)))
        assert not set(noise) & set(core)
        assert any(ds.targets[g] != ds.targets[0] for g in noise)
        for g, votes in zip(b["members"], b["lookalikes"].values(), strict=True):
            if ds.targets[g] == ds.targets[0]:
                assert votes and votes[0]  # its lookalike condition: clauses it falsifies
    core = sorted(
        g for b in chain for g, o in zip(b["members"], b["origins"], strict=True) if o == "c"
    )
    assert core == sorted(pure.tolist())


def test_opposing_literal_splits_the_slice(titanic_rows):
    ds = Dataset.from_source(titanic_rows, seed=1)
    rng = random.Random(5)
    idx = list(range(50))
    for _ in range(20):
        lit = opposing_literal(ds, idx, rng)
        truth = [holds(lit, ds.rows[i], ds.header) for i in idx]
        assert any(truth) and not all(truth)
    one_class = [i for i in range(len(ds.rows)) if ds.targets[i] == ds.targets[0]]
    assert opposing_literal(ds, one_class, rng) is None
    assert opposing_literal(ds, [0], rng) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_layers": 0},
        {"bucket": 0},
        {"noise": 1.5},
        {"lookahead": 0},
        {"workers": 0},
        {"noise": "x"},
    ],
)
def test_bad_parameters_are_typed_errors(kwargs):
    with pytest.raises(ParameterError):
        fit([{"y": 1, "x": 1}, {"y": 0, "x": 2}], **kwargs)


def test_progress_events_and_file(tmp_path, titanic_rows):
    events = []
    path = tmp_path / "progress.json"
    fit(
        titanic_rows[:150],
        n_layers=2,
        bucket=30,
        seed=0,
        progress=events.append,
        progress_file=path,
    )
    assert [e["layer"] for e in events if e["event"] == "layer"] == [1, 2]
    assert any(e["event"] == "bucket" for e in events)
    assert json.loads(path.read_text())["layer"] == 2


def test_build_chain_checks_each_bucket(titanic_rows, monkeypatch):
    from snakebatch.engine import chain as chain_module

    real = chain_module.local_sat

    def broken(*args, **kwargs):
        clauses, lookalikes, truth = real(*args, **kwargs)
        key = next((k for k, v in lookalikes.items() if v), None)
        if key is not None:
            lookalikes[key] = [[]]
        return clauses, lookalikes, truth

    monkeypatch.setattr(chain_module, "local_sat", broken)
    with pytest.raises(LayerVerificationError, match="bucket 0"):
        fit(titanic_rows[:100], n_layers=1, seed=0)
