"""Layers with parameters or randomness: ``Dense`` and ``Dropout``.

Every layer follows the book's conventions: ``forward(inputs)`` remembers ``self.inputs``
and sets and returns ``self.output``; ``backward(dvalues)`` sets and returns
``self.dinputs`` (and a dense layer also ``self.dweights`` and ``self.dbiases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model._random import RandomLike, as_generator

WEIGHT_INITS = ("nnfs", "he", "glorot")

#: Up to this many neurons a Dense layer adds its biases by an outer product (``forward``).
NARROW = 8
#: Input arrays a layer keeps a plan for (``Layer._plan_of``).
PLANS_KEPT = 4


def _check_nonnegative(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


class _Regularizer:
    """A Dense layer's L1 or L2 factor: a finite number >= 0, checked when assigned.

    Assigning one also updates the layer's ``has_regularization``, which ``backward`` and
    ``Network.regularization_loss`` read on every step instead of four factors. (No
    ``__get__``: the value sits in the instance's ``__dict__``, a plain attribute read.)
    """

    names = (
        "weight_regularizer_l1",
        "weight_regularizer_l2",
        "bias_regularizer_l1",
        "bias_regularizer_l2",
    )

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __set__(self, obj: Any, value: float) -> None:
        state = obj.__dict__
        state[self.name] = _check_nonnegative(self.name, value)
        state["has_regularization"] = any(state.get(name, 0.0) > 0 for name in self.names)


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def frozen(array: np.ndarray) -> bool:
    """Whether ``array`` cannot change under a layer: read-only and owning its memory.

    Layers keep what they derive from such an array (a copy with a column of ones, the
    one-hot form of labels) for as long as the same array comes back, instead of deriving
    it again on every step. ``read_only`` makes such arrays; the ``Trainer`` uses it.
    """
    return not array.flags.writeable and array.base is None


def read_only(array: np.ndarray, dtype: np.dtype | type | None = None) -> np.ndarray:
    """A C-ordered, read-only copy of ``array`` (in ``dtype``, if given): see ``frozen``."""
    copy = np.array(array, dtype=dtype, order="C", copy=True)
    copy.flags.writeable = False
    return copy


def _dot(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a @ b`` into ``out``. ``np.dot`` runs the same BLAS product with less call overhead
    than ``np.matmul`` (which matters on small arrays) but wants ``out`` C-contiguous and of
    the product's exact dtype; otherwise ``np.matmul`` casts into it."""
    try:
        return np.dot(a, b, out=out)
    except ValueError:
        return np.matmul(a, b, out=out)


class Layer:
    """Base of every layer: buffers reused between calls, no parameters by default."""

    #: Parameter attribute names paired with their gradient attribute names.
    param_names: tuple[tuple[str, str], ...] = ()

    def __init__(self) -> None:
        self._buffers: dict[tuple[str, tuple[int, ...], np.dtype], np.ndarray] = {}
        self.inputs: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.dinputs: np.ndarray | None = None
        #: The plan of the last inputs, and the plans kept by input array (``_plan_of``).
        self._plan: Any = None
        self._plans: dict[int, Any] = {}

    def _plan_of(self, inputs: np.ndarray) -> Any:
        """The plan for ``inputs``: what a layer reuses while the same input array comes in
        (buffers, views of the inputs, what it derived from them). Plans are kept for a few
        arrays, so that training and validation inputs in turn do not rebuild them."""
        plan = self._plans.get(id(inputs))
        if plan is None or plan.inputs is not inputs or not self._plan_fits(plan, inputs):
            plan = self._make_plan(inputs)
            if inputs.base is None:  # a view (a slice, a chunk) is made anew for each call
                if len(self._plans) >= PLANS_KEPT:
                    self._plans.clear()
                self._plans[id(inputs)] = plan
        self._plan = plan
        return plan

    def _plan_fits(self, plan: Any, inputs: np.ndarray) -> bool:
        return plan.shape == inputs.shape

    def _make_plan(self, inputs: np.ndarray) -> Any:
        raise NotImplementedError

    def _buffer(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A scratch array reused while the batch shape stays the same (no per-epoch malloc)."""
        key = (name, shape, dtype)
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) > 16:  # batch sizes change rarely; keep the cache small
                self._buffers.clear()
            buf = self._buffers[key] = np.empty(shape, dtype=dtype)
        return buf

    def _constant(self, name: str, shape: tuple[int, ...], dtype: np.dtype, value: float):
        """Like ``_buffer``, but filled with ``value`` once; callers only read it."""
        buf = self._buffers.get((name, shape, dtype))
        if buf is None:
            buf = self._buffer(name, shape, dtype)
            buf.fill(value)
        return buf

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(parameter, gradient)`` pairs, in a fixed order (empty for most layers)."""
        return [(getattr(self, p), getattr(self, g)) for p, g in self.param_names]

    def config(self) -> dict[str, Any]:
        """A JSON-ready description from which ``layer_from_config`` rebuilds the layer."""
        return {"type": type(self).__name__}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@dataclass(slots=True)
class _DensePlan:
    """What ``Dense`` reuses while the same input array comes in (``Layer._plan_of``)."""

    inputs: np.ndarray
    shape: tuple[int, ...]
    frozen: bool  # inputs1 already holds inputs, which cannot change
    output: np.ndarray  # (n_samples, n_neurons)
    inputs1: np.ndarray | None  # [inputs, 1], (n_samples, n_inputs + 1), when folded
    ones_column: np.ndarray | None  # (n_samples, 1), for a narrow layer's biases
    bias_rows: np.ndarray | None  # (n_samples, n_neurons), the biases in every row
    ones_row: np.ndarray  # (1, n_samples): dbiases = ones_row @ dvalues
    dinputs: np.ndarray  # (n_samples, n_inputs)
    weights_t: np.ndarray  # (n_neurons, n_inputs), a C-ordered copy of weights.T


class Dense(Layer):
    """Fully connected layer: ``output = inputs @ weights + biases``.

    weights : ndarray, shape (n_inputs, n_neurons); biases : ndarray, shape (1, n_neurons).
    Weights start as ``0.01 * standard_normal`` as in the book (``init="nnfs"``); ``"he"``
    and ``"glorot"`` keep deep networks trainable. Biases start at zero.
    """

    param_names = (("weights", "dweights"), ("biases", "dbiases"))
    weight_regularizer_l1 = _Regularizer()
    weight_regularizer_l2 = _Regularizer()
    bias_regularizer_l1 = _Regularizer()
    bias_regularizer_l2 = _Regularizer()
    #: Whether any regularizer factor is > 0 (kept up to date by ``_Regularizer``).
    has_regularization: bool

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        *,
        weight_regularizer_l1: float = 0.0,
        weight_regularizer_l2: float = 0.0,
        bias_regularizer_l1: float = 0.0,
        bias_regularizer_l2: float = 0.0,
        rng: RandomLike = None,
        init: str = "nnfs",
        dtype: np.dtype | type = np.float64,
    ) -> None:
        super().__init__()
        self.n_inputs = _check_count("n_inputs", n_inputs)
        self.n_neurons = _check_count("n_neurons", n_neurons)
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2
        if init not in WEIGHT_INITS:
            raise ValueError(f"init must be one of {', '.join(WEIGHT_INITS)}, got {init!r}")
        self.init = init
        dtype = np.dtype(dtype)
        gen = as_generator(rng)
        shape = (self.n_inputs, self.n_neurons)
        if init == "nnfs":
            weights = 0.01 * gen.standard_normal(shape)
        elif init == "he":
            weights = gen.standard_normal(shape) * np.sqrt(2.0 / self.n_inputs)
        else:
            limit = np.sqrt(6.0 / (self.n_inputs + self.n_neurons))
            weights = gen.uniform(-limit, limit, shape)
        block = np.zeros((self.n_inputs + 1, self.n_neurons), dtype=dtype)
        block[:-1] = weights
        self.bind(block, np.zeros_like(block))
        #: A network turns this off for its first layer: nobody reads dL/dX there.
        self.compute_dinputs = True
        self._inputs1: np.ndarray | None = None

    def bind(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Keep weights and biases in ``params``, their gradients in ``grads`` (both of
        shape (n_inputs + 1, n_neurons)): weights are the first n_inputs rows, biases the
        last. A network binds every layer to a slice of its one flat parameter vector.

        Stacked like this, ``[inputs, 1] @ [weights; biases]`` is the layer's output in one
        matrix product, and ``[inputs, 1].T @ dvalues`` gives ``dweights`` and ``dbiases``
        together: cheaper than adding the bias row to every sample when the layer widens.
        """
        expected = (self.n_inputs + 1, self.n_neurons)
        if params.shape != expected or grads.shape != expected:
            raise ValueError(f"Dense.bind needs arrays of shape {expected}, got {params.shape}")
        self._params, self._grads = params, grads
        self.weights, self.biases = params[:-1], params[-1:]
        self.dweights, self.dbiases = grads[:-1], grads[-1:]
        self._bound = (self.weights, self.biases, self.dweights, self.dbiases)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A copy (copy.deepcopy, pickle) copies each view on its own: link them again.
        self.__dict__.update(state)
        if all(a is b for a, b in zip(self._bound, self._live(), strict=True)):
            self.bind(self._params, self._grads)

    def _live(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.weights, self.biases, self.dweights, self.dbiases

    def _folded(self) -> bool:
        """Whether the bias can be folded into the product (see ``bind``): only while nobody
        has replaced ``weights`` or the other arrays with new ones. (A plan folds only when
        the layer widens: copying the inputs then costs less than adding the bias to every
        output.)"""
        w, b, dw, db = self._bound
        return self.weights is w and self.biases is b and self.dweights is dw and self.dbiases is db

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        """inputs : shape (n_samples, n_inputs) -> output : shape (n_samples, n_neurons)."""
        self.inputs = inputs
        plan = self._plan
        if (
            plan is None
            or plan.inputs is not inputs
            or plan.shape != inputs.shape
            or plan.output.dtype is not self.weights.dtype
        ):
            plan = self._plan_of(inputs)
        out = plan.output
        if plan.inputs1 is not None and self._folded():
            # [inputs, 1] @ [weights; biases]: the column of ones is written once, and the
            # inputs too when they are a read-only array seen before (see ``frozen``).
            if not plan.frozen:
                plan.inputs1[:, :-1] = inputs
            self._inputs1 = plan.inputs1
            np.dot(plan.inputs1, self._params, out=out)
        else:
            self._inputs1 = None
            _dot(inputs, self.weights, out)
            if plan.bias_rows is not None and self.biases is self._bound[1]:
                # Adding a (1, n_neurons) row to every row restarts numpy's loop per row;
                # for a few neurons, an outer product with a column of ones (exact) and a
                # same-shape add cost less.
                np.add(out, np.dot(plan.ones_column, self.biases, out=plan.bias_rows), out=out)
            else:
                out += self.biases
        self.output = out
        return out

    def _plan_fits(self, plan: _DensePlan, inputs: np.ndarray) -> bool:
        return plan.shape == inputs.shape and plan.output.dtype == self.weights.dtype

    def _make_plan(self, inputs: np.ndarray) -> _DensePlan:
        n, dtype = inputs.shape[0], self.weights.dtype
        folded = self.n_inputs <= self.n_neurons
        narrow = not folded and self.n_neurons <= NARROW
        inputs1 = None
        is_frozen = folded and frozen(inputs)
        if is_frozen:  # its own copy, filled once
            inputs1 = np.ones((n, self.n_inputs + 1), dtype=dtype)
            inputs1[:, :-1] = inputs
        elif folded:  # shared by every input of this shape, filled on each call
            inputs1 = self._constant("inputs1", (n, self.n_inputs + 1), dtype, 1.0)
        return _DensePlan(
            inputs=inputs,
            shape=inputs.shape,
            frozen=is_frozen,
            output=self._buffer("output", (n, self.n_neurons), dtype),
            inputs1=inputs1,
            ones_column=self._constant("ones_column", (n, 1), dtype, 1.0) if narrow else None,
            bias_rows=self._buffer("bias_rows", (n, self.n_neurons), dtype) if narrow else None,
            ones_row=self._constant("ones", (1, n), dtype, 1.0),
            dinputs=self._buffer("dinputs", (n, self.n_inputs), dtype),
            weights_t=self._buffer("weights_t", (self.n_neurons, self.n_inputs), dtype),
        )

    def backward(self, dvalues: np.ndarray) -> np.ndarray | None:
        """dvalues : shape (n_samples, n_neurons), the loss gradient w.r.t. ``output``.

        Sets ``dweights`` (n_inputs, n_neurons), ``dbiases`` (1, n_neurons) and ``dinputs``
        (n_samples, n_inputs), regularization gradients included. The gradient arrays are
        written in place: a network keeps them as views into one flat gradient vector.
        """
        plan = self._plan
        if plan is None or plan.shape[0] != dvalues.shape[0]:
            plan = self._plan_of(self.inputs)
        if self._inputs1 is not None and self._folded():
            _dot(self._inputs1.T, dvalues, self._grads)
        else:
            _dot(self.inputs.T, dvalues, self.dweights)
            # The column sums as a row of ones times dvalues: one BLAS call, several times
            # faster than np.sum(axis=0), which pays numpy's loop setup once per row.
            _dot(plan.ones_row, dvalues, self.dbiases)
        if self.has_regularization:
            self._add_regularization_gradients()
        if self.compute_dinputs:
            # BLAS multiplies by a C-ordered copy of weights.T faster than by the transposed
            # view when the layer is narrow (3 outputs: ~40%); the copy is n_samples times
            # smaller than the product.
            np.copyto(plan.weights_t, self.weights.T)
            self.dinputs = _dot(dvalues, plan.weights_t, plan.dinputs)
        else:
            self.dinputs = None
        return self.dinputs

    def _add_regularization_gradients(self) -> None:
        if self.weight_regularizer_l1 > 0:
            self.dweights += self.weight_regularizer_l1 * np.sign(self.weights)
        if self.weight_regularizer_l2 > 0:
            self.dweights += (2 * self.weight_regularizer_l2) * self.weights
        if self.bias_regularizer_l1 > 0:
            self.dbiases += self.bias_regularizer_l1 * np.sign(self.biases)
        if self.bias_regularizer_l2 > 0:
            self.dbiases += (2 * self.bias_regularizer_l2) * self.biases

    def regularization_loss(self) -> float:
        """The L1/L2 penalty this layer adds to the data loss (0.0 when none is set)."""
        loss = 0.0
        if self.weight_regularizer_l1 > 0:
            loss += self.weight_regularizer_l1 * float(np.abs(self.weights).sum())
        if self.weight_regularizer_l2 > 0:
            loss += self.weight_regularizer_l2 * float(
                np.dot(self.weights.ravel(), self.weights.ravel())
            )
        if self.bias_regularizer_l1 > 0:
            loss += self.bias_regularizer_l1 * float(np.abs(self.biases).sum())
        if self.bias_regularizer_l2 > 0:
            loss += self.bias_regularizer_l2 * float(
                np.dot(self.biases.ravel(), self.biases.ravel())
            )
        return loss

    def config(self) -> dict[str, Any]:
        return {
            "type": "Dense",
            "n_inputs": self.n_inputs,
            "n_neurons": self.n_neurons,
            "weight_regularizer_l1": self.weight_regularizer_l1,
            "weight_regularizer_l2": self.weight_regularizer_l2,
            "bias_regularizer_l1": self.bias_regularizer_l1,
            "bias_regularizer_l2": self.bias_regularizer_l2,
            "init": self.init,
        }

    def __repr__(self) -> str:
        reg = ""
        if self.has_regularization:
            parts = [
                f"{k}={getattr(self, k):g}"
                for k in (
                    "weight_regularizer_l1",
                    "weight_regularizer_l2",
                    "bias_regularizer_l1",
                    "bias_regularizer_l2",
                )
                if getattr(self, k) > 0
            ]
            reg = ", " + ", ".join(parts)
        return f"Dense({self.n_inputs}, {self.n_neurons}{reg})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability ``rate`` and scale the
    survivors by ``1 / (1 - rate)``; in inference, pass the inputs through unchanged."""

    def __init__(self, rate: float, rng: RandomLike = None) -> None:
        super().__init__()
        rate = float(rate)
        if not (0.0 <= rate < 1.0):
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.rng = as_generator(rng)
        self.binary_mask: np.ndarray | None = None
        #: While True, ``forward`` reuses the last mask (a gradient check needs a fixed net).
        self.freeze_mask = False

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        """inputs : shape (n_samples, n_units) -> output of the same shape."""
        self.inputs = inputs
        if not training or self.rate == 0.0:
            self.binary_mask = None
            self.output = inputs
            return inputs
        if not (self.freeze_mask and self.binary_mask is not None):
            keep = 1.0 - self.rate
            mask = self.rng.random(inputs.shape) < keep
            self.binary_mask = mask.astype(inputs.dtype) / inputs.dtype.type(keep)
        self.output = inputs * self.binary_mask
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        """dvalues : shape (n_samples, n_units) -> dinputs of the same shape."""
        self.dinputs = dvalues if self.binary_mask is None else dvalues * self.binary_mask
        return self.dinputs

    def config(self) -> dict[str, Any]:
        return {"type": "Dropout", "rate": self.rate}

    def __repr__(self) -> str:
        return f"Dropout({self.rate:g})"
