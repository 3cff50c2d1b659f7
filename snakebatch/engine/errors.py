"""Typed errors of the engine.

The reference ends the process or raises bare built-in errors; here every failure a
caller can provoke has its own class, so callers (CLI, mesh, gatherer) can tell a bad
model from a bad query from a bad training set without parsing messages. Each class
also derives from the built-in error a Python user would expect, so ``except
ValueError`` keeps working.
"""

from __future__ import annotations


class SnakeError(Exception):
    """Base class of every error the engine raises on purpose."""


class ModelFormatError(SnakeError, ValueError):
    """A model file or object does not follow the model format (spec §1)."""


class ModelNotFoundError(SnakeError, FileNotFoundError):
    """A model path does not name a readable file."""


class PopulationRequiredError(SnakeError, RuntimeError):
    """The operation needs the training rows, which a stripped model leaves out (§1.6)."""


class QueryError(SnakeError, TypeError):
    """A query is not a mapping (or a batch of mappings) the engine can evaluate."""


class DataError(SnakeError, ValueError):
    """Training input that cannot become a population: wrong shape, empty, bad target."""


class EmptyDataError(DataError):
    """Training input with no rows."""


class TargetError(DataError):
    """The target column is unknown, or its values cannot be ordered or typed."""


class LayerVerificationError(SnakeError, RuntimeError):
    """A trained layer breaks the lookalike contract (§4.10): a wrong-class lookalike."""


class ParameterError(SnakeError, ValueError):
    """An argument is out of its documented range (e.g. a pruning coefficient of 0)."""


class UnsupportedError(SnakeError, NotImplementedError):
    """A reference feature this engine deliberately leaves out (e.g. LLM narration)."""
