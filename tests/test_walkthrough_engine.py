"""The walkthrough's numbers: the chapter's neuron, softmax two ways, one sample's trace."""

from __future__ import annotations

import numpy as np
import pytest

from model import build_network, spiral
from model.walkthrough import (
    CHAPTER_B,
    CHAPTER_W,
    CHAPTER_X,
    neuron_descent,
    neuron_pass,
    neuron_update,
    sample_trace,
    softmax_backward_jacobian_loop,
    softmax_two_ways,
    time_softmax_paths,
)


def test_neuron_forward_gives_the_chapters_values():
    p = neuron_pass(CHAPTER_X, CHAPTER_W, CHAPTER_B)
    assert p.xw == (-3.0, 2.0, 6.0)
    assert (p.z, p.y) == (6.0, 6.0)


def test_neuron_backward_gives_the_chapters_gradients():
    p = neuron_pass(CHAPTER_X, CHAPTER_W, CHAPTER_B)
    assert (p.dvalue, p.drelu, p.dz) == (1.0, 1.0, 1.0)
    assert p.dx == (-3.0, -1.0, 2.0)
    assert p.dw == (1.0, -2.0, 3.0)
    assert p.db == 1.0


def test_one_update_lowers_the_output_from_6_to_5_985():
    w, b = neuron_update(CHAPTER_X, CHAPTER_W, CHAPTER_B, learning_rate=0.001)
    assert w == pytest.approx((-3.001, -0.998, 1.997))
    assert b == pytest.approx(0.999)
    assert neuron_pass(CHAPTER_X, w, b).y == pytest.approx(5.985)


def test_a_negative_sum_kills_every_gradient_upstream():
    p = neuron_pass(CHAPTER_X, CHAPTER_W, -10.0)
    assert p.z == -5.0 and p.y == 0.0
    assert p.drelu == 0.0
    assert p.dx == (0.0, 0.0, 0.0) and p.dw == (0.0, 0.0, 0.0) and p.db == 0.0


def test_a_hundred_steps_make_the_output_fall():
    outputs = neuron_descent(CHAPTER_X, CHAPTER_W, CHAPTER_B, 0.001, 100)
    assert outputs.shape == (101,)
    assert outputs[0] == 6.0 and outputs[1] == pytest.approx(5.985)
    assert np.all(np.diff(outputs) < 0)


def test_neuron_refuses_mismatched_inputs_and_weights():
    with pytest.raises(ValueError, match="one weight per input"):
        neuron_pass((1.0, 2.0), CHAPTER_W, 0.0)


def test_softmax_jacobian_path_equals_the_shortcut_to_1e_12():
    X, y = spiral(50, 3, rng=0)
    net = build_network(2, 3, [16], rng=0, init="he")
    logits = net.dense_layers[-1].forward(net.layers[1].forward(net.dense_layers[0].forward(X)))
    for i in (0, 57, 149):
        two = softmax_two_ways(logits[i], int(y[i]), n_samples=len(X))
        assert two.max_difference < 1e-12
        np.testing.assert_allclose(
            two.jacobian, np.diag(two.probs) - np.outer(two.probs, two.probs)
        )


def test_the_jacobian_loop_equals_the_vectorised_softmax_backward():
    g = np.random.default_rng(0)
    probs = g.dirichlet(np.ones(4), size=30)
    dvalues = g.standard_normal((30, 4))
    from model import Softmax

    softmax = Softmax()
    softmax.output = probs
    np.testing.assert_allclose(
        softmax_backward_jacobian_loop(probs, dvalues), softmax.backward(dvalues), atol=1e-15
    )


def test_path_timings_measure_both_roads_on_the_same_batch():
    g = np.random.default_rng(0)
    timings = time_softmax_paths(g.standard_normal((300, 3)), g.integers(0, 3, 300), repeats=2)
    assert timings.n_samples == 300
    assert timings.jacobian_loop_us > 0 and timings.vectorised_us > 0 and timings.fused_us > 0
    assert timings.max_difference < 1e-12


@pytest.mark.parametrize("kwargs", [{}, {"activation": "tanh"}, {"dropout": 0.2}])
def test_per_sample_traces_sum_to_the_full_batch_gradients(kwargs):
    X, y = spiral(20, 3, rng=0)
    net = build_network(2, 3, [8, 6], rng=1, init="he", **kwargs)
    out = net.forward(X, training=False)
    net.backward(out, y)
    full = [(d.dweights.copy(), d.dbiases.copy()) for d in net.dense_layers]
    sums = [(np.zeros_like(w), np.zeros(b.size)) for w, b in full]
    for i in range(len(X)):
        dense_traces = [t for t in sample_trace(net, X, y, i) if t.kind == "Dense"][::-1]
        for (sw, sb), t in zip(sums, dense_traces, strict=True):
            sw += t.dweights
            sb += t.dbiases
    for (w, b), (sw, sb) in zip(full, sums, strict=True):
        np.testing.assert_allclose(sw, w, atol=1e-14)
        np.testing.assert_allclose(sb, b.ravel(), atol=1e-14)


def test_trace_walks_from_the_loss_down_to_the_first_layer():
    X, y = spiral(10, 3, rng=0)
    net = build_network(2, 3, [4], rng=0)
    kinds = [t.kind for t in sample_trace(net, X, y, 5)]
    assert kinds == ["Softmax+loss", "Dense", "ReLU", "Dense"]


def test_trace_shows_the_relu_mask_applied():
    X, y = spiral(10, 3, rng=0)
    net = build_network(2, 3, [4], rng=0, init="he")
    relu = next(t for t in sample_trace(net, X, y, 7) if t.kind == "ReLU")
    np.testing.assert_array_equal(relu.dinputs, relu.dvalues * relu.mask)


def test_trace_refuses_an_index_outside_the_batch():
    X, y = spiral(10, 3, rng=0)
    with pytest.raises(ValueError, match=r"0\.\.29"):
        sample_trace(build_network(2, 3, [4], rng=0), X, y, 30)


def test_hidden_activations_give_one_map_per_hidden_layer():
    from model.walkthrough import hidden_activations

    net = build_network(2, 3, [5, 4], rng=0, init="he", dropout=0.3)
    grid = np.random.default_rng(0).standard_normal((50, 2))
    maps = hidden_activations(net, grid)
    assert [m.shape for m in maps] == [(50, 5), (50, 4)]
    assert np.all(maps[0] >= 0)  # after ReLU
    expected = np.maximum(grid @ net.dense_layers[0].weights + net.dense_layers[0].biases, 0)
    np.testing.assert_allclose(maps[0], expected)


def test_dead_units_are_relu_neurons_silent_for_every_sample():
    from model.walkthrough import dead_units

    net = build_network(2, 3, [6], rng=0, init="he")
    net.dense_layers[0].biases[0, [1, 4]] = -100.0
    X, _ = spiral(10, 3, rng=0)
    np.testing.assert_array_equal(dead_units(net, X)[0], [0, 1, 0, 0, 1, 0])


def test_tanh_units_are_never_called_dead():
    from model.walkthrough import dead_units

    net = build_network(2, 3, [6], activation="tanh", rng=0)
    net.dense_layers[0].biases[0, :] = -100.0
    X, _ = spiral(10, 3, rng=0)
    assert not dead_units(net, X)[0].any()
