"""Loss functions with the book's interface.

``forward(y_pred, y_true)`` returns the per-sample losses, ``calculate(output, y_true)``
their mean, and ``backward(dvalues, y_true)`` sets ``dinputs``, the gradient of the mean
loss w.r.t. ``dvalues`` (the network's output). Class labels may be sparse (shape (n,)) or
one-hot (shape (n, n_classes)).
"""

from __future__ import annotations

import functools

import numpy as np

from model.activations import Softmax
from model.layers import frozen

#: Predictions are clipped to [EPS, 1 - EPS] before a log, as in the book.
EPS = 1e-7


@functools.lru_cache(maxsize=4)
def _clip_bounds(dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """EPS and 1 - EPS as 0-d arrays of ``dtype``: the values a Python float would become,
    without converting it on every call."""
    return np.array(EPS, dtype=dtype), np.array(1 - EPS, dtype=dtype)


def _check_batch(y_pred: np.ndarray, y_true: np.ndarray) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} samples but the predictions have {len(y_pred)}")


@functools.lru_cache(maxsize=8)
def _row_starts(n_samples: int, n_classes: int) -> np.ndarray:
    """``arange(n_samples) * n_classes``, made once per batch shape (read-only)."""
    starts = np.arange(n_samples) * n_classes
    starts.flags.writeable = False
    return starts


