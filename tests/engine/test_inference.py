"""Inference semantics of spec §5 on small hand-made models, plus the batch paths."""

from __future__ import annotations

import copy
import math

import pytest

from snakebatch.engine import (
    ModelFormatError,
    ParameterError,
    Predictor,
    QueryError,
    Snake,
)
from snakebatch.engine.modelio import model_from_dict
from tests.engine.test_model_io import example


def snake(d: dict | None = None) -> Snake:
    return Snake(model_from_dict(d or example()))


def with_layers(layers: list, targets: list | None = None) -> dict:
    d = example()
    d["layers"] = layers
    if targets is not None:
        d["targets"] = targets
        d["population"] = [dict(r, label=t) for r, t in zip(d["population"], targets, strict=True)]
    return d


def bucket(condition, members, clauses, lookalikes, origins=None) -> dict:
    b = {"condition": condition, "members": members, "clauses": clauses, "lookalikes": lookalikes}
    if origins is not None:
        b["origins"] = origins
    return b


COLOR_B = [[1, "b", False, "T"]]  # clause: color contains "b"
SMALL = [[2, 15.0, False, "N"]]  # clause: size < 15


# -- the worked example of §5.3 --------------------------------------------------------


def test_worked_example() -> None:
    s = snake()
    q = {"color": "rose", "size": 12}
    assert s.get_lookalikes(q) == [[0, "A", [0]], [2, "A", [0]]]
    assert s.get_probability(q) == {"A": 1.0, "B": 0.0}
    assert s.get_prediction(q) == "A"


def test_empty_query_matches_every_member_not_uniform() -> None:
    s = snake()
    assert s.get_probability({}) == {"A": 2 / 3, "B": 1 / 3}
    assert [g for g, *_ in s.get_lookalikes({})] == [0, 1, 2]


def test_target_and_unknown_keys_are_ignored() -> None:
    s = snake()
    q = {"color": "rose", "size": 12}
    assert s.get_lookalikes(q | {"label": "B", "other": 1}) == s.get_lookalikes(q)


# -- normalisation (§5.1) ----------------------------------------------------------------


@pytest.mark.parametrize("size", [12, 12.0, "12", " 12 ", "1_2", True, "1.2e1"])
def test_numeric_features_are_parsed_like_python_float(size) -> None:
    assert snake().get_probability({"color": "rose", "size": size}) == {"A": 1.0, "B": 0.0}


@pytest.mark.parametrize("size", ["", "abc", None, [1], {"a": 1}, "nan", math.nan])
def test_unparsable_or_nan_numbers_make_numeric_literals_false(size) -> None:
    # size < 15 is false both ways: like a missing value, member 1 (condition [1]) matches
    s = snake()
    assert [g for g, *_ in s.get_lookalikes({"color": "rose", "size": size})] == [0, 1, 2]


def test_huge_int_becomes_infinity() -> None:
    s = snake()
    assert s.get_lookalikes({"color": "rose", "size": 10**400}) == [
        [0, "A", [0]],
        [1, "B", [1]],
        [2, "A", [0]],
    ]
    assert s.get_lookalikes({"color": "rose", "size": -(10**400)}) == [
        [0, "A", [0]],
        [2, "A", [0]],
    ]


def test_text_feature_values_are_not_stringified_before_str_measures() -> None:
    # a number under a text feature is rendered with str(): 123 → "123", no "b"
    s = snake()
    assert s.get_lookalikes({"color": 123, "size": 12}) == [[0, "A", [0]], [2, "A", [0]]]
    assert s.get_lookalikes({"color": "blue", "size": 20}) == [[1, "B", [1]]]


def test_series_like_query_is_converted() -> None:
    class Series:
        def to_dict(self) -> dict:
            return {"color": "rose", "size": 12}

    assert snake().get_lookalikes(Series()) == [[0, "A", [0]], [2, "A", [0]]]


@pytest.mark.parametrize("bad", ["color=rose", 3, None, ("color", "rose"), {"a"}])
def test_non_mapping_query_is_a_query_error(bad) -> None:
    with pytest.raises(QueryError, match="a query is a mapping"):
        snake().get_prediction(bad)


def test_batch_with_a_bad_element_is_a_query_error() -> None:
    with pytest.raises(QueryError):
        snake().get_prediction([{"size": 1}, "oops"])
    with pytest.raises(QueryError):
        snake().get_lookalikes([{"size": 1}, 5])


