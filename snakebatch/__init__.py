"""SnakeBatch: distributed training of Snake models; ``Snake`` is the local-first client."""

from typing import Any

__all__ = ["Snake"]


def __getattr__(name: str) -> Any:
    """Import the SDK on first use so ``import snakebatch.settings`` stays light (Lambda)."""
    if name == "Snake":
        from snakebatch.sdk import Snake

        return Snake
    raise AttributeError(f"module 'snakebatch' has no attribute {name!r}")
