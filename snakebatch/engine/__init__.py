"""The Snake engine: train, load, save and serve Snake models.

``from snakebatch.engine import Snake`` gives the reference library's surface;
``Predictor`` is the serving API beside it.
"""

from snakebatch.engine.candles import Candle, compute_candle
from snakebatch.engine.datatypes import floatconversion
from snakebatch.engine.errors import (
    DataError,
    EmptyDataError,
    LayerVerificationError,
    ModelFormatError,
    ModelNotFoundError,
    ParameterError,
    PopulationRequiredError,
    QueryError,
    SnakeError,
    TargetError,
    UnsupportedError,
)
from snakebatch.engine.model import WRITER_VERSION, SnakeModel
from snakebatch.engine.modelio import load_model, save_model
from snakebatch.engine.predictor import Prediction, Predictor
from snakebatch.engine.snake import Snake

__version__ = WRITER_VERSION

__all__ = [
    "Candle",
    "DataError",
    "EmptyDataError",
    "LayerVerificationError",
    "ModelFormatError",
    "ModelNotFoundError",
    "ParameterError",
    "PopulationRequiredError",
    "Prediction",
    "Predictor",
    "QueryError",
    "Snake",
    "SnakeError",
    "SnakeModel",
    "TargetError",
    "UnsupportedError",
    "__version__",
    "compute_candle",
    "floatconversion",
    "load_model",
    "save_model",
]
