"""Optimizers with the book's update rules and defaults.

The learning rate follows ``current_learning_rate = learning_rate / (1 + decay * iterations)``.
State (momentums, caches) lives in the optimizer, keyed by the parameter array, never on
the layers; parameters are updated in place so their identity never changes. Use them the
book's way::

    optimizer.pre_update_params()
    for layer in dense_layers:
        optimizer.update_params(layer)
    optimizer.post_update_params()

or in one call, ``optimizer.step(params, grads)``, which a ``Network`` does with its one
flat parameter vector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Range:
    """The values a hyperparameter may take: finite numbers from ``low`` to ``high``, each
    end in or out. The engine, the run configuration and the window's fields all use these,
    so a value one of them accepts, the others accept too."""

    low: float
    high: float = math.inf
    low_inclusive: bool = False
    high_inclusive: bool = False

    def __contains__(self, value: float) -> bool:
        above = value >= self.low if self.low_inclusive else value > self.low
        below = value <= self.high if self.high_inclusive else value < self.high
        return math.isfinite(value) and above and below

    def describe(self) -> str:
        """``"> 0"``, ``">= 0"`` or ``"in [0, 1)"``."""
        if self.high == math.inf:
            return f"{'>=' if self.low_inclusive else '>'} {self.low:g}"
        low, high = "[" if self.low_inclusive else "(", "]" if self.high_inclusive else ")"
        return f"in {low}{self.low:g}, {self.high:g}{high}"

    def check(self, name: str, value: float) -> float:
        """``value`` as a float, or a ``ValueError`` naming ``name`` and what is allowed."""
        number = float(value)
        if number not in self:
            raise ValueError(f"{name} must be a finite number {self.describe()}, got {value}")
        return number


_POSITIVE = Range(0.0)
_UNIT = Range(0.0, 1.0, low_inclusive=True)

#: What each optimizer hyperparameter may be.
HYPERPARAMETER_RANGES: dict[str, Range] = {
    "learning_rate": _POSITIVE,
    "decay": Range(0.0, low_inclusive=True),
    "momentum": _UNIT,
    "epsilon": _POSITIVE,
    "rho": _UNIT,
    "beta_1": _UNIT,
    "beta_2": _UNIT,
}


class _Hyper:
    """A validated hyperparameter: assigning a value outside its ``HYPERPARAMETER_RANGES``
    entry raises ``ValueError`` naming it.

    It has no ``__get__``: the checked value sits in the instance's ``__dict__`` under the
    same name, so reading it (several times a step) is a plain attribute lookup.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.range = HYPERPARAMETER_RANGES[name]

    def __set__(self, obj: Any, value: float) -> None:
        obj.__dict__[self.name] = self.range.check(self.name, value)


class Optimizer:
    """Common optimizer: learning-rate decay, iteration count and per-parameter state."""

    learning_rate = _Hyper()
    decay = _Hyper()
    #: Hyperparameter names, in constructor order (for saving and for the GUI).
    hyperparameters: tuple[str, ...] = ("learning_rate", "decay")
    #: Names of the per-parameter state arrays.
    state_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float, decay: float) -> None:
        self.learning_rate = learning_rate
        self.decay = decay
        self.current_learning_rate = self.learning_rate
        self.iterations = 0
        self._state: dict[int, tuple[np.ndarray, dict[str, np.ndarray]]] = {}

    def state_for(self, param: np.ndarray) -> dict[str, np.ndarray]:
        """This optimizer's state arrays for ``param`` (zeros on first use)."""
        entry = self._state.get(id(param))
        if entry is None or entry[0] is not param:
            state = {name: np.zeros_like(param) for name in self.state_names}
            entry = self._state[id(param)] = (param, state)
        return entry[1]

    def has_state(self, param: np.ndarray) -> bool:
        """Whether ``param`` has state yet (``state_for`` would create it)."""
        entry = self._state.get(id(param))
        return entry is not None and entry[0] is param

    def pre_update_params(self) -> None:
        """Apply the decay schedule: call once before the updates of a step."""
        self.current_learning_rate = self.learning_rate / (1.0 + self.decay * self.iterations)

    def update_params(self, layer: Any) -> None:
        """Update every ``(parameter, gradient)`` pair of ``layer`` in place."""
        for param, grad in layer.parameters():
            self.update(param, grad)

    def post_update_params(self) -> None:
        """Count the step: call once after the updates."""
        self.iterations += 1

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One full optimizer step over matching lists of parameters and gradients."""
        self.pre_update_params()
        for param, grad in zip(params, grads, strict=True):
            self.update(param, grad)
        self.post_update_params()

    def update(self, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """Type and hyperparameters, ready for JSON."""
        return {"type": type(self).__name__, **{h: getattr(self, h) for h in self.hyperparameters}}

    def __repr__(self) -> str:
        args = ", ".join(f"{h}={getattr(self, h):g}" for h in self.hyperparameters)
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum when ``momentum > 0``."""

    momentum = _Hyper()
    hyperparameters = ("learning_rate", "decay", "momentum")
    state_names = ("momentums",)

    def __init__(self, learning_rate: float = 1.0, decay: float = 0.0, momentum: float = 0.0):
        super().__init__(learning_rate, decay)
        self.momentum = momentum

    def update(self, param: np.ndarray, grad: np.ndarray) -> None:
        lr = self.current_learning_rate
        if self.momentum:
            # updates = momentum * previous updates - lr * gradient
            m = self.state_for(param)["momentums"]
            m *= self.momentum
            m -= lr * grad
            param += m
        else:
            param -= lr * grad


