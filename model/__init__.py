"""Backprop Lab's engine: a small, exact, fast neural-network library in numpy.

The names follow *Neural Networks from Scratch in Python*: ``forward`` sets ``output``,
``backward`` sets ``dinputs`` (and ``dweights`` / ``dbiases`` on a ``Dense`` layer).
Nothing here imports Qt.
"""

from model.activations import Linear, ReLU, Sigmoid, Softmax, Tanh
from model.build import build_network, network_from_config
from model.datasets import (
    DATASETS,
    Dataset,
    DatasetError,
    circles,
    gaussian_blobs,
    load_csv,
    make_dataset,
    moons,
    sine,
    spiral,
    train_validation_split,
    vertical,
    xor,
)
from model.features import FEATURES, InputFeatures
from model.gradcheck import GradCheckResult, LayerCheck, gradient_check
from model.grid import BoundaryGrid, boundary_grid
from model.layers import Dense, Dropout
from model.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    SoftmaxCategoricalCrossentropy,
)
from model.network import Network, StepResult
from model.optimizers import SGD, Adagrad, Adam, Optimizer, RMSprop, optimizer_from_config
from model.persist import LoadedModel, ModelFileError, load_model, save_model
from model.trainer import EpochStats, LayerStats, Trainer, TrainingDiverged

__all__ = [
    "DATASETS",
    "FEATURES",
    "SGD",
    "Adagrad",
    "Adam",
    "BinaryCrossentropy",
    "BoundaryGrid",
    "CategoricalCrossentropy",
    "Dataset",
    "DatasetError",
    "Dense",
    "Dropout",
    "EpochStats",
    "GradCheckResult",
    "InputFeatures",
    "LayerCheck",
    "LayerStats",
    "Linear",
    "LoadedModel",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "ModelFileError",
    "Network",
    "Optimizer",
    "RMSprop",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "SoftmaxCategoricalCrossentropy",
    "StepResult",
    "Tanh",
    "Trainer",
    "TrainingDiverged",
    "boundary_grid",
    "build_network",
    "circles",
    "gaussian_blobs",
    "gradient_check",
    "load_csv",
    "load_model",
    "make_dataset",
    "moons",
    "network_from_config",
    "optimizer_from_config",
    "save_model",
    "sine",
    "spiral",
    "train_validation_split",
    "vertical",
    "xor",
]
