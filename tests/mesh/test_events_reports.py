"""Pure mesh logic: event validation, path ids/order/seeds/shards, reports, retries."""

from __future__ import annotations

import pytest

from snakebatch.backends.local import LocalBackend
from snakebatch.mesh.events import (
    MeshEventError,
    full_condition,
    node_rng,
    node_shard,
    parse_node_event,
    path_id,
    path_order,
)
from snakebatch.mesh.reports import (
    ReportError,
    RetryPolicy,
    call_with_retry,
    check_message,
    leaf_report,
    load_leaf,
    report_key,
    send_report,
)

LIT_A = [1, 15.0, False, "N"]
LIT_B = [2, "x", True, "T"]


def _event(**over):
    event = {
        "role": "divide",
        "model_id": "m1",
        "layer": 0,
        "path": [],
        "params": {
            "tau": 10,
            "bucket": 5,
            "lookahead": 5,
            "seed": 0,
            "completion": "queue",
            "noise": 0.25,
        },
        "package_key": "jobs/m1/pop.json.gz",
    }
    event.update(over)
    return event


def _with_noise(noise):
    event = _event()
    event["params"] = {**event["params"], "noise": noise}
    return event


def test_an_event_without_noise_predates_it_and_trains_without():
    event = _event()
    del event["params"]["noise"]
    assert parse_node_event(event).params.noise == 0.0
    assert parse_node_event(_with_noise(0)).params.noise == 0.0


def test_a_valid_event_round_trips():
    event = _event(path=[[LIT_A, True]], ack_key="k")
    assert parse_node_event(event).to_dict() == event


def test_a_backend_that_stores_report_bodies_gets_pointers_with_counts(tmp_path):
    backend = LocalBackend(tmp_path, workers=0)
    report = leaf_report("m", 0, [[LIT_A, True]], 3, [{"condition": None, "members": [1, 2, 3]}])
    send_report(backend, report)
    (got,) = backend.reports.receive(10, wait_s=0)
    key = report_key("m", 0, report["leaf_id"])
    assert got.body["body_key"] == key and got.body["n_buckets"] == 1
    assert "buckets" not in got.body and got.body["n_rows"] == 3
    assert load_leaf(backend.store, got.body) == report


def test_leaf_reports_carry_buckets_in_the_model_writers_shape():
    report = leaf_report("m", 0, [], 2, [{"condition": None, "members": [4, 5]}])
    assert report["buckets_as_model"] is True and list(report)[-1] == "buckets"
    assert report["buckets"] == [
        {
            "condition": None,
            "members": [4, 5],
            "origins": ["c", "c"],
            "clauses": [],
            "lookalikes": {},
        }
    ]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("not a dict", "JSON object"),
        (_event(role="conquest"), "not a training role"),
        (_event(layer=-1), "layer"),
        (_event(layer=True), "layer"),
        ({k: v for k, v in _event().items() if k != "model_id"}, "model_id"),
        (_event(path=[[LIT_A]]), "path step"),
        (_event(path=[[[1, 2], True]]), "literal"),
        (_event(path=[[LIT_A, "yes"]]), "path step"),
        (
            _event(
                params={"tau": 0, "bucket": 5, "lookahead": 5, "seed": 0, "completion": "queue"}
            ),
            "tau",
        ),
        (
            _event(params={"tau": 1, "bucket": 5, "lookahead": 5, "seed": 0, "completion": "x"}),
            "completion",
        ),
        (_event(params={"bucket": 5}), "completion"),
        (_event(ack_key=3), "ack_key"),
        (_with_noise("0.25"), "noise must be a number in .* got '0.25'"),
        (_with_noise(True), "noise must be a number in .* got True"),
        (_with_noise(None), "noise must be a number in .* got None"),
        (_with_noise(1.5), r"noise must be a number in \[0, 1\]"),
        (_with_noise(-0.1), "noise must be"),
        (_with_noise(float("nan")), "noise must be"),
    ],
)
def test_malformed_events_are_typed_errors(event, message):
    with pytest.raises(MeshEventError, match=message):
        parse_node_event(event)