class Adagrad(Optimizer):
    """Adaptive gradient: each parameter's step shrinks with its summed squared gradients."""

    epsilon = _Hyper()
    hyperparameters = ("learning_rate", "decay", "epsilon")
    state_names = ("cache",)

    def __init__(self, learning_rate: float = 1.0, decay: float = 0.0, epsilon: float = 1e-7):
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon

    def update(self, param: np.ndarray, grad: np.ndarray) -> None:
        cache = self.state_for(param)["cache"]
        cache += grad * grad
        param -= self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)


class RMSprop(Optimizer):
    """Root mean square propagation: a moving average of squared gradients scales each step."""

    epsilon = _Hyper()
    rho = _Hyper()
    hyperparameters = ("learning_rate", "decay", "epsilon", "rho")
    state_names = ("cache",)

    def __init__(
        self,
        learning_rate: float = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-7,
        rho: float = 0.9,
    ) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon
        self.rho = rho

    def update(self, param: np.ndarray, grad: np.ndarray) -> None:
        cache = self.state_for(param)["cache"]
        cache *= self.rho
        cache += (1 - self.rho) * (grad * grad)
        param -= self.current_learning_rate * grad / (np.sqrt(cache) + self.epsilon)


class Adam(Optimizer):
    """Adaptive momentum: bias-corrected moving averages of the gradient and its square."""

    epsilon = _Hyper()
    beta_1 = _Hyper()
    beta_2 = _Hyper()
    hyperparameters = ("learning_rate", "decay", "epsilon", "beta_1", "beta_2")
    state_names = ("momentums", "cache")

    def __init__(
        self,
        learning_rate: float = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-7,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
    ) -> None:
        super().__init__(learning_rate, decay)
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self._scratch: dict[int, _AdamScratch] = {}
        self._last: _AdamScratch | None = None

    def _scratch_for(self, param: np.ndarray, beta_1: float, beta_2: float) -> _AdamScratch:
        scratch = self._scratch.get(id(param))
        if scratch is None or not scratch.fits(param, beta_1, beta_2):
            scratch = _AdamScratch(param, self.state_for(param), beta_1, beta_2)
            self._scratch[id(param)] = scratch
        return scratch

    def update(self, param: np.ndarray, grad: np.ndarray) -> None:
        b1, b2 = self.beta_1, self.beta_2
        scratch = self._last  # the one used last, looked up again only for another array
        if scratch is None or scratch.param is not param or scratch.b1 != b1 or scratch.b2 != b2:
            scratch = self._last = self._scratch_for(param, b1, b2)
        m, v, tmp = scratch.m, scratch.v, scratch.tmp
        beta_1, one_minus_beta_1, beta_2, one_minus_beta_2 = scratch.betas
        # The book's  param -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
        # with both corrections moved into scalars (Kingma & Ba, section 2): the same
        # step, one pass over the parameters fewer.
        t = self.iterations + 1
        correction = math.sqrt(1 - b2**t)
        epsilon, step_size = scratch.epsilon, scratch.step_size
        epsilon[...] = self.epsilon * correction
        step_size[...] = self.current_learning_rate / (1 - b1**t) * correction
        # m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2, in place, no temporaries. Every
        # scalar is a 0-d array of the parameters' dtype: numpy converts a Python float on
        # every call, which costs more than the arithmetic on a few hundred values.
        np.multiply(grad, one_minus_beta_1, out=tmp)
        np.multiply(m, beta_1, out=m)
        np.add(m, tmp, out=m)
        np.multiply(grad, grad, out=tmp)
        np.multiply(tmp, one_minus_beta_2, out=tmp)
        np.multiply(v, beta_2, out=v)
        np.add(v, tmp, out=v)
        np.sqrt(v, out=tmp)
        np.add(tmp, epsilon, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, step_size, out=tmp)
        np.subtract(param, tmp, out=param)


class _AdamScratch:
    """What Adam keeps for one parameter array: its state arrays (the ones ``state_for``
    returns), a scratch array, and the scalars as 0-d arrays of the parameters' dtype."""

    def __init__(
        self, param: np.ndarray, state: dict[str, np.ndarray], beta_1: float, beta_2: float
    ) -> None:
        self.param, self.shape, self.dtype = param, param.shape, param.dtype
        self.m, self.v = state["momentums"], state["cache"]
        self.b1, self.b2 = beta_1, beta_2
        self.tmp = np.empty_like(param)
        betas = np.array([beta_1, 1 - beta_1, beta_2, 1 - beta_2], dtype=param.dtype)
        self.betas = tuple(betas[i, ...] for i in range(4))
        #: Written on every step: epsilon * correction, and the step size.
        self.epsilon = np.empty((), dtype=param.dtype)
        self.step_size = np.empty((), dtype=param.dtype)

    def fits(self, param: np.ndarray, beta_1: float, beta_2: float) -> bool:
        return (
            self.param is param
            and self.shape == param.shape
            and self.dtype == param.dtype
            and self.b1 == beta_1
            and self.b2 == beta_2
        )


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.__name__: cls for cls in (SGD, Adagrad, RMSprop, Adam)
}


def optimizer_from_config(config: dict[str, Any]) -> Optimizer:
    """Build an optimizer from ``{"type": "Adam", "learning_rate": ..., ...}``."""
    config = dict(config)
    kind = config.pop("type", None)
    if kind not in OPTIMIZERS:
        raise ValueError(f"optimizer type must be one of {', '.join(OPTIMIZERS)}, got {kind!r}")
    cls = OPTIMIZERS[kind]
    unknown = set(config) - set(cls.hyperparameters)
    if unknown:
        raise ValueError(
            f"{kind} has no hyperparameter {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(cls.hyperparameters)}"
        )
    return cls(**config)
