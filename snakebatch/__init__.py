"""SnakeBatch: distributed training of Snake models.

``snakebatch.SnakeClient`` is the local-first client (the SDK); the engine's own model
class is ``snakebatch.engine.Snake``.
"""

from typing import Any

__all__ = ["SnakeClient"]


def __getattr__(name: str) -> Any:
    """Import the SDK on first use so ``import snakebatch.settings`` stays light (Lambda)."""
    if name == "SnakeClient":
        from snakebatch.sdk import SnakeClient

        return SnakeClient
    raise AttributeError(f"module 'snakebatch' has no attribute {name!r}")
