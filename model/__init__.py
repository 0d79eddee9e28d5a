"""Backprop Lab's engine: a small, exact, fast neural-network library in numpy.

The names follow *Neural Networks from Scratch in Python*: ``forward`` sets ``output``,
``backward`` sets ``dinputs`` (and ``dweights`` / ``dbiases`` on a ``Dense`` layer).
Nothing here imports Qt.
"""

from model.activations import Linear, ReLU, Sigmoid, Softmax, Tanh
from model.build import build_network, network_from_config
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

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Dense",
    "Dropout",
    "Linear",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Network",
    "Optimizer",
    "RMSprop",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "SoftmaxCategoricalCrossentropy",
    "StepResult",
    "Tanh",
    "build_network",
    "network_from_config",
    "optimizer_from_config",
]
