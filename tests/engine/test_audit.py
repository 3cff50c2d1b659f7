"""Audit text and augmented output (§5.10)."""

from __future__ import annotations

import pytest

from snakebatch.engine import PopulationRequiredError, Snake
from snakebatch.engine.describe import describe
from snakebatch.engine.modelio import model_from_dict
from tests.engine.test_inference import bucket, routed_model, with_layers
from tests.engine.test_model_io import example


def snake(d: dict | None = None) -> Snake:
    return Snake(model_from_dict(d or example()))


def test_audit_structure_and_correct_numeric_direction() -> None:
    text = snake().get_audit({"color": "rose", "size": 20})
    lines = text.splitlines()
    assert lines[0] == "=== Snake audit ===" and lines[-1] == "=== end of audit ==="
    assert "Prediction: A  (1 layers, 3 lookalikes)" in text
    assert "routed to bucket 1: the only bucket" in text
    # member 1's condition is clause 1 ("size < 15"), false on size 20: rendered as its truth
    assert "row 1 (class B, blue): size ≥ 15.0" in text
    assert "Final prediction: A" in text


def test_audit_renders_why_text_clauses_fail() -> None:
    text = snake().get_audit({"color": "rose", "size": 12})
    assert 'row 0 (class A, red): color does not contain "b"' in text
    assert "A            100.0%  2/2  ████████████████████  e.g. red; rose" in text


def test_audit_uses_normalised_input() -> None:
    s = snake()
    assert s.get_audit({"color": "rose", "size": "20"}) == s.get_audit(
        {"color": "rose", "size": 20}
    )


def test_audit_of_missing_features_and_no_lookalikes() -> None:
    d = with_layers([[bucket(None, [0, 1, 2], [[[1, "b", False, "T"]]], {"0": [[0]]})]])
    text = snake(d).get_audit({"color": "blue"})
    assert "no lookalikes: every class gets the same probability" in text
    assert "0 lookalike(s) in this bucket" in text
    text = snake().get_audit({})
    assert "color is missing AND" not in text  # one clause per condition here
    assert "row 0 (class A, red): color is missing" in text


def test_audit_routing_wording_and_fallback() -> None:
    text = snake(routed_model()).get_audit({"size": 10, "color": "blue"})
    assert "skipped bucket 1: size < 15.0" in text
    assert 'skipped bucket 2: color does not contain "r"' in text
    assert "no bucket condition held: fell back to the last bucket (2)" in text
    text = snake(routed_model()).get_audit({"size": 20})
    assert "routed to bucket 1 because size ≥ 15.0" in text
    assert "(unconditional)" in text


def test_audit_lists_at_most_five_matches() -> None:
    d = example()
    d["population"] = [{"label": "A", "color": f"c{i}", "size": float(i)} for i in range(8)]
    d["targets"] = ["A"] * 8
    looks = {str(i): [[]] for i in range(8)}
    d["layers"] = [[bucket(None, list(range(8)), [], looks)]]
    text = snake(d).get_audit({})
    assert "    … and 3 more" in text
    assert text.count("(unconditional)") == 5


@pytest.mark.parametrize("method", ["get_audit", "get_augmented"])
def test_stripped_model_raises_population_required(method: str) -> None:
    d = example()
    d["stripped"] = True
    with pytest.raises(PopulationRequiredError, match="population"):
        getattr(snake(d), method)({"color": "rose"})
    with pytest.raises(RuntimeError):
        getattr(snake(d), method)([{"color": "rose"}])


def test_augmented_is_raw_input_plus_answers() -> None:
    s = snake()
    q = {"color": "rose", "size": "12", "extra": 1}
    out = s.get_augmented(q)
    assert {k: out[k] for k in q} == q
    assert out["Lookalikes"] == [[0, "A", [0]], [2, "A", [0]]]
    assert out["Probability"] == {"A": 1.0, "B": 0.0}
    assert out["Prediction"] == "A"
    assert out["Audit"] == s.get_audit(q)
    assert s.get_augmented([q, {}])[0] == out


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        ([2, 15.0, False, "N"], "size < 15.0"),
        ([2, 15.0, True, "N"], "size ≥ 15.0"),
        ([1, ["ace", 0.5], False, "SIM"], 'share of "ace" found in order in color < 0.5'),
        ([1, ["ace", 2.0], True, "LEV"], 'edit distance from color to "ace" ≤ 2.0'),
        ([2, [0.0, 1.5, -0.3], True, "NZ"], "z-score of size (mean 0.0, sd 1.5) ≥ -0.3"),
        ([2, [1.0, 2.0], False, "NRG"], "not 1.0 < size ≤ 2.0"),
        ([1, "x", True, "TEQ"], 'color is not "x"'),
        ([1, 3, False, "TN"], "length of color < 3"),
        (
            [1, [{"a": 1.0}, 0.5], False, "CFC"],
            "character-frequency distance of color from its reference ≥ 0.5",
        ),
        ([1, "x", False, "ZZ"], "color: unknown test 'ZZ' (never holds)"),
    ],
)
def test_literal_templates(literal: list, text: str) -> None:
    assert describe(literal, ["label", "color", "size"]) == text