# -- routing (§5.2) ------------------------------------------------------------------------


def routed_model() -> dict:
    big = [[2, 15.0, True, "N"]]  # size ≥ 15
    return with_layers(
        [
            [
                bucket(big, [1], [], {"0": [[]]}),  # empty condition: always matches
                bucket([[1, "r", False, "T"]], [0, 2], [], {"0": [[]], "1": [[]]}),
            ]
        ]
    )


def test_first_matching_bucket_wins() -> None:
    s = snake(routed_model())
    assert s.get_lookalikes({"size": 20, "color": "red"}) == [[1, "B", []]]
    assert s.get_lookalikes({"size": 10, "color": "red"}) == [[0, "A", []], [2, "A", []]]


def test_no_match_without_else_falls_back_to_last_bucket() -> None:
    s = snake(routed_model())
    assert s.get_lookalikes({"size": 10, "color": "blue"}) == [[0, "A", []], [2, "A", []]]
    assert s.get_lookalikes({}) == [[0, "A", []], [2, "A", []]]


def test_empty_routing_condition_matches_everything() -> None:
    d = routed_model()
    d["layers"][0][0]["condition"] = []
    assert snake(d).get_lookalikes({"size": 1}) == [[1, "B", []]]


def test_empty_chain_contributes_nothing() -> None:
    d = with_layers([[], example()["layers"][0]])
    assert snake(d).get_lookalikes({"color": "rose", "size": 12}) == [
        [0, "A", [0]],
        [2, "A", [0]],
    ]


# -- lookalike matching (§5.3) ---------------------------------------------------------------


def test_several_conditions_per_member_keep_file_order_and_no_dedup() -> None:
    clauses = [COLOR_B, SMALL, [[1, "z", False, "T"]]]
    looks = {"2": [[2], [0, 2]], "0": [[0], [1]], "1": [[0, 1, 2]]}
    d = with_layers([[bucket(None, [0, 1, 2], clauses, looks)]])
    s = snake(d)
    # rose/12: clause 0 false, clause 1 true, clause 2 false → falsified {0, 2}
    assert s.get_lookalikes({"color": "rose", "size": 12}) == [
        [2, "A", [2]],
        [2, "A", [0, 2]],
        [0, "A", [0]],
    ]
    assert s.get_probability({"color": "rose", "size": 12}) == {"A": 1.0, "B": 0.0}


def test_same_row_counts_once_per_layer() -> None:
    layer = example()["layers"][0]
    s = snake(with_layers([layer, copy.deepcopy(layer)]))
    out = s.get_lookalikes({"color": "rose", "size": 12})
    assert out == [[0, "A", [0]], [2, "A", [0]]] * 2


def test_labeled_lookalikes_carry_origins() -> None:
    d = example()
    d["layers"][0][0]["origins"] = ["c", "n", "n"]
    s = snake(d)
    assert s.get_lookalikes_labeled({"color": "rose", "size": 12}) == [
        [0, "A", [0], "c"],
        [2, "A", [0], "n"],
    ]


# -- probability, classes, prediction (§5.4–§5.6) ---------------------------------------------


