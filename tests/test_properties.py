"""Property tests: shapes, label formats and bad inputs over many random cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model import (
    SGD,
    Adam,
    CategoricalCrossentropy,
    Dense,
    Dropout,
    Softmax,
    Trainer,
    build_network,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

architectures = st.fixed_dictionaries(
    {
        "n_inputs": st.integers(1, 5),
        "n_outputs": st.integers(2, 6),
        "hidden": st.lists(st.integers(1, 12), min_size=0, max_size=3),
        "activation": st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
        "dropout": st.sampled_from([0.0, 0.2]),
        "n_samples": st.integers(1, 40),
        "seed": st.integers(0, 2**16),
        "dtype": st.sampled_from([np.float32, np.float64]),
    }
)


@SETTINGS
@given(architectures)
def test_every_array_has_the_books_shape_after_a_training_step(a):
    net = build_network(
        a["n_inputs"],
        a["n_outputs"],
        a["hidden"],
        activation=a["activation"],
        dropout=a["dropout"] if a["hidden"] else 0.0,
        rng=a["seed"],
        dtype=a["dtype"],
    )
    g = np.random.default_rng(a["seed"])
    X = g.standard_normal((a["n_samples"], a["n_inputs"]))
    y = g.integers(0, a["n_outputs"], a["n_samples"])
    result = net.train_step(X, y, Adam(0.01))
    assert np.isfinite(result.data_loss)
    assert net.forward(X, training=False).shape == (a["n_samples"], a["n_outputs"])
    for layer in net.dense_layers:
        assert layer.dweights.shape == layer.weights.shape == (layer.n_inputs, layer.n_neurons)
        assert layer.dbiases.shape == layer.biases.shape == (1, layer.n_neurons)
        assert layer.weights.dtype == a["dtype"]
    assert net.predict(X).shape == (a["n_samples"],)


@SETTINGS
@given(st.integers(1, 30), st.integers(2, 6), st.integers(0, 2**16))
def test_sparse_and_one_hot_labels_give_the_same_loss_and_gradient(n, k, seed):
    g = np.random.default_rng(seed)
    probs = g.dirichlet(np.ones(k), size=n)
    labels = g.integers(0, k, n)
    loss = CategoricalCrossentropy()
    assert loss.calculate(probs, labels) == pytest.approx(loss.calculate(probs, np.eye(k)[labels]))
    sparse = loss.backward(probs, labels).copy()
    np.testing.assert_allclose(loss.backward(probs, np.eye(k)[labels]), sparse)


@SETTINGS
@given(st.integers(1, 30), st.integers(2, 6), st.integers(0, 2**16))
def test_softmax_outputs_are_probabilities(n, k, seed):
    logits = np.random.default_rng(seed).standard_normal((n, k)) * 50
    out = Softmax().forward(logits)
    assert np.all(out >= 0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


@SETTINGS
@given(
    st.one_of(
        st.integers(-5, 0),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=3),
        st.none(),
        st.booleans(),
    )
)
def test_dense_refuses_any_bad_size_with_a_value_error(size):
    with pytest.raises(ValueError):
        Dense(size, 3)


@SETTINGS
@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda r: not 0.0 <= r < 1.0))
def test_dropout_refuses_any_rate_outside_0_to_1(rate):
    with pytest.raises(ValueError, match="rate"):
        Dropout(rate)


@SETTINGS
@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not 0 < v < float("inf")))
def test_learning_rate_refuses_anything_but_a_positive_finite_number(value):
    with pytest.raises(ValueError, match="learning_rate"):
        SGD(learning_rate=value)


@SETTINGS
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
        elements=st.floats(-10, 10),
    )
)
def test_network_refuses_inputs_of_any_wrong_shape(X):
    net = build_network(2, 3, [4], rng=0)
    if X.ndim == 2 and X.shape[1] == 2:
        assert net.predict(X).shape == (X.shape[0],)
    else:
        with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
            net.predict(X)


@SETTINGS
@given(
    st.lists(st.integers(-3, 6), min_size=1, max_size=20).map(np.array),
)
def test_trainer_accepts_labels_in_range_and_refuses_the_rest_with_value_error(labels):
    net = build_network(2, 3, [4], rng=0)
    X = np.zeros((len(labels), 2))
    if labels.min() >= 0 and labels.max() <= 2:
        Trainer(net, Adam(), X, labels).run_epoch()
    else:
        with pytest.raises(ValueError, match=r"0\.\.2"):
            Trainer(net, Adam(), X, labels)
