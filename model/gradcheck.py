"""Numerical gradient check: central differences against backpropagation, per layer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model._random import RandomLike, as_generator
from model.activations import ReLU
from model.build import network_from_config
from model.layers import Dropout
from model.losses import (
    EPS,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SoftmaxCategoricalCrossentropy,
    sparse_labels,
)
from model.network import Network
from model.trainer import dense_name

#: Samples with a ReLU input within this many epsilons of 0 sit on the kink, where the
#: derivative does not exist and central differences disagree with any one-sided rule.
KINK_EPSILONS = 20

#: Below this relative error a layer's analytic gradients are taken as right (float64).
THRESHOLD = 1e-6


@dataclass(frozen=True)
class LayerCheck:
    """How far one Dense layer's analytic gradients are from the numerical ones."""

    name: str
    #: ``||analytic - numeric|| / (||analytic|| + ||numeric||)`` over the checked entries.
    relative_error: float
    n_checked: int
    passed: bool


@dataclass(frozen=True)
class GradCheckResult:
    layers: tuple[LayerCheck, ...]
    passed: bool
    max_error: float
    #: Samples left out because a ReLU input lay on its kink (e.g. a point at the origin
    #: with zero biases).
    excluded_samples: int = 0


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``||a - n|| / (||a|| + ||n||)``, and 0.0 when both are zero."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def gradient_check(
    network: Network,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epsilon: float = 1e-6,
    max_per_param: int | None = 500,
    rng: RandomLike = 0,
    threshold: float = THRESHOLD,
) -> GradCheckResult:
    """Compare every layer's ``dweights`` and ``dbiases`` with central differences of the
    total loss (data + regularization), ``(L(p + eps) - L(p - eps)) / (2 eps)``, in float64.

    X : shape (n_samples, n_inputs). Dropout masks are drawn once and held fixed so the loss
    is a deterministic function of the parameters. At most ``max_per_param`` entries of each
    weight and bias array are checked (a seeded random subset; ``None`` checks them all).
    The network's parameters are left exactly as they were; its layer buffers are not.
    """
    if not (np.isfinite(epsilon) and epsilon > 0):
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon}")
    if max_per_param is not None and max_per_param < 1:
        raise ValueError(f"max_per_param must be >= 1 or None, got {max_per_param}")
    if network.dtype == np.float64:
        net = network
    else:  # float32 cannot resolve central differences: check a float64 copy
        config = dict(network.config(), dtype="float64")
        net = network_from_config(config)
        net.set_params(network.params.astype(np.float64))
    X = np.asarray(X, dtype=np.float64)
    gen = as_generator(rng)
    dropouts = [layer for layer in net.layers if isinstance(layer, Dropout)]
    saved = net.params.copy()

    def total_loss() -> float:
        output = net.forward(X, training=True)
        return net.data_loss(output, y) + net.regularization_loss()

    try:
        for layer in dropouts:
            layer.binary_mask, layer.freeze_mask = None, True
        # This forward pass also draws the dropout masks that every later pass reuses.
        on_kink = _samples_on_kink(net, X, y, KINK_EPSILONS * epsilon)
        excluded = int(on_kink.sum())
        if excluded == len(X):
            raise ValueError(
                "every sample sits on a ReLU kink or a clipped probability: "
                "no gradient can be checked"
            )
        if excluded:
            keep = ~on_kink
            X, y = X[keep], np.asarray(y)[keep]
            for layer in dropouts:
                layer.binary_mask = layer.binary_mask[keep]
        output = net.forward(X, training=True)
        net.backward(output, y)
        analytic = net.grads.copy()
        checks = []
        for i, dense in enumerate(net.dense_layers):
            indices = []
            for name in ("weights", "biases"):
                span = net.param_slices[i, name]
                idx = np.arange(span.start, span.stop)
                if max_per_param is not None and len(idx) > max_per_param:
                    idx = np.sort(gen.choice(idx, max_per_param, replace=False))
                indices.append(idx)
            idx = np.concatenate(indices)
            numeric = np.empty(len(idx))
            for k, j in enumerate(idx):
                original = net.params[j]
                net.params[j] = original + epsilon
                plus = total_loss()
                net.params[j] = original - epsilon
                minus = total_loss()
                net.params[j] = original
                numeric[k] = (plus - minus) / (2 * epsilon)
            error = relative_error(analytic[idx], numeric)
            checks.append(
                LayerCheck(dense_name(i, dense), error, len(idx), bool(error < threshold))
            )
    finally:
        np.copyto(net.params, saved)
        for layer in dropouts:
            layer.freeze_mask = False
    max_error = max(c.relative_error for c in checks)
    return GradCheckResult(tuple(checks), all(c.passed for c in checks), max_error, excluded)


def _samples_on_kink(net: Network, X: np.ndarray, y: np.ndarray, tolerance: float) -> np.ndarray:
    """Boolean mask, shape (n_samples,): samples where the loss is not smooth in the
    parameters, so central differences cannot be compared with backpropagation:

    - some ReLU input is ~0 (the kink; in training mode, with the dropout masks the check
      will use);
    - a probability the cross-entropy reads is clipped to [1e-7, 1 - 1e-7] (a confident
      trained network): the clipped loss is flat there, the analytic gradient is not.
    """
    on_kink = np.zeros(len(X), dtype=bool)
    out = X
    for layer in net.layers:
        if isinstance(layer, ReLU):
            on_kink |= (np.abs(out) < tolerance).any(axis=1)
        out = layer.forward(out, training=True)
    margin = 2 * EPS
    if isinstance(net.loss, (CategoricalCrossentropy, SoftmaxCategoricalCrossentropy)):
        labels = sparse_labels(y)
        p = np.take_along_axis(out, labels.reshape(-1, 1), axis=1)[:, 0]
        on_kink |= (p < margin) | (p > 1 - margin)
    elif isinstance(net.loss, BinaryCrossentropy):
        on_kink |= ((out < margin) | (out > 1 - margin)).any(axis=1)
    return on_kink
