"""Build networks from a short description, and rebuild them from saved configurations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from model._random import RandomLike, as_generator
from model.activations import ACTIVATIONS
from model.features import RAW_FEATURES, InputFeatures
from model.layers import Dense, Dropout, Layer
from model.losses import LOSSES, BinaryCrossentropy, CategoricalCrossentropy, Loss, MeanSquaredError
from model.network import LAYER_TYPES, Network

#: Output activation and loss for each kind of task.
TASK_OUTPUTS: dict[str, tuple[str, type[Loss]]] = {
    "classification": ("softmax", CategoricalCrossentropy),
    "binary": ("sigmoid", BinaryCrossentropy),
    "regression": ("linear", MeanSquaredError),
}
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def _per_layer(name: str, value: Any, n: int) -> list[Any]:
    """A scalar for every hidden layer, or a list with one value per hidden layer."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} needs one value per hidden layer ({n}), got {len(value)}")
        return list(value)
    return [value] * n


def build_network(
    n_inputs: int,
    n_outputs: int,
    hidden: Sequence[int] = (64,),
    *,
    task: str = "classification",
    activation: str | Sequence[str] = "relu",
    dropout: float | Sequence[float] = 0.0,
    weight_l1: float | Sequence[float] = 0.0,
    weight_l2: float | Sequence[float] = 0.0,
    bias_l1: float | Sequence[float] = 0.0,
    bias_l2: float | Sequence[float] = 0.0,
    init: str = "nnfs",
    rng: RandomLike = None,
    dtype: np.dtype | type = np.float64,
    features: Sequence[str] | None = None,
) -> Network:
    """A multilayer perceptron: ``Dense -> activation [-> Dropout]`` per hidden layer, then
    the output layer and loss the task calls for (softmax + categorical cross-entropy,
    sigmoid + binary cross-entropy, or linear + mean squared error).

    Regularization applies to the hidden layers, as in the book's examples. ``features``
    (TF Playground's x1^2, x1*x2, sin(x1)..., see model/features.py) puts an
    ``InputFeatures`` layer in front; None, or the raw coordinates in order, adds none.
    """
    if task not in TASK_OUTPUTS:
        raise ValueError(f"task must be one of {', '.join(TASK_OUTPUTS)}, got {task!r}")
    hidden = list(hidden)
    for width in hidden:
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
            raise ValueError(f"hidden layer sizes must be integers >= 1, got {width!r}")
    n = len(hidden)
    activations = _per_layer("activation", activation, n)
    for act in activations:
        if act not in HIDDEN_ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, got {act!r}"
            )
    dropouts = _per_layer("dropout", dropout, n)
    regs = {
        key: _per_layer(key, value, n)
        for key, value in (
            ("weight_regularizer_l1", weight_l1),
            ("weight_regularizer_l2", weight_l2),
            ("bias_regularizer_l1", bias_l1),
            ("bias_regularizer_l2", bias_l2),
        )
    }
    gen = as_generator(rng)
    layers: list[Layer] = []
    width_in = n_inputs
    if features is not None and tuple(features) != RAW_FEATURES[:n_inputs]:
        layers.append(InputFeatures(features, n_inputs))
        width_in = layers[0].n_outputs
    for i, width in enumerate(hidden):
        layer_regs = {key: values[i] for key, values in regs.items()}
        layers.append(Dense(width_in, width, rng=gen, init=init, dtype=dtype, **layer_regs))
        layers.append(ACTIVATIONS[activations[i]]())
        if dropouts[i]:
            layers.append(Dropout(dropouts[i], rng=gen))
        width_in = width
    out_activation, loss_cls = TASK_OUTPUTS[task]
    layers.append(Dense(width_in, n_outputs, rng=gen, init=init, dtype=dtype))
    layers.append(ACTIVATIONS[out_activation]())
    return Network(layers, loss_cls(), dtype=dtype)


def layer_from_config(config: dict[str, Any], rng: RandomLike = None) -> Layer:
    """Rebuild one layer from ``Layer.config()`` output (weights start fresh)."""
    config = dict(config)
    kind = config.pop("type", None)
    if kind not in LAYER_TYPES:
        raise ValueError(f"layer type must be one of {', '.join(LAYER_TYPES)}, got {kind!r}")
    if kind == "Dense":
        n_inputs = config.pop("n_inputs", None)
        n_neurons = config.pop("n_neurons", None)
        return Dense(n_inputs, n_neurons, rng=rng, **config)
    if kind == "InputFeatures":
        features = config.pop("features", None)
        n_inputs = config.pop("n_inputs", 2)
        if config:
            raise ValueError(
                f"layer InputFeatures takes only 'features' and 'n_inputs', got "
                f"{', '.join(sorted(config))}"
            )
        if not isinstance(features, list):
            raise ValueError(f"layer InputFeatures needs a list of features, got {features!r}")
        return InputFeatures(features, n_inputs)
    if kind == "Dropout":
        rate = config.pop("rate", None)
        if config:
            raise ValueError(f"layer Dropout takes only 'rate', got {', '.join(sorted(config))}")
        return Dropout(rate, rng=rng)
    if config:
        raise ValueError(f"layer {kind} takes no settings, got {', '.join(sorted(config))}")
    return LAYER_TYPES[kind]()


def network_from_config(config: dict[str, Any], rng: RandomLike = None) -> Network:
    """Rebuild a network from ``Network.config()`` output (weights start fresh)."""
    if not isinstance(config, dict) or "layers" not in config or "loss" not in config:
        raise ValueError("a network configuration needs 'layers' and 'loss'")
    gen = as_generator(rng)
    try:
        layers = [layer_from_config(c, gen) for c in config["layers"]]
    except TypeError as exc:
        raise ValueError(f"bad layer settings: {exc}") from None
    loss_config = dict(config["loss"])
    kind = loss_config.pop("type", None)
    if kind not in LOSSES:
        raise ValueError(f"loss type must be one of {', '.join(LOSSES)}, got {kind!r}")
    if loss_config:
        raise ValueError(f"loss {kind} takes no settings, got {', '.join(sorted(loss_config))}")
    dtype = config.get("dtype", "float64")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
    return Network(layers, LOSSES[kind](), dtype=np.dtype(dtype))