def test_path_ids_orders_and_seeds_are_stable_and_distinct():
    left, right = [[LIT_A, True]], [[LIT_A, False]]
    assert path_id(left) == path_id([[list(LIT_A), True]])
    assert path_id(left) != path_id(right) != path_id([])
    assert path_order(left) < path_order(right)
    assert path_order([[LIT_A, True], [LIT_B, False]]) < path_order(right)
    a = node_rng(3, 1, left, "leaf").random()
    assert a == node_rng(3, 1, left, "leaf").random()
    assert a != node_rng(3, 1, right, "leaf").random()
    assert a != node_rng(4, 1, left, "leaf").random()
    assert a != node_rng(3, 2, left, "leaf").random()
    assert a != node_rng(3, 1, left, "divide").random()
    shards = {node_shard("m", layer, [], 100) for layer in range(20)}
    assert len(shards) > 10 and all(0 <= s < 100 for s in shards)
    assert node_shard("m", 0, left, 100) == node_shard("m", 0, [[list(LIT_A), True]], 100)


def test_full_condition_negates_false_steps_and_keeps_else():
    path = [[LIT_A, True], [LIT_B, False]]
    assert full_condition(path, [[3, 1.0, False, "N"]]) == [
        LIT_A,
        [2, "x", False, "T"],
        [3, 1.0, False, "N"],
    ]
    assert full_condition(path, None) == [LIT_A, [2, "x", False, "T"]]
    assert full_condition([], None) is None
    assert full_condition([], []) is None


def test_small_reports_travel_inline_and_large_ones_spill(tmp_path):
    backend = LocalBackend(tmp_path, workers=0, max_report_bytes=2048, store_report_bodies=False)
    small = leaf_report("m", 0, [[LIT_A, True]], 3, [{"condition": None, "members": [1, 2, 3]}])
    send_report(backend, small)
    big_buckets = [{"condition": None, "members": list(range(2000))}]
    big = leaf_report("m", 1, [[LIT_A, False]], 2000, big_buckets)
    send_report(backend, big)
    got = backend.reports.receive(10, wait_s=0)
    assert got[0].body == small
    assert "buckets" not in got[1].body
    assert got[1].body["body_key"] == report_key("m", 1, big["leaf_id"])
    assert len(str(got[1].body)) < 2048
    assert load_leaf(backend.store, got[1].body) == big


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ([], "JSON object"),
        ({"kind": "mystery"}, "unknown report kind"),
        ({"kind": "leaf", "model_id": "m"}, "lacks layer"),
        ({"kind": "error", "error": "x"}, "lacks model_id"),
        (
            {"kind": "leaf", "model_id": "m", "layer": 0, "leaf_id": "a", "order": "", "n_rows": 1},
            "neither buckets nor body_key",
        ),
    ],
)
def test_bad_report_messages_are_typed_errors(message, text):
    with pytest.raises(ReportError, match=text):
        check_message(message)


def test_retry_succeeds_after_transient_failures_with_backoff():
    calls, slept = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise OSError("store briefly unavailable")
        return "ok"

    policy = RetryPolicy(attempts=3, base_delay_s=0.1, factor=2.0, max_delay_s=1.0)
    assert call_with_retry(flaky, policy, sleep=slept.append) == ("ok", None, 3)
    assert slept == [0.1, 0.2]


def test_retry_gives_up_with_the_last_error():
    def broken():
        raise ValueError("bad slice")

    result, exc, attempts = call_with_retry(broken, RetryPolicy(attempts=2), sleep=lambda s: None)
    assert result is None and isinstance(exc, ValueError) and attempts == 2
    with pytest.raises(ValueError, match="invalid retry policy"):
        RetryPolicy(attempts=0)


def test_retry_returns_a_permanent_error_at_once():
    """A malformed event fails the same way every time: no second try, no backoff."""
    calls, slept = [], []

    def malformed():
        calls.append(1)
        raise MeshEventError("event has no 'path' field")

    result, exc, attempts = call_with_retry(malformed, RetryPolicy(attempts=3), sleep=slept.append)
    assert result is None and isinstance(exc, MeshEventError)
    assert (attempts, len(calls), slept) == (1, 1, [])
