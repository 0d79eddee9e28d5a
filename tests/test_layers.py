"""Layers and activations keep the book's conventions and compute its math."""

from __future__ import annotations

import numpy as np
import pytest

from model import Dense, Dropout, Linear, ReLU, Sigmoid, Softmax, Tanh


def book_softmax_backward(output: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """The chapter's per-sample Jacobian loop, verbatim in spirit."""
    dinputs = np.empty_like(dvalues)
    for index, (single_output, single_dvalues) in enumerate(zip(output, dvalues, strict=True)):
        single_output = single_output.reshape(-1, 1)
        jacobian_matrix = np.diagflat(single_output) - np.dot(single_output, single_output.T)
        dinputs[index] = np.dot(jacobian_matrix, single_dvalues)
    return dinputs


def test_softmax_backward_equals_the_chapters_jacobian_loop():
    g = np.random.default_rng(0)
    softmax = Softmax()
    softmax.forward(g.standard_normal((50, 5)) * 3)
    dvalues = g.standard_normal((50, 5))
    expected = book_softmax_backward(softmax.output, dvalues)
    np.testing.assert_allclose(softmax.backward(dvalues), expected, rtol=0, atol=1e-12)


def test_softmax_jacobian_helper_is_diag_minus_outer_product():
    s = np.array([0.7, 0.1, 0.2])
    np.testing.assert_allclose(Softmax.jacobian(s), np.diag(s) - np.outer(s, s))


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    out = Softmax().forward(np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert np.all(np.isfinite(out))


def test_relu_backward_equals_the_books_masking():
    g = np.random.default_rng(1)
    relu = ReLU()
    x = g.standard_normal((20, 6))
    x[0, 0] = 0.0
    relu.forward(x)
    dvalues = g.standard_normal((20, 6))
    book = dvalues.copy()
    book[x <= 0] = 0
    np.testing.assert_array_equal(relu.backward(dvalues), book)


def test_forward_sets_and_returns_output():
    for layer in (Dense(3, 2, rng=0), ReLU(), Softmax(), Sigmoid(), Tanh(), Linear()):
        x = np.random.default_rng(0).standard_normal((4, 3 if isinstance(layer, Dense) else 2))
        out = layer.forward(x)
        assert out is layer.output
        assert layer.inputs is x


def test_backward_sets_and_returns_dinputs():
    for layer in (Dense(3, 2, rng=0), ReLU(), Softmax(), Sigmoid(), Tanh(), Linear()):
        n_in = 3 if isinstance(layer, Dense) else 2
        layer.forward(np.ones((4, n_in)))
        d = layer.backward(np.ones((4, 2)))
        assert d is layer.dinputs
        assert d.shape == (4, n_in)


def test_dense_keeps_the_books_shapes():
    layer = Dense(2, 5, rng=0)
    assert layer.weights.shape == (2, 5)
    assert layer.biases.shape == (1, 5)
    layer.forward(np.ones((7, 2)))
    layer.backward(np.ones((7, 5)))
    assert layer.dweights.shape == (2, 5)
    assert layer.dbiases.shape == (1, 5)


def test_dense_starts_like_the_book_from_the_same_random_state():
    book_weights = 0.01 * np.random.RandomState(0).randn(2, 64)
    layer = Dense(2, 64, rng=np.random.RandomState(0))
    np.testing.assert_array_equal(layer.weights, book_weights)
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 64)))


def test_dense_with_the_same_seed_is_reproducible_and_ignores_global_state():
    np.random.seed(1)
    a = Dense(3, 4, rng=7).weights.copy()
    np.random.seed(2)
    b = Dense(3, 4, rng=7).weights.copy()
    np.testing.assert_array_equal(a, b)


def test_dense_never_touches_numpys_global_random_state():
    state = np.random.get_state()[1].copy()
    Dense(3, 4, rng=None)
    Dropout(0.5, rng=None).forward(np.ones((3, 3)))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("init", ["he", "glorot"])
def test_scaled_initialisations_keep_the_activations_variance(init):
    layer = Dense(256, 256, rng=0, init=init)
    expected = 2 / 256 if init == "he" else 2 / 512
    assert layer.weights.var() == pytest.approx(expected, rel=0.05)


