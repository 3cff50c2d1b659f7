"""Everything a request handler needs, built once per process from the configuration.

The backend (local mesh or AWS), the job store, the coordinator, uploads (published to
the backend's store, so any instance can train on them), the model cache, rate limits
and keys. The host leader (``leader.py``) additionally runs the local worker pool, the
report drainer and ``Coordinator.resume()``; the other gunicorn workers only submit work
and read state, which every backend shares through its store (SQLite files locally,
S3/SQS/DynamoDB on aws).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from snakebatch.backends.base import Backend, Closable, JobStore
from snakebatch.backends.factory import open_backend
from snakebatch.gatherer.auth import KeyRing
from snakebatch.gatherer.config import GathererConfig
from snakebatch.gatherer.leader import HostLeader
from snakebatch.gatherer.models import ModelCache
from snakebatch.gatherer.ratelimit import KeyedRateLimiter
from snakebatch.gatherer.spawnmeter import SpawnMeter
from snakebatch.gatherer.uploads import UploadStore

if TYPE_CHECKING:
    from snakebatch.mesh.coordinator import Coordinator
    from snakebatch.mesh.drainer import Drainer

log = logging.getLogger("snakebatch.gatherer")
RETRY_S = 5.0


@dataclass
class Runtime:
    config: GathererConfig
    keys: KeyRing
    backend: Backend
    jobs: JobStore
    coordinator: Coordinator
    uploads: UploadStore
    models: ModelCache
    limiter: KeyedRateLimiter
    spawn: SpawnMeter
    local_workers: int = 2
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    leader: HostLeader | None = None
    drainer: Drainer | None = None

    @classmethod
    def open(cls, config: GathererConfig, *, local_workers: int = 2) -> Runtime:
        from snakebatch.mesh.coordinator import Coordinator

        keys = KeyRing.load(config.api_keys, config.keys_file)
        backend, jobs = open_backend(config.settings)
        return cls(
            config=config,
            keys=keys,
            backend=backend,
            jobs=jobs,
            coordinator=Coordinator(backend, jobs),
            uploads=UploadStore(config.home / "uploads", config.limits.upload_bytes, backend.store),
            models=ModelCache(config.home / "model-cache"),
            limiter=KeyedRateLimiter(config.limits.train_per_minute, config.limits.train_burst),
            spawn=SpawnMeter(
                lambda: sum(s.get("invoked", 0) for s in backend.shard_stats()),
                config.spawn_budget_per_s,
            ),
            local_workers=local_workers,
        )

    def start(self) -> None:
        """Sample the spawn rate here; campaign for host leadership for the rest."""
        self._spawn_thread("spawn-meter", self._sample_loop)
        self.leader = HostLeader(self.config.home / "gatherer.leader.lock", self._lead)
        self.leader.start()

    def _lead(self) -> None:
        """Elected: run the leader's duties in the background so an unreachable backend
        (AWS down, credentials missing) delays them instead of failing the worker."""
        self._spawn_thread("leader", self._leader_duties)

    def _leader_duties(self) -> None:
        from snakebatch.backends.local import LocalBackend
        from snakebatch.mesh.drainer import Drainer

        if isinstance(self.backend, LocalBackend) and self.local_workers > 0:
            self.backend.workers = self.local_workers
            self.backend.start()
        while not self._stop.is_set():
            try:
                resumed = self.coordinator.resume()
                break
            except Exception:
                log.exception("resume failed; retrying in %.0fs", RETRY_S)
                self._stop.wait(RETRY_S)
        else:
            return
        if resumed:
            log.info("resumed %d unfinished jobs: %s", len(resumed), ", ".join(resumed))
        with self._lock:
            if self._stop.is_set():
                return
            self.drainer = Drainer(
                self.backend.reports,
                self.coordinator.ingest,
                threads=self.config.drainer_threads,
                wait_s=1.0,
            ).start()

    def duties(self) -> dict[str, Any]:
        """What this process does for the host: for ``/v9/health``."""
        leader = bool(self.leader and self.leader.is_leader)
        drainer = self.drainer
        return {
            "leader": leader,
            "draining": drainer is not None,
            "drainer": asdict(drainer.stats) if drainer is not None else None,
        }

    def _spawn_thread(self, name: str, target: Any) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def _sample_loop(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.spawn.sample()
            except Exception:
                log.exception("spawn meter: could not read shard stats")

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
        if self.drainer is not None:
            try:
                self.drainer.stop(timeout_s=10)
            except Exception:
                log.exception("drainer did not stop cleanly; unacked reports will be redelivered")
        for t in self._threads:
            t.join(timeout=10)
        if self.leader is not None:
            self.leader.stop()
        if isinstance(self.backend, Closable):
            self.backend.close()
