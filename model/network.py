"""``Network``: layers chained with a loss, trained by backpropagation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from model.activations import Linear, ReLU, Sigmoid, Softmax, Tanh
from model.features import InputFeatures
from model.layers import Dense, Dropout, Layer
from model.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    SoftmaxCategoricalCrossentropy,
    sparse_labels,
)
from model.optimizers import Optimizer

#: Rows per chunk in ``predict_proba``: bounds memory on a large grid, and keeps a
#: chunk's hidden layer in the cache (ch10 on a 200 x 200 grid: 6.2 ms with 16,384 rows,
#: 3.2 ms with 1,024; measured with one BLAS thread).
PREDICT_CHUNK = 1024


class StepResult(NamedTuple):
    """What one training step measured, before the update. (A named tuple: made on every
    step, it costs a third of a frozen dataclass.)"""

    data_loss: float
    regularization_loss: float
    accuracy: float

    @property
    def loss(self) -> float:
        return self.data_loss + self.regularization_loss


class Network:
    """A sequence of layers ending in an output activation, and a loss.

    All parameters live in one flat vector ``params`` (and their gradients in ``grads``);
    each ``Dense`` layer's ``weights``, ``biases``, ``dweights`` and ``dbiases`` are views
    into them, so the book's per-layer code and a one-call optimizer step see the same
    numbers. A last ``Softmax`` with ``CategoricalCrossentropy`` (or the fused loss) trains
    with the fused gradient ``(probs - onehot) / n``.
    """

    def __init__(
        self, layers: Sequence[Layer], loss: Loss, *, dtype: np.dtype | type | None = None
    ) -> None:
        layers = list(layers)
        if not layers:
            raise ValueError("a network needs at least one layer")
        if not isinstance(loss, Loss):
            raise TypeError(f"loss must be a Loss, got {loss!r}")
        if isinstance(loss, SoftmaxCategoricalCrossentropy) and not isinstance(layers[-1], Softmax):
            layers.append(loss.activation)
        self.layers = layers
        self.loss = loss
        self.dense_layers: list[Dense] = [layer for layer in layers if isinstance(layer, Dense)]
        if not self.dense_layers:
            raise ValueError("a network needs at least one Dense layer")
        for prev, nxt in zip(self.dense_layers, self.dense_layers[1:], strict=False):
            if prev.n_neurons != nxt.n_inputs:
                raise ValueError(
                    f"layer sizes do not chain: Dense({prev.n_inputs}, {prev.n_neurons}) is "
                    f"followed by Dense({nxt.n_inputs}, {nxt.n_neurons})"
                )
        features = [i for i, layer in enumerate(layers) if isinstance(layer, InputFeatures)]
        if features and (features != [0] or layers[1] is not self.dense_layers[0]):
            raise ValueError("InputFeatures can only be the first layer, before a Dense one")
        if features and layers[0].n_outputs != self.dense_layers[0].n_inputs:
            raise ValueError(
                f"layer sizes do not chain: {layers[0].n_outputs} input features are "
                f"followed by Dense({self.dense_layers[0].n_inputs}, "
                f"{self.dense_layers[0].n_neurons})"
            )
        self._n_inputs = layers[0].n_inputs if features else self.dense_layers[0].n_inputs
        self.dtype = np.dtype(dtype if dtype is not None else self.dense_layers[0].weights.dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype}")
        self.output_activation = layers[-1]
        self._fused = isinstance(layers[-1], Softmax) and isinstance(
            loss, (CategoricalCrossentropy, SoftmaxCategoricalCrossentropy)
        )
        self._fused_loss = (
            loss
            if isinstance(loss, SoftmaxCategoricalCrossentropy)
            else SoftmaxCategoricalCrossentropy()
        )
        if self._fused:
            self._fused_loss.activation = layers[-1]
        self._data_loss = loss.loss if isinstance(loss, SoftmaxCategoricalCrossentropy) else loss
        # Decided once here rather than on every step: the layers never change.
        self._task = _task_of(self.output_activation, loss)
        # Nothing before the first Dense layer learns: backpropagation stops at it.
        first = layers.index(self.dense_layers[0])
        self._backward_layers = list(reversed(layers[first:-1] if self._fused else layers[first:]))
        self.dense_layers[0].compute_dinputs = False
        #: ``predict_proba``'s chunk arrays, by shape.
        self._chunks: dict[tuple[int, ...], np.ndarray] = {}
        for before, layer, after in zip(layers, layers[1:], layers[2:], strict=False):
            if isinstance(layer, ReLU) and isinstance(before, Dense) and isinstance(after, Dense):
                layer.in_place = True
        self._pack()

    def _pack(self) -> None:
        """Move every parameter into one flat vector and bind the layers to views of it."""
        sizes = [(layer.n_inputs + 1) * layer.n_neurons for layer in self.dense_layers]
        self.params = np.empty(sum(sizes), dtype=self.dtype)
        self.grads = np.zeros(sum(sizes), dtype=self.dtype)
        #: Where each ``(dense layer index, parameter name)`` sits in ``params``.
        self.param_slices: dict[tuple[int, str], slice] = {}
        offset = 0
        for i, (layer, size) in enumerate(zip(self.dense_layers, sizes, strict=True)):
            shape = (layer.n_inputs + 1, layer.n_neurons)
            params = self.params[offset : offset + size].reshape(shape)
            params[:-1], params[-1:] = layer.weights, layer.biases
            layer.bind(params, self.grads[offset : offset + size].reshape(shape))
            split = offset + layer.n_inputs * layer.n_neurons
            self.param_slices[i, "weights"] = slice(offset, split)
            self.param_slices[i, "biases"] = slice(split, offset + size)
            offset += size

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A copy (copy.deepcopy, pickle) gives every array its own memory: share it again.
        self.__dict__.update(state)
        self._pack()

    # --- shape and task -------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        """Columns of the inputs: the raw coordinates, before any ``InputFeatures``."""
        return self._n_inputs

    @property
    def n_outputs(self) -> int:
        return self.dense_layers[-1].n_neurons

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    @property
    def task(self) -> str:
        """``"classification"`` (softmax), ``"binary"`` (sigmoid) or ``"regression"``."""
        return self._task

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` for every parameter, e.g. ``"dense1.weights"``."""
        out = []
        for i, layer in enumerate(self.dense_layers, start=1):
            for p, g in layer.param_names:
                out.append((f"dense{i}.{p}", getattr(layer, p), getattr(layer, g)))
        return out

    @property
    def fused_loss(self) -> SoftmaxCategoricalCrossentropy | None:
        """The fused softmax + cross-entropy that starts ``backward``, if the network uses it."""
        return self._fused_loss if self._fused else None

    # --- forward and backward -------------------------------------------------------
    def forward(self, X: np.ndarray, *, training: bool = True) -> np.ndarray:
        """X : shape (n_samples, n_inputs) -> output : shape (n_samples, n_outputs).

        The returned array is the last layer's buffer, reused by the next call: copy it to
        keep it. Dropout is active only when ``training`` is True.
        """
        out = np.asarray(X, dtype=self.dtype)
        if out.ndim != 2 or out.shape[1] != self._n_inputs:
            raise ValueError(
                f"inputs must have shape (n_samples, {self.n_inputs}), got {np.shape(X)}"
            )
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def backward(self, output: np.ndarray, y: np.ndarray) -> None:
        """Backpropagate the loss of ``output`` against ``y`` through every layer.

        Every layer's ``dweights``, ``dbiases`` and ``dinputs`` are set. A ReLU between two
        Dense layers works in place (``ReLU.in_place``): the Dense layer after it then holds
        the ReLU's ``dinputs`` as its own, as the one before it holds the ReLU's ``output``.
        Call the layers' ``forward`` and ``backward`` one by one, as the book does, to keep
        every array apart.
        """
        if self._fused:  # the last layer (Softmax) is inside the fused gradient
            dvalues = self._fused_loss.backward(output, y)
        else:
            dvalues = self.loss.backward(output, y)
        for layer in self._backward_layers:
            dvalues = layer.backward(dvalues)

    def data_loss(self, output: np.ndarray, y: np.ndarray) -> float:
        """Mean data loss of ``output`` (the network's output) against ``y``."""
        return self._data_loss.calculate(output, y)

    def regularization_loss(self) -> float:
        """Sum of every layer's L1/L2 penalty."""
        total = 0.0
        for layer in self.dense_layers:
            if layer.has_regularization:
                total += layer.regularization_loss()
        return total

    def accuracy(self, output: np.ndarray, y: np.ndarray) -> float:
        """Share of correct predictions (regression: within ``std(y) / 250``, as the book)."""
        task = self._task
        if task == "classification":
            labels = sparse_labels(y)
            return int(np.count_nonzero(output.argmax(axis=1) == labels)) / len(labels)
        y = np.asarray(y).reshape(output.shape)
        if task == "binary":
            return float(np.mean((output > 0.5) == (y > 0.5)))
        precision = np.std(y) / 250
        return float(np.mean(np.abs(output - y) < precision))

    def train_step(self, X: np.ndarray, y: np.ndarray, optimizer: Optimizer) -> StepResult:
        """Forward, loss, backward and one optimizer step on one batch."""
        output = self.forward(X, training=True)
        result = StepResult(
            self.data_loss(output, y), self.regularization_loss(), self.accuracy(output, y)
        )
        self.backward(output, y)
        optimizer.step([self.params], [self.grads])
        return result

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> StepResult:
        """Loss and accuracy in inference mode (dropout off), nothing updated."""
        output = self.forward(X, training=False)
        return StepResult(
            self.data_loss(output, y), self.regularization_loss(), self.accuracy(output, y)
        )

    # --- inference ------------------------------------------------------------------
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Outputs in inference mode, shape (n_samples, n_outputs): a new array."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"inputs must have shape (n_samples, {self.n_inputs}), got {X.shape}")
        n = X.shape[0]
        result = np.empty((n, self.n_outputs), dtype=self.dtype)
        if n <= PREDICT_CHUNK:  # X itself, not a slice: the layers know it again
            np.copyto(result, self.forward(X, training=False))
            return result
        # Each chunk is copied into the same array (one per chunk size): the layers keep
        # their plans for it, where a slice would be a new array to plan for every time.
        for start in range(0, n, PREDICT_CHUNK):
            rows = X[start : start + PREDICT_CHUNK]
            chunk = self._chunks.get(rows.shape)
            if chunk is None:
                chunk = self._chunks[rows.shape] = np.empty(rows.shape, dtype=self.dtype)
            np.copyto(chunk, rows)
            result[start : start + len(rows)] = self.forward(chunk, training=False)
        return result

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class indices (classification), 0/1 labels (binary) or values (regression)."""
        return self.output_activation.predictions(self.predict_proba(X))

    # --- state ----------------------------------------------------------------------
    def get_params(self) -> np.ndarray:
        """A copy of the flat parameter vector."""
        return self.params.copy()

    def set_params(self, values: np.ndarray) -> None:
        """Overwrite every parameter in place from a flat vector of the same size."""
        values = np.asarray(values)
        if values.shape != self.params.shape:
            raise ValueError(f"expected {self.params.size} parameters, got shape {values.shape}")
        np.copyto(self.params, values)

    def config(self) -> dict[str, Any]:
        """The architecture as JSON-ready data; ``network_from_config`` rebuilds it."""
        layers = self.layers
        if (
            isinstance(self.loss, SoftmaxCategoricalCrossentropy)
            and layers[-1] is self.loss.activation
        ):
            layers = layers[:-1]
        return {
            "layers": [layer.config() for layer in layers],
            "loss": self.loss.config(),
            "dtype": self.dtype.name,
        }

    def summary(self) -> str:
        """One line: ``2 -> 64 ReLU -> 3 Softmax | CategoricalCrossentropy | 387 parameters``."""
        parts = [str(self.n_inputs)]
        for layer in self.layers:
            if isinstance(layer, InputFeatures):
                parts.append(f"[{', '.join(layer.features)}]")
            elif isinstance(layer, Dense):
                parts.append(str(layer.n_neurons))
            elif isinstance(layer, Dropout):
                parts[-1] += f" Dropout({layer.rate:g})"
            else:
                parts[-1] += f" {type(layer).__name__}"
        return f"{' -> '.join(parts)} | {type(self.loss).__name__} | {self.n_params:,} parameters"

    def __repr__(self) -> str:
        return f"Network([{', '.join(map(repr, self.layers))}], {self.loss!r})"


def _task_of(output_activation: Layer, loss: Loss) -> str:
    if isinstance(output_activation, Softmax):
        return "classification"
    if isinstance(output_activation, Sigmoid) or isinstance(loss, BinaryCrossentropy):
        return "binary"
    return "regression"


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (InputFeatures, Dense, Dropout, ReLU, Softmax, Sigmoid, Tanh, Linear)
}