def test_dense_in_float32_computes_in_float32():
    layer = Dense(2, 3, rng=0, dtype=np.float32)
    out = layer.forward(np.ones((4, 2), dtype=np.float32))
    assert out.dtype == np.float32
    assert layer.weights.dtype == np.float32


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"n_inputs": 0, "n_neurons": 3}, "n_inputs"),
        ({"n_inputs": 2, "n_neurons": -1}, "n_neurons"),
        ({"n_inputs": 2.5, "n_neurons": 3}, "n_inputs"),
        ({"n_inputs": 2, "n_neurons": 3, "weight_regularizer_l2": -1.0}, "weight_regularizer_l2"),
        (
            {"n_inputs": 2, "n_neurons": 3, "bias_regularizer_l1": float("nan")},
            "bias_regularizer_l1",
        ),
        ({"n_inputs": 2, "n_neurons": 3, "init": "zeros"}, "init"),
    ],
)
def test_dense_refuses_bad_arguments_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Dense(**kwargs)


def test_assigning_a_bad_regularizer_to_a_dense_layer_is_refused_naming_it():
    layer = Dense(2, 3, rng=0)
    with pytest.raises(ValueError, match="bias_regularizer_l2 must be a finite number >= 0"):
        layer.bias_regularizer_l2 = -0.5
    assert layer.bias_regularizer_l2 == 0.0


def test_a_regularizer_set_after_construction_reaches_the_gradients():
    X, dvalues = np.ones((4, 2)), np.ones((4, 3))
    layer = Dense(2, 3, rng=0)
    layer.forward(X)
    layer.backward(dvalues)
    plain = layer.dweights.copy()
    layer.weight_regularizer_l2 = 0.5
    layer.forward(X)
    layer.backward(dvalues)
    np.testing.assert_allclose(layer.dweights, plain + 2 * 0.5 * layer.weights)
    assert layer.regularization_loss() > 0
    layer.weight_regularizer_l2 = 0.0
    assert not layer.has_regularization


def test_dense_regularization_loss_is_the_books_penalty():
    layer = Dense(
        2,
        2,
        rng=0,
        weight_regularizer_l1=0.1,
        weight_regularizer_l2=0.2,
        bias_regularizer_l1=0.3,
        bias_regularizer_l2=0.4,
    )
    layer.weights[...] = [[1.0, -2.0], [3.0, -4.0]]
    layer.biases[...] = [[0.5, -1.5]]
    expected = 0.1 * 10 + 0.2 * 30 + 0.3 * 2.0 + 0.4 * 2.5
    assert layer.regularization_loss() == pytest.approx(expected)


def test_dropout_is_off_in_inference():
    x = np.ones((10, 10))
    np.testing.assert_array_equal(Dropout(0.5, rng=0).forward(x, training=False), x)


def test_dropout_is_inverted_so_the_expected_sum_is_unchanged():
    out = Dropout(0.3, rng=0).forward(np.ones((1000, 100)))
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7])
    assert out.mean() == pytest.approx(1.0, abs=0.01)


def test_dropout_backward_uses_the_same_mask():
    layer = Dropout(0.5, rng=0)
    out = layer.forward(np.ones((5, 8)))
    np.testing.assert_array_equal(layer.backward(np.ones((5, 8))), out)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 2.0])
def test_dropout_refuses_a_rate_outside_0_to_1(rate):
    with pytest.raises(ValueError, match="rate"):
        Dropout(rate)


def test_sigmoid_does_not_warn_or_fail_for_very_negative_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = Sigmoid().forward(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0]])


def test_layers_have_readable_reprs():
    assert repr(Dense(2, 64, rng=0, weight_regularizer_l2=5e-4)) == (
        "Dense(2, 64, weight_regularizer_l2=0.0005)"
    )
    assert repr(Dropout(0.1)) == "Dropout(0.1)"
    assert repr(ReLU()) == "ReLU()"


