"""Network: chaining, the fused loss, inference, parameters, configuration."""

from __future__ import annotations

import numpy as np
import pytest

from model import (
    Adam,
    CategoricalCrossentropy,
    Dense,
    Dropout,
    MeanSquaredError,
    Network,
    ReLU,
    Softmax,
    SoftmaxCategoricalCrossentropy,
    build_network,
    network_from_config,
    spiral,
)


@pytest.fixture
def data():
    return spiral(30, 3, rng=0)


def test_softmax_with_crossentropy_trains_with_the_fused_gradient(data):
    X, y = data
    net = Network(
        [Dense(2, 8, rng=0), ReLU(), Dense(8, 3, rng=1), Softmax()], CategoricalCrossentropy()
    )
    out = net.forward(X)
    net.backward(out, y)
    fused = net.grads.copy()
    # The unfused chain: the loss's own backward, then Softmax's Jacobian backward.
    dvalues = CategoricalCrossentropy().backward(out.copy(), y)
    dvalues = net.layers[3].backward(dvalues)
    for layer in reversed(net.layers[:3]):
        dvalues = layer.backward(dvalues)
    np.testing.assert_allclose(net.grads, fused, rtol=1e-9, atol=1e-15)


def test_the_books_fused_loss_object_can_be_the_networks_loss(data):
    X, y = data
    a = Network([Dense(2, 8, rng=0), ReLU(), Dense(8, 3, rng=1)], SoftmaxCategoricalCrossentropy())
    b = Network(
        [Dense(2, 8, rng=0), ReLU(), Dense(8, 3, rng=1), Softmax()], CategoricalCrossentropy()
    )
    for net in (a, b):
        net.train_step(X, y, Adam(0.05))
    np.testing.assert_array_equal(a.params, b.params)


def test_sparse_and_one_hot_labels_train_identically(data):
    X, y = data
    a = build_network(2, 3, [8], rng=0)
    b = build_network(2, 3, [8], rng=0)
    ra = a.train_step(X, y, Adam(0.05))
    rb = b.train_step(X, np.eye(3)[y], Adam(0.05))
    assert ra == rb
    np.testing.assert_array_equal(a.params, b.params)


def test_layer_parameters_are_views_of_one_flat_vector():
    net = build_network(2, 3, [4, 5], rng=0)
    assert net.n_params == (2 * 4 + 4) + (4 * 5 + 5) + (5 * 3 + 3)
    net.params[:] = np.arange(net.n_params)
    assert net.dense_layers[0].weights[0, 0] == 0
    assert net.dense_layers[2].biases[0, -1] == net.n_params - 1
    for _, param, grad in net.parameters():
        assert np.shares_memory(param, net.params)
        assert np.shares_memory(grad, net.grads)


def test_parameters_are_named_by_layer():
    names = [name for name, _, _ in build_network(2, 3, [4], rng=0).parameters()]
    assert names == ["dense1.weights", "dense1.biases", "dense2.weights", "dense2.biases"]


def test_predict_proba_runs_in_inference_mode_without_dropout(data):
    X, _ = data
    net = build_network(2, 3, [16], dropout=0.5, rng=0)
    np.testing.assert_array_equal(net.predict_proba(X), net.predict_proba(X))
    assert np.allclose(net.predict_proba(X).sum(axis=1), 1.0)


def test_predict_proba_returns_a_new_array_each_call(data):
    X, _ = data
    net = build_network(2, 3, [4], rng=0)
    first = net.predict_proba(X)
    second = net.predict_proba(X[:5])
    np.testing.assert_array_equal(first[:5], second)


def test_predict_proba_on_more_rows_than_a_chunk_equals_row_by_row(monkeypatch, data):
    import model.network

    X, _ = data
    net = build_network(2, 3, [4], rng=0)
    whole = net.predict_proba(X)
    monkeypatch.setattr(model.network, "PREDICT_CHUNK", 7)
    np.testing.assert_allclose(net.predict_proba(X), whole, rtol=1e-12)


def test_predict_gives_classes_labels_or_values():
    X = np.random.default_rng(0).standard_normal((10, 2))
    assert build_network(2, 3, [4], rng=0).predict(X).shape == (10,)
    binary = build_network(2, 1, [4], task="binary", rng=0).predict(X)
    assert set(np.unique(binary)) <= {0, 1}
    assert build_network(2, 1, [4], task="regression", rng=0).predict(X).shape == (10, 1)


