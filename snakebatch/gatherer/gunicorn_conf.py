"""Gunicorn settings for the gatherer, as production runs it (``snakebatch serve`` too).

Uvicorn workers serve the ASGI app; the app elects one host leader among them for the
drainer and the local mesh pool, so the worker count only scales request handling.
Every value can be overridden from the environment the systemd unit or the CLI sets.
"""

import logging
import os

from snakebatch.gatherer.auth import KeyRing, check_bind
from snakebatch.gatherer.config import GathererConfig

_host = os.environ.get("SNAKEBATCH_HOST", "127.0.0.1")
_port = os.environ.get("SNAKEBATCH_PORT", "8080")

bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
workers = int(os.environ.get("SNAKEBATCH_WORKERS", "2"))
worker_class = "uvicorn.workers.UvicornWorker"
timeout = 120
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("SNAKEBATCH_LOG_LEVEL", "info")
wsgi_app = "snakebatch.gatherer.app:app_from_env()"


def on_starting(server):
    """Refuse a public bind without API keys before any socket is opened."""
    config = GathererConfig.from_env()
    check_bind(_host, KeyRing.load(config.api_keys, config.keys_file))


def post_worker_init(worker):
    """Route the app's own log lines (resumed jobs, drainer faults) to gunicorn's log."""
    log = logging.getLogger("snakebatch")
    log.setLevel(loglevel.upper())
    for handler in worker.log.error_log.handlers:
        log.addHandler(handler)