def _flat_index(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Where ``y[range(n), labels]`` sits in ``y.ravel()`` for y of shape (n, n_classes).

    One flat ``np.take`` or assignment at these positions is much cheaper than the book's
    two-array fancy index ``y[range(n), labels]``.
    """
    return _row_starts(len(labels), n_classes) + labels


def sparse_labels(y_true: np.ndarray) -> np.ndarray:
    """Class indices, shape (n,), from sparse or one-hot labels."""
    if type(y_true) is np.ndarray and y_true.ndim == 1:
        return y_true
    y_true = np.asarray(y_true)
    if y_true.ndim == 2:
        return np.argmax(y_true, axis=1)
    if y_true.ndim != 1:
        raise ValueError(f"class labels must have shape (n,) or (n, n_classes), got {y_true.shape}")
    return y_true


class _Labels:
    """What a classification loss derives from an array of sparse class labels."""

    __slots__ = ("flat_index", "n_classes", "onehot", "y")

    def __init__(self, y: np.ndarray, n_classes: int) -> None:
        self.y = y
        self.n_classes = n_classes
        #: Where each sample's true class sits in ``y_pred.ravel()``.
        self.flat_index = _flat_index(y, n_classes)
        #: Per dtype: (n_samples, n_classes) one-hot labels and 1 / n_samples (``onehot_as``).
        self.onehot: dict[np.dtype, tuple[np.ndarray, np.ndarray]] = {}

    def onehot_as(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """The one-hot labels in ``dtype``, and ``1 / n_samples`` as a 0-d array of it."""
        made = self.onehot.get(dtype)
        if made is None:
            onehot = np.zeros((len(self.y), self.n_classes), dtype=dtype)
            onehot.reshape(-1)[self.flat_index] = 1
            onehot.flags.writeable = False
            made = self.onehot[dtype] = (onehot, np.array(1.0 / len(self.y), dtype=dtype))
        return made


def _labels(loss: Loss, y: np.ndarray, n_classes: int) -> _Labels:
    """``_Labels`` for sparse labels ``y``. Kept on ``loss`` while the same ``frozen`` array
    comes back (the training and the validation labels, say), so a full-batch run derives
    them once; ``loss._last_labels`` is the one asked for last."""
    labels = loss._last_labels
    if labels is None or labels.y is not y or labels.n_classes != n_classes:
        labels = loss._labels.get(id(y))
        if labels is None or labels.y is not y or labels.n_classes != n_classes:
            labels = _Labels(y, n_classes)
            if not frozen(y):
                return labels
            if len(loss._labels) >= 4:
                loss._labels.clear()
            loss._labels[id(y)] = labels
        loss._last_labels = labels
    return labels


class Loss:
    """Common loss: the mean of per-sample losses."""

    def __init__(self) -> None:
        self.dinputs: np.ndarray | None = None
        self._labels: dict[int, _Labels] = {}
        self._last_labels: _Labels | None = None

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def calculate(self, output: np.ndarray, y_true: np.ndarray) -> float:
        """Mean loss over the batch: output : shape (n_samples, n_outputs)."""
        sample_losses = self.forward(output, y_true)
        return float(np.add.reduce(sample_losses, axis=None)) / sample_losses.size

    def config(self) -> dict[str, str]:
        return {"type": type(self).__name__}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class CategoricalCrossentropy(Loss):
    """``-log(p[correct class])`` per sample; p clipped to [1e-7, 1 - 1e-7]."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """y_pred : shape (n_samples, n_classes), probabilities -> losses : shape (n_samples,)."""
        correct = self._correct_clipped(y_pred, y_true)
        np.log(correct, out=correct)
        return np.negative(correct, out=correct)

    def calculate(self, output: np.ndarray, y_true: np.ndarray) -> float:
        """Mean loss over the batch: output : shape (n_samples, n_classes)."""
        correct = self._correct_clipped(output, y_true)
        np.log(correct, out=correct)
        # sum(-log p) is exactly -sum(log p): the negation moves to the scalar.
        return -float(np.add.reduce(correct)) / correct.size

    def _correct_clipped(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """The probability given to each sample's true class, clipped: a new (n_samples,)."""
        _check_batch(y_pred, y_true)
        y_true = np.asarray(y_true)
        if y_true.ndim == 1:
            flat_index = _labels(self, y_true, y_pred.shape[1]).flat_index
            correct = y_pred.reshape(-1).take(flat_index)
        elif y_true.ndim == 2:
            correct = np.sum(y_pred * y_true, axis=1)
        else:
            raise ValueError(
                f"class labels must have shape (n,) or (n, n_classes), got {y_true.shape}"
            )
        # Clipping only the picked probabilities gives the book's numbers; two ufuncs in
        # place cost less than np.clip's Python wrapper.
        low, high = _clip_bounds(correct.dtype)
        np.maximum(correct, low, out=correct)
        return np.minimum(correct, high, out=correct)

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """dvalues : shape (n_samples, n_classes), the predicted probabilities."""
        samples, labels = dvalues.shape
        y_true = np.asarray(y_true)
        if y_true.ndim == 1:
            y_true = np.eye(labels, dtype=dvalues.dtype)[y_true]
        self.dinputs = -y_true / dvalues / samples
        return self.dinputs


class SoftmaxCategoricalCrossentropy(Loss):
    """Softmax and categorical cross-entropy fused: its gradient is ``(probs - onehot) / n``.

    As in the book, ``forward(inputs, y_true)`` takes the *logits*, keeps the probabilities
    in ``output`` and returns the mean loss; ``backward(dvalues, y_true)`` takes the
    probabilities. A network whose last layer is ``Softmax`` and whose loss is
    ``CategoricalCrossentropy`` uses this shortcut on its own.
    """

    def __init__(self) -> None:
        super().__init__()
        self.activation = Softmax()
        self.loss = CategoricalCrossentropy()
        self.output: np.ndarray | None = None

    def forward(self, inputs: np.ndarray, y_true: np.ndarray) -> float:  # type: ignore[override]
        self.output = self.activation.forward(inputs)
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        samples, n_classes = dvalues.shape
        labels = _labels(self, sparse_labels(y_true), n_classes)
        plan = self.activation._plan
        if plan is not None and plan.shape == dvalues.shape and plan.dinputs.dtype == dvalues.dtype:
            dinputs = plan.dinputs
        else:
            dinputs = self.activation._buffer("dinputs", dvalues.shape, dvalues.dtype)
        if labels is self._last_labels:  # kept: its one-hot is made once
            onehot, inverse_n = labels.onehot_as(dvalues.dtype)
            np.subtract(dvalues, onehot, out=dinputs)
            np.multiply(dinputs, inverse_n, out=dinputs)
        else:
            np.copyto(dinputs, dvalues)
            dinputs.reshape(-1)[labels.flat_index] -= 1
            dinputs *= 1.0 / samples
        self.dinputs = dinputs
        return dinputs

    def calculate(self, output: np.ndarray, y_true: np.ndarray) -> float:
        """Mean cross-entropy of probabilities ``output`` (already through softmax)."""
        return self.loss.calculate(output, y_true)


class BinaryCrossentropy(Loss):
    """``-(y log p + (1 - y) log(1 - p))`` averaged over outputs; for sigmoid outputs."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        """y_pred, y_true : shape (n_samples, n_outputs) -> losses : shape (n_samples,)."""
        _check_batch(y_pred, y_true)
        y_true = _as_column(y_true, y_pred)
        p = np.clip(y_pred, EPS, 1 - EPS)
        losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
        return np.mean(losses, axis=-1)

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        samples, outputs = dvalues.shape
        y_true = _as_column(y_true, dvalues)
        p = np.clip(dvalues, EPS, 1 - EPS)
        self.dinputs = -(y_true / p - (1 - y_true) / (1 - p)) / outputs / samples
        return self.dinputs


class MeanSquaredError(Loss):
    """``mean((y - y_pred) ** 2)`` over outputs; for regression with a linear output."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        _check_batch(y_pred, y_true)
        y_true = _as_column(y_true, y_pred)
        return np.mean((y_true - y_pred) ** 2, axis=-1)

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        samples, outputs = dvalues.shape
        y_true = _as_column(y_true, dvalues)
        self.dinputs = -2 * (y_true - dvalues) / outputs / samples
        return self.dinputs


class MeanAbsoluteError(Loss):
    """``mean(|y - y_pred|)`` over outputs."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        _check_batch(y_pred, y_true)
        y_true = _as_column(y_true, y_pred)
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        samples, outputs = dvalues.shape
        y_true = _as_column(y_true, dvalues)
        # d|y - p|/dp = sign(p - y). (The book's printed code has sign(y - p): the wrong sign.)
        self.dinputs = np.sign(dvalues - y_true) / outputs / samples
        return self.dinputs


def _as_column(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Targets shaped like the predictions: a (n,) vector becomes (n, 1) for one output."""
    y_true = np.asarray(y_true)
    if y_true.ndim == 1 and y_pred.ndim == 2 and y_pred.shape[1] == 1:
        y_true = y_true.reshape(-1, 1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"targets have shape {y_true.shape} but the predictions have shape {y_pred.shape}"
        )
    return y_true


LOSSES: dict[str, type[Loss]] = {
    cls.__name__: cls
    for cls in (
        CategoricalCrossentropy,
        SoftmaxCategoricalCrossentropy,
        BinaryCrossentropy,
        MeanSquaredError,
        MeanAbsoluteError,
    )
}
