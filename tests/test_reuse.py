"""What the engine reuses from one step to the next, and that reusing it never changes a result.

Layers keep what they derive from a read-only array they own (``frozen``): a Dense layer its
inputs with a column of ones, a loss the flat index and one-hot form of the labels. A ReLU
between two Dense layers of a network works in place. Each test pins a case where a stale copy
would show.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import (
    Adam,
    CategoricalCrossentropy,
    Dense,
    ReLU,
    SoftmaxCategoricalCrossentropy,
    build_network,
    spiral,
)
from model.layers import frozen, read_only


@pytest.fixture
def data():
    X, y = spiral(20, 3, rng=0)
    return X, y


def test_read_only_copies_and_leaves_the_original_writeable():
    original = np.arange(6.0).reshape(3, 2)
    copy = read_only(original, np.float32)
    assert copy.dtype == np.float32 and not copy.flags.writeable
    assert original.flags.writeable
    np.testing.assert_array_equal(copy, original)
    assert frozen(copy) and not frozen(original)


def test_a_read_only_view_of_a_writeable_array_is_not_frozen():
    base = np.zeros((4, 2))
    view = base[:2]
    view.flags.writeable = False
    assert not frozen(view)


def test_dense_reads_a_writeable_input_changed_in_place_since_the_last_call():
    layer = Dense(2, 8, rng=0)
    layer.biases[:] = 0.5
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    layer.forward(x)
    x[:] = [[-2.0, 0.5], [0.0, 4.0]]
    np.testing.assert_allclose(layer.forward(x), x @ layer.weights + 0.5, rtol=1e-13)


def test_dense_alternating_between_two_read_only_inputs_of_one_shape_uses_each():
    layer = Dense(2, 8, rng=0)
    a = read_only(np.array([[1.0, 2.0], [3.0, -1.0]]))
    b = read_only(np.array([[-2.0, 0.5], [0.0, 4.0]]))
    for x in (a, b, a, b):
        np.testing.assert_allclose(layer.forward(x), x @ layer.weights + layer.biases, rtol=1e-13)


def test_dense_gradients_from_a_read_only_input_equal_those_from_a_writeable_one():
    g = np.random.default_rng(0)
    x, d = g.standard_normal((5, 2)), g.standard_normal((5, 8))
    writeable, kept = Dense(2, 8, rng=1), Dense(2, 8, rng=1)
    for layer, inputs in ((writeable, x), (kept, read_only(x))):
        layer.forward(inputs)
        layer.forward(inputs)
        layer.backward(d)
    np.testing.assert_array_equal(kept.dweights, writeable.dweights)
    np.testing.assert_array_equal(kept.dbiases, writeable.dbiases)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_gradient_with_read_only_labels_equals_the_books_bit_for_bit(data, dtype):
    _, y = data
    probs = np.random.default_rng(0).dirichlet(np.ones(3), size=len(y)).astype(dtype)
    book = probs.copy()
    book[range(len(y)), y] -= 1
    book = book / len(y)
    loss = SoftmaxCategoricalCrossentropy()
    labels = read_only(y, np.intp)
    for _ in range(2):  # the second call uses the labels' one-hot form kept by the first
        np.testing.assert_allclose(loss.backward(probs, labels), book, rtol=1e-6, atol=0)
    np.testing.assert_array_equal(
        loss.backward(probs, labels), SoftmaxCategoricalCrossentropy().backward(probs, y.copy())
    )


def test_loss_follows_training_and_validation_labels_in_turn(data):
    _, y = data
    probs = np.random.default_rng(1).dirichlet(np.ones(3), size=len(y))
    train, val = read_only(y, np.intp), read_only((y + 1) % 3, np.intp)
    loss = CategoricalCrossentropy()
    expected = {
        id(labels): -np.mean(np.log(np.clip(probs[range(len(y)), labels], 1e-7, 1 - 1e-7)))
        for labels in (train, val)
    }
    for labels in (train, val, train, val):
        assert loss.calculate(probs, labels) == pytest.approx(expected[id(labels)], rel=1e-12)


def test_a_relu_on_its_own_leaves_the_incoming_gradient_unchanged():
    relu = ReLU()
    relu.forward(np.array([[1.0, -1.0, 2.0]]))
    dvalues = np.array([[5.0, 6.0, 7.0]])
    np.testing.assert_array_equal(relu.backward(dvalues), [[5.0, 0.0, 7.0]])
    np.testing.assert_array_equal(dvalues, [[5.0, 6.0, 7.0]])


def test_network_backward_gives_the_gradients_of_layer_by_layer_backward(data):
    X, y = data
    net = build_network(2, 3, (8, 6), rng=0)
    output = net.forward(X)
    net.backward(output, y)
    fused = net.grads.copy()
    dvalues = net.fused_loss.backward(output, y).copy()
    for layer in reversed(net.layers[:-1]):
        if isinstance(layer, ReLU):
            layer.in_place = False
        dvalues = layer.backward(dvalues.copy()) if dvalues is not None else None
    np.testing.assert_array_equal(net.grads, fused)


def test_adam_follows_betas_changed_between_steps():
    param, grad = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.25, -1.0])
    changed, fresh = Adam(0.1), Adam(0.1, beta_1=0.5, beta_2=0.9)
    a, b = param.copy(), param.copy()
    changed.step([a], [grad])  # the first step with the default betas...
    changed.beta_1, changed.beta_2 = 0.5, 0.9
    a[:] = param  # ...then the state is reset by hand, to compare one step with the new ones
    for state in changed.state_for(a).values():
        state[:] = 0
    changed.iterations = 0
    changed.step([a], [grad])
    fresh.step([b], [grad])
    np.testing.assert_array_equal(a, b)


def test_a_relu_on_its_own_leaves_its_inputs_unchanged():
    relu = ReLU()
    inputs = np.array([[1.0, -1.0, 2.0]])
    np.testing.assert_array_equal(relu.forward(inputs), [[1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(inputs, [[1.0, -1.0, 2.0]])


def test_network_forward_gives_the_output_of_layer_by_layer_forward(data):
    X, _ = data
    net = build_network(2, 3, (8, 6), rng=0)
    expected = X
    for layer in net.layers:
        expected = np.array(layer.forward(expected, training=True), copy=True)
    np.testing.assert_array_equal(net.forward(X), expected)
    assert [type(layer).__name__ for layer in net.layers if getattr(layer, "in_place", False)] == [
        "ReLU",
        "ReLU",
    ]


def test_a_relu_mask_after_an_inference_pass_marks_the_positive_inputs():
    relu = ReLU()
    inputs = np.array([[1.0, -1.0, 0.0, 2.0]])
    relu.forward(inputs, training=False)
    np.testing.assert_array_equal(relu.mask, [[True, False, False, True]])
    relu.forward(-inputs, training=False)  # a new pass: the mask follows it
    np.testing.assert_array_equal(relu.mask, [[False, True, False, False]])
