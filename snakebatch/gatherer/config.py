"""Gatherer configuration, read once from the environment at app creation.

Everything a deployment tunes (limits, keys, backend, where docs live) is here so the
routes stay free of ``os.environ`` lookups and tests can build an app from a plain
object instead of patching the process environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from snakebatch.ops.quotas import PREDECESSOR_QUOTAS
from snakebatch.settings import Settings, env_name

MB = 1024 * 1024
REPO_DOCS = Path(__file__).resolve().parents[2] / "docs"


@dataclass(frozen=True)
class Limits:
    """Request-size and rate limits; defaults sized for a t4g.2xlarge gatherer."""

    upload_bytes: int = 512 * MB
    train_body_bytes: int = 64 * MB
    predict_body_bytes: int = 16 * MB
    predict_rows: int = 100_000
    train_per_minute: float = 30.0
    train_burst: int = 10
    fanout_rows: int = 20_000


@dataclass(frozen=True)
class GathererConfig:
    settings: Settings
    api_keys: tuple[str, ...] = ()
    keys_file: Path | None = None
    limits: Limits = field(default_factory=Limits)
    docs_dir: Path = REPO_DOCS
    cors_origins: tuple[str, ...] = ()
    drainer_threads: int = 2
    spawn_budget_per_s: float = PREDECESSOR_QUOTAS.scaling_rate_per_s

    @property
    def home(self) -> Path:
        return self.settings.home

    @classmethod
    def from_env(cls, environ: dict | None = None) -> GathererConfig:
        env = os.environ if environ is None else environ
        keys = tuple(k.strip() for k in env.get(env_name("api_keys"), "").split(",") if k.strip())
        keys_file = env.get("SNAKEBATCH_API_KEYS_FILE")
        defaults = Limits()
        limits = Limits(
            upload_bytes=int(env.get("SNAKEBATCH_MAX_UPLOAD_BYTES", defaults.upload_bytes)),
            train_body_bytes=int(env.get("SNAKEBATCH_MAX_TRAIN_BYTES", defaults.train_body_bytes)),
            train_per_minute=float(
                env.get("SNAKEBATCH_TRAIN_PER_MINUTE", defaults.train_per_minute)
            ),
            train_burst=int(env.get("SNAKEBATCH_TRAIN_BURST", defaults.train_burst)),
        )
        cors = tuple(o.strip() for o in env.get("SNAKEBATCH_CORS_ORIGINS", "").split(",") if o)
        return cls(
            settings=Settings.from_env(env),
            api_keys=keys,
            keys_file=Path(keys_file) if keys_file else None,
            limits=limits,
            docs_dir=Path(env.get("SNAKEBATCH_DOCS_DIR") or REPO_DOCS),
            cors_origins=cors,
            drainer_threads=int(env.get("SNAKEBATCH_DRAINER_THREADS", "2")),
        )