def test_task_follows_the_output_layer():
    assert build_network(2, 3, [4], rng=0).task == "classification"
    assert build_network(2, 1, [4], task="binary", rng=0).task == "binary"
    assert build_network(2, 1, [4], task="regression", rng=0).task == "regression"


def test_accuracy_matches_its_definition(data):
    X, y = data
    net = build_network(2, 3, [4], rng=0)
    out = net.forward(X)
    assert net.accuracy(out, y) == pytest.approx(np.mean(out.argmax(axis=1) == y))


def test_regression_accuracy_uses_the_books_precision():
    net = Network([Dense(1, 1, rng=0)], MeanSquaredError())
    y = np.linspace(0, 1, 100).reshape(-1, 1)
    out = y + np.std(y) / 500  # inside std / 250
    assert net.accuracy(out, y) == 1.0


def test_layer_sizes_that_do_not_chain_are_refused():
    with pytest.raises(ValueError, match=r"Dense\(2, 4\) is followed by Dense\(5, 3\)"):
        Network(
            [Dense(2, 4, rng=0), ReLU(), Dense(5, 3, rng=0), Softmax()], CategoricalCrossentropy()
        )


def test_inputs_of_the_wrong_shape_are_refused_with_the_expected_shape():
    net = build_network(2, 3, [4], rng=0)
    with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
        net.forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
        net.predict(np.ones(5))


def test_config_rebuilds_the_same_architecture():
    net = build_network(
        2, 3, [8, 4], activation=["tanh", "relu"], dropout=[0.1, 0.0], weight_l2=5e-4, rng=0
    )
    again = network_from_config(net.config(), rng=1)
    assert again.config() == net.config()
    assert again.summary() == net.summary()


def test_summary_is_one_readable_line():
    net = build_network(2, 3, [64], rng=0)
    assert net.summary() == "2 -> 64 ReLU -> 3 Softmax | CategoricalCrossentropy | 387 parameters"


def test_float32_network_trains_in_float32(data):
    X, y = data
    net = build_network(2, 3, [8], rng=0, dtype=np.float32)
    net.train_step(X, y, Adam(0.05))
    assert net.params.dtype == np.float32
    assert net.forward(X).dtype == np.float32


def test_build_network_refuses_per_layer_lists_of_the_wrong_length():
    with pytest.raises(ValueError, match="dropout needs one value per hidden layer"):
        build_network(2, 3, [4, 4], dropout=[0.1])


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"hidden": [0]}, "hidden layer sizes"),
        ({"activation": "swish"}, "activation"),
        ({"task": "ranking"}, "task"),
    ],
)
def test_build_network_refuses_bad_arguments_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        build_network(2, 3, **kwargs)


def test_network_with_dropout_is_reproducible_from_its_seed(data):
    X, y = data
    runs = []
    for _ in range(2):
        net = Network(
            [Dense(2, 8, rng=0), ReLU(), Dropout(0.2, rng=5), Dense(8, 3, rng=1), Softmax()],
            CategoricalCrossentropy(),
        )
        opt = Adam(0.05)
        for _ in range(5):
            net.train_step(X, y, opt)
        runs.append(net.get_params())
    np.testing.assert_array_equal(*runs)


def test_a_deep_copy_trains_on_its_own_parameters(data):
    import copy

    X, y = data
    net = build_network(2, 3, [8], rng=0)
    twin = copy.deepcopy(net)
    for layer in twin.dense_layers:
        assert np.shares_memory(layer.weights, twin.params)
        assert not np.shares_memory(layer.weights, net.params)
    twin.train_step(X, y, Adam(0.05))
    np.testing.assert_array_equal(twin.dense_layers[0].weights, twin.params[:16].reshape(2, 8))
    assert not np.array_equal(twin.params, net.params)
    np.testing.assert_allclose(twin.forward(X, training=False), X_forward(twin, X), rtol=1e-12)


def X_forward(net, X):
    d1, d2 = net.dense_layers
    return Softmax().forward(np.maximum(X @ d1.weights + d1.biases, 0) @ d2.weights + d2.biases)
