"""The one drain policy, as the CLI's coordinator and the gatherer's drainer both run it."""

from __future__ import annotations

import pytest

from snakebatch.backends.base import JobRecord, StoreFailed
from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.backends.local_queue import SqliteQueue
from snakebatch.mesh.coordinator import Coordinator
from snakebatch.mesh.drainer import DEFAULT_MAX_RECEIVES, Drainer
from snakebatch.mesh.reports import ReportError


@pytest.fixture
def coordinator(tmp_path):
    backend = LocalBackend(tmp_path, workers=0)
    jobs = SqliteJobStore(backend.jobs_path)
    jobs.create(JobRecord("m1", "running", {"n_layers": 1}, n_rows=10, created_at=1.0))
    yield Coordinator(backend, jobs)
    backend.close()


@pytest.mark.parametrize(
    ("report", "reason"),
    [
        ({"kind": "leaf", "model_id": "m1", "layer": 0}, "leaf report lacks leaf_id"),
        ({"kind": "error", "model_id": "m1"}, "error report lacks error"),
        ({"kind": "rumour", "model_id": "m1"}, "unknown report kind 'rumour'"),
    ],
)
def test_a_report_the_coordinator_cannot_use_fails_its_job_visibly(coordinator, report, reason):
    coordinator.backend.reports.send(report)
    assert coordinator.drain_once(wait_s=0.5) == 1
    status = coordinator.status("m1")
    assert status.state == "failed"
    assert "report could not be ingested: ReportError" in status.error
    assert reason in status.error
    assert coordinator.backend.reports.depth() == 0


def test_the_cli_and_the_gatherer_share_one_receive_limit(coordinator):
    assert coordinator.drainer.max_receives == DEFAULT_MAX_RECEIVES
    assert Drainer(coordinator.backend.reports, coordinator.ingest).max_receives == (
        DEFAULT_MAX_RECEIVES
    )


class Failing:
    """An ingest that always raises ``error``, counting its calls."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0
        self.failures: list[dict] = []

    def __call__(self, body: dict) -> None:
        if body.get("attempts") is not None:
            self.failures.append(body)
            return
        self.calls += 1
        raise self.error


@pytest.mark.parametrize(
    ("error", "attempts"),
    [
        (ReportError("unknown report kind"), 1),  # permanent by type: no retry
        (StoreFailed("disk full"), DEFAULT_MAX_RECEIVES),  # retryable by type
        (RuntimeError("unforeseen"), DEFAULT_MAX_RECEIVES),  # unknown: retried, bounded
        (TypeError("not a guess from the class any more"), DEFAULT_MAX_RECEIVES),
    ],
)
def test_retry_or_give_up_follows_the_flag_on_the_type(tmp_path, error, attempts):
    queue = SqliteQueue(tmp_path / "q.sqlite", "reports", visibility_timeout_s=300)
    queue.send({"kind": "leaf", "model_id": "m1"})
    ingest = Failing(error)
    drainer = Drainer(queue, ingest, wait_s=2.0, retry_delay_s=0)
    while drainer.stats.poisoned == 0:
        drainer.drain_once()
    assert ingest.calls == attempts
    assert drainer.stats.retried == attempts - 1
    [failure] = ingest.failures
    assert failure["model_id"] == "m1" and type(error).__name__ in failure["error"]
    assert queue.depth() == 0
