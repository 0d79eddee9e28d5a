"""``InputFeatures``: TensorFlow Playground's input features, as the network's first layer.

Playground lets a learner feed the network more than the raw coordinates: x1², x2², x1·x2,
sin(x1), sin(x2). With x1² + x2² among its inputs a network with no hidden layer at all
separates the circles; with only x1 and x2 it cannot. Here the features are a layer without
parameters at the front of the network, so everything that takes raw points (training,
prediction, the decision boundary, a saved model) applies them the same way.

Our datasets span about [-1, 1] (Playground's span [-6, 6]), where sin(x) is nearly a
straight line; the sine features therefore use ``sin(pi * x)``: one full period across the
plane, as Playground's sin(x) has about two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from model.layers import Layer

#: Every feature: its name, the input columns it reads, and a one-line description.
FEATURES: dict[str, tuple[tuple[int, ...], str]] = {
    "x1": ((0,), "the first coordinate"),
    "x2": ((1,), "the second coordinate"),
    "x1^2": ((0,), "the first coordinate squared"),
    "x2^2": ((1,), "the second coordinate squared"),
    "x1*x2": ((0, 1), "the product of the coordinates"),
    "sin(x1)": ((0,), "sin(pi * x1): one period across the plane"),
    "sin(x2)": ((1,), "sin(pi * x2): one period across the plane"),
}
#: What a network sees when no features are chosen: the raw coordinates.
RAW_FEATURES = ("x1", "x2")


def features_for(n_inputs: int) -> tuple[str, ...]:
    """The features that data with ``n_inputs`` columns (1 or 2) can offer."""
    return tuple(name for name, (cols, _) in FEATURES.items() if max(cols) < n_inputs)


def check_features(names: Sequence[str], n_inputs: int = 2) -> tuple[str, ...]:
    """``names`` as a tuple, in the order given, after checking each one.

    Raises ``ValueError`` naming the bad value: an unknown name, a repeated one, an empty
    choice, or a feature of x2 for data that has only x1.
    """
    if isinstance(names, str):
        names = [part.strip() for part in names.split(",") if part.strip()]
    names = tuple(names)
    if not names:
        raise ValueError("features: choose at least one of " + ", ".join(FEATURES))
    allowed = features_for(n_inputs)
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or name not in FEATURES:
            raise ValueError(f"feature {name!r} is unknown: allowed are {', '.join(FEATURES)}")
        if name not in allowed:
            raise ValueError(
                f"feature {name!r} needs two input columns, but the data has {n_inputs}: "
                f"allowed are {', '.join(allowed)}"
            )
        if name in seen:
            raise ValueError(f"feature {name!r} is chosen twice")
        seen.add(name)
    return names


class InputFeatures(Layer):
    """Maps each input point (x1[, x2]) to the chosen features, one column each.

    inputs : shape (n_samples, n_inputs) -> output : shape (n_samples, len(features)).
    ``backward`` gives the exact ``dinputs`` (the chain rule through each feature), though
    a network never asks for it: nothing before the first layer learns.
    """

    def __init__(self, features: Sequence[str], n_inputs: int = 2) -> None:
        super().__init__()
        if isinstance(n_inputs, bool) or n_inputs not in (1, 2):
            raise ValueError(f"n_inputs must be 1 or 2 for input features, got {n_inputs!r}")
        self.n_inputs = int(n_inputs)
        self.features = check_features(features, self.n_inputs)
        self.n_outputs = len(self.features)

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = inputs
        out = self._buffer("output", (inputs.shape[0], self.n_outputs), inputs.dtype)
        for j, name in enumerate(self.features):
            column = out[:, j]
            x = inputs[:, FEATURES[name][0][0]]
            if name in ("x1", "x2"):
                np.copyto(column, x)
            elif name.endswith("^2"):
                np.multiply(x, x, out=column)
            elif name == "x1*x2":
                np.multiply(x, inputs[:, 1], out=column)
            else:
                np.multiply(x, np.pi, out=column)
                np.sin(column, out=column)
        self.output = out
        return out

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """dvalues : shape (n_samples, n_features) -> dinputs : shape (n_samples, n_inputs)."""
        x = self.inputs
        dinputs = np.zeros((dvalues.shape[0], self.n_inputs), dtype=dvalues.dtype)
        for j, name in enumerate(self.features):
            d = dvalues[:, j]
            col = FEATURES[name][0][0]
            if name in ("x1", "x2"):
                dinputs[:, col] += d
            elif name.endswith("^2"):
                dinputs[:, col] += 2 * x[:, col] * d
            elif name == "x1*x2":
                dinputs[:, 0] += x[:, 1] * d
                dinputs[:, 1] += x[:, 0] * d
            else:
                dinputs[:, col] += np.pi * np.cos(np.pi * x[:, col]) * d
        self.dinputs = dinputs
        return dinputs

    def config(self) -> dict[str, Any]:
        return {"type": "InputFeatures", "features": list(self.features), "n_inputs": self.n_inputs}

    def __repr__(self) -> str:
        return f"InputFeatures({list(self.features)!r})"