@pytest.mark.parametrize(
    "shape", [(2, 64), (64, 3), (5, 5)], ids=["widening", "narrowing", "square"]
)
def test_dense_computes_the_books_formulas_whichever_way_it_multiplies(shape):
    g = np.random.default_rng(3)
    layer = Dense(*shape, rng=g)
    layer.biases[...] = g.standard_normal((1, shape[1]))
    x = g.standard_normal((7, shape[0]))
    d = g.standard_normal((7, shape[1]))
    np.testing.assert_allclose(layer.forward(x), x @ layer.weights + layer.biases, rtol=1e-13)
    layer.backward(d)
    np.testing.assert_allclose(layer.dweights, x.T @ d, rtol=1e-13)
    np.testing.assert_allclose(layer.dbiases, d.sum(axis=0, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(layer.dinputs, d @ layer.weights.T, rtol=1e-13)


def test_dense_uses_weights_assigned_the_books_way():
    layer = Dense(2, 4, rng=0)
    layer.weights = np.arange(8.0).reshape(2, 4)  # the book's load_parameters does this
    layer.biases = np.ones((1, 4))
    x = np.array([[1.0, 2.0]])
    np.testing.assert_array_equal(layer.forward(x), x @ layer.weights + 1.0)
    layer.backward(np.ones((1, 4)))
    np.testing.assert_array_equal(layer.dweights, [[1.0] * 4, [2.0] * 4])


def reference_softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_classes", [1, 2, 3, 8, 9, 20])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_matches_the_formula_for_few_and_many_classes(n_classes, dtype):
    x = (np.random.default_rng(n_classes).standard_normal((40, n_classes)) * 5).astype(dtype)
    out = Softmax().forward(x)
    assert out.dtype == dtype
    np.testing.assert_allclose(
        out, reference_softmax(x), rtol=1e-5 if dtype == np.float32 else 1e-12
    )


def test_softmax_reads_an_input_array_changed_in_place_since_the_last_call():
    softmax = Softmax()
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 5.0]])
    softmax.forward(x)
    x[:] = [[3.0, 2.0, 1.0], [4.0, 0.0, 0.0]]
    np.testing.assert_allclose(softmax.forward(x), reference_softmax(x), rtol=1e-12)


def test_softmax_follows_batch_size_changes_and_back():
    softmax = Softmax()
    g = np.random.default_rng(3)
    for n in (7, 3, 7, 1, 7):
        x = g.standard_normal((n, 3))
        np.testing.assert_allclose(softmax.forward(x), reference_softmax(x), rtol=1e-12)


def test_dense_in_float32_accepts_float64_inputs_and_gradients():
    layer = Dense(3, 2, rng=0, dtype=np.float32)
    layer.biases[:] = [[0.5, -0.25]]
    x = np.random.default_rng(0).standard_normal((6, 3))
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x @ layer.weights + layer.biases, rtol=1e-6)
    dvalues = np.random.default_rng(1).standard_normal((6, 2))
    dinputs = layer.backward(dvalues)
    np.testing.assert_allclose(layer.dweights, x.T @ dvalues, rtol=1e-5)
    np.testing.assert_allclose(layer.dbiases, dvalues.sum(axis=0, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(dinputs, dvalues @ layer.weights.T, rtol=1e-5)


def test_narrow_dense_adds_its_biases_to_every_sample():
    layer = Dense(4, 3, rng=0)
    layer.biases[:] = [[1.0, -2.0, 0.5]]
    x = np.random.default_rng(0).standard_normal((5, 4))
    np.testing.assert_allclose(layer.forward(x), x @ layer.weights + layer.biases, rtol=1e-13)
    x = x[:2]  # a smaller batch gets its own buffers
    np.testing.assert_allclose(layer.forward(x), x @ layer.weights + layer.biases, rtol=1e-13)


def test_narrow_dense_uses_biases_assigned_as_a_new_array():
    layer = Dense(4, 3, rng=0)
    layer.biases = np.array([[3.0, 2.0, 1.0]])
    x = np.random.default_rng(1).standard_normal((5, 4))
    np.testing.assert_allclose(layer.forward(x), x @ layer.weights + [[3.0, 2.0, 1.0]])
