"""The gatherer: HTTP API, live grid and pages in front of the mesh coordinator."""

from snakebatch.gatherer.app import create_app
from snakebatch.gatherer.config import GathererConfig, Limits

__all__ = ["GathererConfig", "Limits", "create_app"]
