"""Activation functions: ``ReLU``, ``Softmax``, ``Sigmoid``, ``Tanh``, ``Linear``.

Each keeps the book's interface: ``forward(inputs)`` sets ``output``, ``backward(dvalues)``
sets ``dinputs``; ``predictions(outputs)`` turns outputs into what a user would call the
prediction (a class index, a 0/1 label or a value).
"""

from __future__ import annotations

import numpy as np

from model.layers import Layer

_BOOL = np.dtype(bool)

#: Largest batch (in values) for which ReLU keeps an array of zeros to compare against.
_CACHED_ZEROS_MAX = 1 << 16


def _row_max(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Row maxima of ``x`` (n_samples, n_classes) into ``out`` (n_samples, 1).

    ``x.max(axis=1)`` sets numpy's loop up once per row; for a handful of classes, folding
    the columns with ``np.maximum`` (one call per class) is several times faster.
    """
    if x.shape[1] > 8:
        return np.max(x, axis=1, keepdims=True, out=out)
    np.copyto(out, x[:, :1])
    for j in range(1, x.shape[1]):
        np.maximum(out, x[:, j : j + 1], out=out)
    return out


class ReLU(Layer):
    """Rectified linear unit: ``output = max(inputs, 0)``; gradient 1 where inputs > 0, else 0."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: np.ndarray | None = None

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        """inputs : shape (n_samples, n_units) -> output of the same shape."""
        self.inputs = inputs
        self.mask = np.greater(inputs, 0, out=self._buffer("mask", inputs.shape, _BOOL))
        out = self._buffer("output", inputs.shape, inputs.dtype)
        # Against an array of zeros np.maximum runs its SIMD loop, ~2x faster than against
        # the scalar 0 while the arrays stay in cache; past that, memory speed rules.
        zeros = 0
        if inputs.size <= _CACHED_ZEROS_MAX:
            zeros = self._constant("zeros", inputs.shape, inputs.dtype, 0.0)
        self.output = np.maximum(inputs, zeros, out=out)
        return out

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """Zero the gradient where the input was <= 0 (a multiply by the mask, no indexing)."""
        dinputs = self._buffer("dinputs", dvalues.shape, dvalues.dtype)
        self.dinputs = np.multiply(dvalues, self.mask, out=dinputs)
        return dinputs

    @staticmethod
    def predictions(outputs: np.ndarray) -> np.ndarray:
        return outputs


class Softmax(Layer):
    """Softmax over each row: ``output[i] = exp(inputs[i]) / sum(exp(inputs[i]))``."""

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        """inputs : shape (n_samples, n_classes) -> probabilities of the same shape."""
        self.inputs = inputs
        out = self._buffer("output", inputs.shape, inputs.dtype)
        row = self._buffer("row", (inputs.shape[0], 1), inputs.dtype)
        # Subtracting the row maximum keeps exp from overflowing; softmax is unchanged by it.
        np.subtract(inputs, _row_max(inputs, out=row), out=out)
        np.exp(out, out=out)
        out /= np.matmul(out, self._ones_column(inputs), out=row)
        self.output = out
        return out

    def _ones_column(self, values: np.ndarray) -> np.ndarray:
        """ones, shape (n_classes, 1): ``values @ ones`` sums each row in one BLAS call,
        several times faster than ``sum(axis=1)`` along a short axis."""
        return self._constant("ones", (values.shape[1], 1), values.dtype, 1.0)

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """The book's per-sample ``(diag(s) - s s^T) @ d``, for all samples at once.

        Expanding the Jacobian product gives ``s * (d - sum(s * d))`` per row, so no
        (n_classes x n_classes) matrix is ever built.
        """
        s = self.output
        dinputs = self._buffer("dinputs", dvalues.shape, dvalues.dtype)
        np.multiply(s, dvalues, out=dinputs)
        dot = dinputs @ self._ones_column(dinputs)
        np.subtract(dvalues, dot, out=dinputs)
        dinputs *= s
        self.dinputs = dinputs
        return dinputs

    @staticmethod
    def jacobian(output_row: np.ndarray) -> np.ndarray:
        """The (n_classes x n_classes) Jacobian of one sample, ``diag(s) - s s^T``."""
        s = np.asarray(output_row).reshape(-1, 1)
        return np.diagflat(s) - s @ s.T

    @staticmethod
    def predictions(outputs: np.ndarray) -> np.ndarray:
        return np.argmax(outputs, axis=1)


class Sigmoid(Layer):
    """Logistic sigmoid: ``output = 1 / (1 + exp(-inputs))``; gradient ``s * (1 - s)``."""

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = inputs
        out = self._buffer("output", inputs.shape, inputs.dtype)
        # exp(-x) overflows for very negative x; the result (0) is still right.
        with np.errstate(over="ignore"):
            np.negative(inputs, out=out)
            np.exp(out, out=out)
        out += 1.0
        np.reciprocal(out, out=out)
        self.output = out
        return out

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        s = self.output
        dinputs = self._buffer("dinputs", dvalues.shape, dvalues.dtype)
        np.subtract(1.0, s, out=dinputs)
        dinputs *= s
        dinputs *= dvalues
        self.dinputs = dinputs
        return dinputs

    @staticmethod
    def predictions(outputs: np.ndarray) -> np.ndarray:
        return (outputs > 0.5).astype(np.int64)


class Tanh(Layer):
    """Hyperbolic tangent: ``output = tanh(inputs)``; gradient ``1 - output**2``."""

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = inputs
        out = self._buffer("output", inputs.shape, inputs.dtype)
        self.output = np.tanh(inputs, out=out)
        return out

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        t = self.output
        dinputs = self._buffer("dinputs", dvalues.shape, dvalues.dtype)
        np.multiply(t, t, out=dinputs)
        np.subtract(1.0, dinputs, out=dinputs)
        dinputs *= dvalues
        self.dinputs = dinputs
        return dinputs

    @staticmethod
    def predictions(outputs: np.ndarray) -> np.ndarray:
        return outputs


class Linear(Layer):
    """Identity: ``output = inputs`` (the output activation of a regression network)."""

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = inputs
        self.output = inputs
        return inputs

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        self.dinputs = dvalues
        return dvalues

    @staticmethod
    def predictions(outputs: np.ndarray) -> np.ndarray:
        return outputs


ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "linear": Linear,
    "softmax": Softmax,
}