def test_zero_lookalikes_give_uniform_and_first_class() -> None:
    d = with_layers([[bucket(None, [0, 1, 2], [COLOR_B], {"0": [[0]]})]], targets=["B", "C", "A"])
    s = snake(d)
    q = {"color": "blue", "size": 1}
    assert s.get_lookalikes(q) == []
    assert s.get_probability(q) == {"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}
    assert s.get_prediction(q) == "A"


def test_ties_go_to_the_first_sorted_class() -> None:
    d = with_layers(
        [[bucket(None, [0, 1, 2], [], {"0": [[]], "1": [[]], "2": []})]], targets=[2, 1, 3]
    )
    s = snake(d)
    assert s.get_probability({}) == {1: 0.5, 2: 0.5, 3: 0.0}
    assert s.get_prediction({}) == 1


def test_int_and_float_targets_are_one_class() -> None:
    d = with_layers(
        [[bucket(None, [0, 1, 2], [], {"0": [[]], "1": [[]], "2": [[]]})]], targets=[1, 1.0, 0]
    )
    s = snake(d)
    assert s.get_probability({}) == {0: 1 / 3, 1: 2 / 3}
    assert s.get_prediction({}) == 1


def test_strings_sort_by_code_point_not_utf16() -> None:
    targets = ["\U0001f600", "\uffff", "a"]
    d = with_layers([[bucket(None, [0, 1, 2], [], {})]], targets=targets)
    assert list(snake(d).get_probability({})) == ["a", "\uffff", "\U0001f600"]


def test_json_classes_use_canonical_keys_and_raw_predictions() -> None:
    targets = [{"s": "big", "c": "red"}, [0, "a"], {"c": "blue"}]
    looks = {"0": [[]], "1": [], "2": []}
    d = with_layers([[bucket(None, [0, 1, 2], [], looks)]], targets=targets)
    s = snake(d)
    p = s.get_probability({})
    assert list(p) == ['[0, "a"]', '{"c": "blue"}', '{"c": "red", "s": "big"}']
    assert p['{"c": "red", "s": "big"}'] == 1.0
    assert s.get_prediction({}) == {"s": "big", "c": "red"}


def test_unorderable_mixed_classes_get_a_deterministic_order() -> None:
    d = with_layers([[bucket(None, [0, 1, 2], [], {"0": [[]]})]], targets=[{"a": 1}, 5, "x"])
    p = snake(d).get_probability({})
    assert list(p) == ['{"a": 1}', 5, "x"]  # by type name, then text (reference: TypeError)
    assert p['{"a": 1}'] == 1.0


# -- batch and polymorphic calls (§5.7–§5.8) ---------------------------------------------------


QUERIES = [{"color": "rose", "size": 12}, {}, {"color": "blue", "size": 30}, {"size": "x"}]


def test_batches_equal_per_query_calls() -> None:
    s = snake()
    for method in ("get_prediction", "get_probability", "get_lookalikes", "get_lookalikes_labeled"):
        batch = getattr(s, method)(QUERIES)
        assert batch == [getattr(s, method)(q) for q in QUERIES], method


def test_empty_list_gives_empty_list() -> None:
    s = snake()
    assert s.get_prediction([]) == []
    assert s.get_lookalikes([]) == []
    assert s.get_batch_prediction([]) == []


class Frame:
    """A DataFrame-like object: ``to_dict(orient="records")`` and ``columns``."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.columns = sorted({k for r in records for k in r})

    def to_dict(self, orient: str = "dict"):
        if orient == "records":
            return self.records
        return {c: {i: r[c] for i, r in enumerate(self.records)} for c in self.columns}


class ColumnFrame(Frame):
    """A frame whose ``to_dict`` only knows the column-major layout."""

    def to_dict(self):
        return super().to_dict("dict")


def test_dataframe_like_inputs_are_batches() -> None:
    s = snake()
    rows = [{"color": "rose", "size": 12}, {"color": "blue", "size": 30}]
    assert s.get_prediction(Frame(rows)) == ["A", "B"]
    assert s.get_prediction(ColumnFrame(rows)) == ["A", "B"]
    assert s.get_prediction(Frame([])) == []


def test_get_batch_prediction_shape() -> None:
    out = snake().get_batch_prediction(QUERIES[:2])
    assert out[0] == {"prediction": "A", "probability": {"A": 1.0, "B": 0.0}, "confidence": 1.0}
    assert out[1]["confidence"] == 2 / 3


def test_predictor_rejects_a_single_query_as_batch() -> None:
    p = Predictor(model_from_dict(example()))
    with pytest.raises(QueryError, match="predict_one"):
        p.predict({"color": "rose"})
    with pytest.raises(QueryError, match="predict_one"):
        p.predict(5)


def test_predictor_api_matches_facade() -> None:
    model = model_from_dict(example())
    p = Predictor(model)
    answers = p.predict(QUERIES)
    assert [a.prediction for a in answers] == Snake(model).get_prediction(QUERIES)
    assert p.predict_one(QUERIES[0]).to_dict() == answers[0].to_dict()


# -- candles and regression (§5.9) ---------------------------------------------------------------


def numeric_model() -> dict:
    looks = {"0": [[]], "1": [[]], "2": [[0]]}
    return with_layers([[bucket(None, [0, 1, 2], [COLOR_B], looks)]], targets=[1.0, 2.0, 10.0])


def test_candle_and_regression() -> None:
    s = snake(numeric_model())
    c = s.get_candle({"color": "rose"})  # all three match
    assert (c.low, c.q1, c.median, c.q3, c.high, c.n) == (1.0, 1.5, 2.0, 6.0, 10.0, 3)
    assert c.mean == pytest.approx(13 / 3)
    assert c.iqr_mean == 2.0
    assert s.get_regression({"color": "rose"}) == 2.0
    assert s.get_candle({"color": "blue"}).n == 2  # "b" present: clause 0 true → [] conditions only
    assert s.get_batch_regression([{"color": "rose"}]) == [2.0]
    assert s.get_batch_candles([{"color": "rose"}])[0] == c
    assert c.to_dict()["iqr_mean"] == 2.0


def test_candle_skips_non_numeric_and_is_nan_when_empty() -> None:
    d = numeric_model()
    d["targets"] = ["x", "y", "z"]
    for r, t in zip(d["population"], d["targets"], strict=True):
        r["label"] = t
    c = snake(d).get_candle({"color": "rose"})
    assert c.n == 0 and math.isnan(c.iqr_mean) and math.isnan(c.high)
    assert math.isnan(snake(d).get_regression({"color": "rose"}))


# -- validation pruning (§5.11) -------------------------------------------------------------------


def two_layer_model() -> dict:
    good = example()["layers"][0]
    bad = [bucket(None, [0, 1, 2], [], {"0": [], "1": [[]], "2": []})]  # always votes B
    return with_layers([bad, good])


def test_make_validation_keeps_best_layers_in_order() -> None:
    s = snake(two_layer_model())
    rows = [{"label": "A", "color": "rose", "size": 12}, {"label": "A", "color": "red", "size": 9}]
    s.make_validation(rows, pruning_coef=0.5)
    assert s.n_layers == 1 and len(s.layers) == 1
    assert s.layers[0][0]["clauses"] == [COLOR_B, SMALL]
    assert s.get_probability({"color": "rose", "size": 12}) == {"A": 1.0, "B": 0.0}


def test_make_validation_compares_targets_with_equality_and_skips_unlabelled() -> None:
    s = snake(two_layer_model())
    s.make_validation([{"label": "B"}, {"color": "red"}], pruning_coef=0.5)
    assert len(s.layers) == 1 and s.layers[0][0]["clauses"] == []  # the always-B layer


def test_make_validation_keeps_at_least_one_layer_and_works_stripped() -> None:
    d = two_layer_model()
    d["population"] = []
    s = snake(d)
    s.make_validation({"label": "A", "color": "rose", "size": 12}, pruning_coef=0.1)
    assert len(s.layers) == 1 and s.model.config["n_layers"] == 1


@pytest.mark.parametrize("coef", [0, -1, math.nan, math.inf])
def test_make_validation_rejects_bad_coefficients(coef) -> None:
    with pytest.raises(ParameterError):
        snake().make_validation([{"label": "A"}], pruning_coef=coef)


@pytest.mark.parametrize("coef", ["0.5", None, True])
def test_make_validation_rejects_non_numbers(coef) -> None:
    with pytest.raises(QueryError):
        snake().make_validation([{"label": "A"}], pruning_coef=coef)


# -- primitives and attributes (§6.1) --------------------------------------------------------------


def test_apply_literal_and_clause_use_raw_values() -> None:
    s = snake()
    assert s.apply_literal({"size": 12.0}, SMALL[0]) is True
    assert s.apply_literal({"size": "12"}, SMALL[0]) is False  # raw string: not a number
    assert s.apply_clause({"color": "blue"}, [SMALL[0], COLOR_B[0]]) is True
    assert s.apply_clause({}, []) is False


@pytest.mark.parametrize(
    "bad",
    [[9, 1.0, False, "N"], [1, 1.0, False], [1, 1.0, False, ["N"]], "N", [1, "x", False, "N"]],
)
def test_apply_literal_rejects_malformed_literals(bad) -> None:
    with pytest.raises(ModelFormatError):
        snake().apply_literal({"color": "x"}, bad)
    with pytest.raises(ModelFormatError):
        snake().apply_clause({"color": "x"}, [bad])


def test_attributes_and_repr() -> None:
    s = snake()
    assert repr(s) == "Snake(target='label', population=3, layers=1)"
    assert s.header == ["label", "color", "size"] and s.target == "label"
    assert s.classes == ["A", "B"]
    assert (s.lookahead, s.oppose_profile, s.workers) == (5, "balanced", 1)
    s.log = "new log"
    assert s.log == "new log"
