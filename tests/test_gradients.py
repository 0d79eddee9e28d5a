"""Every backward pass equals central differences of its forward pass (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from model import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Dense,
    Linear,
    MeanAbsoluteError,
    MeanSquaredError,
    ReLU,
    Sigmoid,
    Softmax,
    SoftmaxCategoricalCrossentropy,
    Tanh,
    build_network,
    gradient_check,
    spiral,
)

TOLERANCE = 1e-6


def numeric_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function ``f()`` w.r.t. every entry of ``x``."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(42)


@pytest.mark.parametrize("activation", [ReLU, Sigmoid, Tanh, Linear, Softmax])
def test_activation_backward_matches_central_differences(activation, rng):
    layer = activation()
    x = rng.standard_normal((6, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU inputs off its kink
    upstream = rng.standard_normal((6, 4))

    def f() -> float:
        return float(np.sum(layer.forward(x.copy()) * upstream))

    numeric = numeric_gradient(f, x)
    layer.forward(x.copy())
    analytic = layer.backward(upstream).copy()
    assert rel_error(analytic, numeric) < TOLERANCE


@pytest.mark.parametrize(
    "regularizers",
    [
        {},
        {"weight_regularizer_l2": 0.1, "bias_regularizer_l2": 0.05},
        {"weight_regularizer_l1": 0.1, "bias_regularizer_l1": 0.05},
        {
            "weight_regularizer_l1": 0.01,
            "weight_regularizer_l2": 0.02,
            "bias_regularizer_l1": 0.03,
            "bias_regularizer_l2": 0.04,
        },
    ],
    ids=["plain", "l2", "l1", "l1+l2"],
)
def test_dense_backward_matches_central_differences(regularizers, rng):
    layer = Dense(3, 4, rng=rng, **regularizers)
    layer.biases[...] = rng.standard_normal((1, 4))  # off the L1 kink at 0
    x = rng.standard_normal((5, 3))
    upstream = rng.standard_normal((5, 4))

    def f() -> float:
        return float(np.sum(layer.forward(x) * upstream) + layer.regularization_loss())

    numeric_w = numeric_gradient(f, layer.weights)
    numeric_b = numeric_gradient(f, layer.biases)
    numeric_x = numeric_gradient(f, x)
    layer.forward(x)
    layer.backward(upstream)
    assert rel_error(layer.dweights, numeric_w) < TOLERANCE
    assert rel_error(layer.dbiases, numeric_b) < TOLERANCE
    assert rel_error(layer.dinputs, numeric_x) < TOLERANCE


def _probabilities(rng, n=6, k=4):
    logits = rng.standard_normal((n, k))
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("one_hot", [False, True], ids=["sparse", "one-hot"])
def test_categorical_crossentropy_backward_matches_central_differences(one_hot, rng):
    probs = _probabilities(rng)
    labels = rng.integers(0, 4, 6)
    y = np.eye(4)[labels] if one_hot else labels
    loss = CategoricalCrossentropy()
    numeric = numeric_gradient(lambda: loss.calculate(probs, y), probs, eps=1e-7)
    analytic = loss.backward(probs, y)
    assert rel_error(analytic, numeric) < TOLERANCE


def test_fused_softmax_crossentropy_gradient_matches_central_differences_of_logits(rng):
    logits = rng.standard_normal((7, 3))
    y = rng.integers(0, 3, 7)
    fused = SoftmaxCategoricalCrossentropy()
    numeric = numeric_gradient(lambda: fused.forward(logits, y), logits)
    fused.forward(logits, y)
    analytic = fused.backward(fused.output, y)
    assert rel_error(analytic, numeric) < TOLERANCE


def test_binary_crossentropy_backward_matches_central_differences(rng):
    p = rng.uniform(0.05, 0.95, (6, 2))
    y = rng.integers(0, 2, (6, 2))
    loss = BinaryCrossentropy()
    numeric = numeric_gradient(lambda: loss.calculate(p, y), p)
    assert rel_error(loss.backward(p, y), numeric) < TOLERANCE


@pytest.mark.parametrize("loss_class", [MeanSquaredError, MeanAbsoluteError])
def test_regression_loss_backward_matches_central_differences(loss_class, rng):
    pred = rng.standard_normal((6, 2))
    y = pred + rng.choice([-1.0, 1.0], (6, 2)) * rng.uniform(0.1, 1.0, (6, 2))  # off MAE's kink
    loss = loss_class()
    numeric = numeric_gradient(lambda: loss.calculate(pred, y), pred)
    assert rel_error(loss.backward(pred, y), numeric) < TOLERANCE


def _spiral_off_origin(samples=15, classes=3):
    X, y = spiral(samples, classes, rng=0)
    keep = np.linalg.norm(X, axis=1) > 1e-3  # the spiral starts every arm at the origin
    return X[keep], y[keep]


@pytest.mark.parametrize(
    "hidden", [[5], [5, 4], [5, 4, 3]], ids=["1-hidden", "2-hidden", "3-hidden"]
)
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (1e-3, 0.0), (0.0, 1e-2), (1e-3, 1e-2)])
def test_network_gradients_pass_gradient_check(hidden, activation, l1, l2):
    X, y = _spiral_off_origin()
    net = build_network(
        2,
        3,
        hidden,
        activation=activation,
        weight_l1=l1,
        weight_l2=l2,
        bias_l1=l1,
        bias_l2=l2,
        init="he",
        rng=3,
    )
    result = gradient_check(net, X, y, max_per_param=None)
    assert result.passed, result
    assert result.max_error < TOLERANCE


@pytest.mark.parametrize(
    "task,n_outputs", [("binary", 1), ("regression", 2)], ids=["sigmoid+bce", "linear+mse"]
)
def test_network_gradients_pass_gradient_check_for_other_tasks(task, n_outputs):
    X, labels = _spiral_off_origin(15, 2)
    y = labels if task == "binary" else np.column_stack([X[:, 0] * X[:, 1], X[:, 0] - X[:, 1]])
    net = build_network(2, n_outputs, [6, 5], task=task, weight_l2=1e-3, init="he", rng=4)
    result = gradient_check(net, X, y, max_per_param=None)
    assert result.passed, result


def test_network_with_dropout_passes_gradient_check_with_masks_held_fixed():
    X, y = _spiral_off_origin()
    net = build_network(2, 3, [8, 8], dropout=0.3, init="he", rng=5)
    assert gradient_check(net, X, y, max_per_param=None).passed


def test_gradient_check_reports_one_result_per_dense_layer():
    X, y = _spiral_off_origin()
    net = build_network(2, 3, [4, 4], rng=0)
    result = gradient_check(net, X, y)
    assert [c.name for c in result.layers] == ["Dense 1 (2→4)", "Dense 2 (4→4)", "Dense 3 (4→3)"]
    assert [c.n_checked for c in result.layers] == [12, 20, 15]


def test_gradient_check_leaves_parameters_unchanged():
    X, y = _spiral_off_origin()
    net = build_network(2, 3, [6], rng=0, dropout=0.2)
    before = net.get_params()
    gradient_check(net, X, y)
    np.testing.assert_array_equal(net.params, before)


def test_gradient_check_leaves_out_samples_on_a_relu_kink():
    X, y = spiral(10, 3, rng=0)  # three points at the origin, and biases start at zero
    net = build_network(2, 3, [6], rng=0)
    result = gradient_check(net, X, y, max_per_param=None)
    assert result.excluded_samples >= 3
    assert result.passed


def test_gradient_check_of_a_float32_network_runs_in_float64():
    X, y = _spiral_off_origin()
    net = build_network(2, 3, [6], rng=0, init="he", dtype=np.float32)
    assert gradient_check(net, X, y).passed


def test_gradient_check_detects_a_wrong_backward_pass():
    X, y = _spiral_off_origin()
    net = build_network(2, 3, [6], activation="tanh", rng=0, init="he")
    tanh = net.layers[1]
    tanh.backward = lambda dvalues: setattr(tanh, "dinputs", dvalues * 1.5) or tanh.dinputs
    result = gradient_check(net, X, y)
    assert not result.layers[0].passed
    assert result.layers[1].passed


def test_gradient_check_samples_at_most_max_per_param_entries():
    X, y = _spiral_off_origin()
    net = build_network(2, 3, [40], rng=0)
    result = gradient_check(net, X, y, max_per_param=10)
    assert [c.n_checked for c in result.layers] == [20, 13]


def test_a_confident_trained_network_passes_the_check_despite_clipped_probabilities():
    from model import Adam, Trainer

    X, y = spiral(100, 3, rng=0)
    net = build_network(2, 3, [64], rng=0, init="he")
    Trainer(net, Adam(0.05, decay=5e-7), X, y).train(10001)  # the old check failed here
    result = gradient_check(net, X, y)
    assert result.passed, result
    assert result.excluded_samples > 0
