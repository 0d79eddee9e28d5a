"""Activation functions: ``ReLU``, ``Softmax``, ``Sigmoid``, ``Tanh``, ``Linear``.

Each keeps the book's interface: ``forward(inputs)`` sets ``output``, ``backward(dvalues)``
sets ``dinputs``; ``predictions(outputs)`` turns outputs into what a user would call the
prediction (a class index, a 0/1 label or a value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.layers import Layer

_BOOL = np.dtype(bool)

#: Largest batch (in values) for which ReLU keeps an array of zeros to compare against.
_CACHED_ZEROS_MAX = 1 << 16


class ReLU(Layer):
    """Rectified linear unit: ``output = max(inputs, 0)``; gradient 1 where inputs > 0, else 0."""

    def __init__(self) -> None:
        super().__init__()
        self._mask: np.ndarray | None = None
        #: A network turns this on for a ReLU between two Dense layers: ``forward`` then
        #: writes its output over the Dense layer's ``output`` before it, and ``backward``
        #: masks the gradient in the ``dinputs`` of the Dense layer after it. Nothing reads
        #: those arrays again in the step, and two large arrays fewer streaming through the
        #: cache save ~10% of a ch10 epoch.
        self.in_place = False

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        """inputs : shape (n_samples, n_units) -> output of the same shape."""
        self.inputs = inputs
        plan = self._plan
        if plan is None or plan.inputs is not inputs or plan.shape != inputs.shape:
            plan = self._plan_of(inputs)
        self._mask = None  # made from the output when asked for (``mask``)
        out = inputs if self.in_place else plan.output
        self.output = np.maximum(inputs, plan.zeros, out=out)
        return out

    @property
    def mask(self) -> np.ndarray | None:
        """Where the last forward pass's inputs were > 0: bool, the inputs' shape.

        Made from ``output`` (> 0 exactly where the inputs were) the first time it is
        asked for after a forward pass, by ``backward`` or a reader: an inference pass,
        such as the thousands of points of a decision boundary, never pays for it.
        """
        if self._mask is None and self.output is not None:
            plan = self._plan
            self._mask = np.greater(self.output, plan.zero, out=plan.mask)
        return self._mask

    def _make_plan(self, inputs: np.ndarray) -> _ReLUPlan:
        shape, dtype = inputs.shape, inputs.dtype
        # Against an array of zeros np.maximum runs its SIMD loop, ~2x faster than against
        # the scalar 0 while the arrays stay in cache; past that, memory speed rules.
        # And a 0-d zero of the inputs' dtype makes np.greater ~15% faster than a Python 0,
        # which numpy converts on every call.
        zero = np.zeros((), dtype=dtype)
        zeros = zero
        if inputs.size <= _CACHED_ZEROS_MAX:
            zeros = self._constant("zeros", shape, dtype, 0.0)
        return _ReLUPlan(
            inputs=inputs,
            shape=shape,
            mask=self._buffer("mask", shape, _BOOL),
            zero=zero,
            zeros=zeros,
            output=self._buffer("output", shape, dtype),
        )

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """Zero the gradient where the input was <= 0 (a multiply by the mask, no indexing).

        ``dvalues`` is left as it is, unless ``in_place`` is on.
        """
        if self.in_place:
            dinputs = dvalues
        else:
            dinputs = self._buffer("dinputs", dvalues.shape, dvalues.dtype)
        self.dinputs = np.multiply(dvalues, self.mask, out=dinputs)
        return dinputs

    @staticmethod
    def predictions(outputs: np.ndarray) -> np.ndarray:
        return outputs


@dataclass(slots=True)
class _ReLUPlan:
    """What ``ReLU.forward`` reuses while the same input array comes in."""

    inputs: np.ndarray
    shape: tuple[int, ...]
    mask: np.ndarray  # bool, inputs > 0
    zero: np.ndarray  # 0-d, what np.greater compares against
    zeros: np.ndarray  # what np.maximum compares against: zeros of the inputs' shape, or zero
    output: np.ndarray


#: Up to this many classes, Softmax keeps its arithmetic same-shape (see ``forward``).
_FEW_CLASSES = 8


@dataclass
class _SoftmaxPlan:
    """What ``Softmax.forward`` reuses while the same input array comes in."""

    inputs: np.ndarray
    shape: tuple[int, ...]
    output: np.ndarray
    row: np.ndarray  # (n_samples, 1)
    row_flat: np.ndarray  # the same memory as (n_samples,)
    columns: tuple[np.ndarray, ...] | None  # 1-D views of inputs' columns (few classes)
    wide: np.ndarray | None  # (n_samples, n_classes): a per-row value in every column
    ones: np.ndarray  # (n_classes, n_classes) or (n_classes, 1): row sums by a product
    ones_row: np.ndarray  # (1, n_classes)
    dinputs: np.ndarray  # the gradient's buffer, for the fused loss too


class Softmax(Layer):
    """Softmax over each row: ``output[i] = exp(inputs[i]) / sum(exp(inputs[i]))``."""

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        """inputs : shape (n_samples, n_classes) -> probabilities of the same shape."""
        self.inputs = inputs
        plan = self._plan
        if plan is None or plan.inputs is not inputs or plan.shape != inputs.shape:
            plan = self._plan_of(inputs)
        out = plan.output
        # Subtracting the row maximum keeps exp from overflowing; softmax is unchanged by it.
        if plan.columns is None:
            np.subtract(inputs, np.max(inputs, axis=1, keepdims=True, out=plan.row), out=out)
            np.exp(out, out=out)
            # Row sums as ``out @ ones``: one BLAS call, faster than sum(axis=1).
            np.divide(out, np.dot(out, plan.ones, out=plan.row), out=out)
        else:
            # A few classes: numpy restarts its loop for every row of max(axis=1) and of a
            # (n, k) op (n, 1) broadcast. Instead, fold the columns with np.maximum, and
            # spread each row's max and sum over its k columns with a BLAS product by ones
            # (exact: every term is multiplied by 1), so the arithmetic is same-shape.
            columns, row_max, wide = plan.columns, plan.row_flat, plan.wide
            np.maximum(columns[0], columns[-1], out=row_max)
            for column in columns[1:-1]:
                np.maximum(row_max, column, out=row_max)
            np.subtract(inputs, np.dot(plan.row, plan.ones_row, out=wide), out=out)
            np.exp(out, out=out)
            np.divide(out, np.dot(out, plan.ones, out=wide), out=out)
        self.output = out
        return out

    def _make_plan(self, inputs: np.ndarray) -> _SoftmaxPlan:
        """Buffers and column views for ``inputs``, kept while the same array comes in."""
        n, k = inputs.shape
        row = self._buffer("row", (n, 1), inputs.dtype)
        narrow = k <= _FEW_CLASSES
        return _SoftmaxPlan(
            inputs=inputs,
            shape=inputs.shape,
            output=self._buffer("output", inputs.shape, inputs.dtype),
            row=row,
            row_flat=row[:, 0],
            columns=tuple(inputs.T) if narrow else None,
            wide=self._buffer("wide", inputs.shape, inputs.dtype) if narrow else None,
            ones=self._constant("ones", (k, k if narrow else 1), inputs.dtype, 1.0),
            ones_row=self._constant("ones_row", (1, k), inputs.dtype, 1.0),
            dinputs=self._buffer("dinputs", inputs.shape, inputs.dtype),
        )

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
        dot = np.dot(dinputs, self._ones_column(dinputs))
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
