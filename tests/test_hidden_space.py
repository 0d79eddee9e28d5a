"""The hidden space (ConvNetJS's transformed view): points and grid lines on two neurons."""

from __future__ import annotations

import numpy as np
import pytest

from model.build import build_network
from model.hidden_space import grid_lines, hidden_space, line_1d

X = np.random.default_rng(0).uniform(-1, 1, (30, 2))


def relu_layer(network, points, layer=0):
    out = points
    for dense in network.dense_layers[: layer + 1]:
        out = np.maximum(out @ dense.weights + dense.biases, 0)
    return out


def test_grid_lines_are_vertical_then_horizontal_straight_lines():
    lines = grid_lines((-1, 1, -2, 2), n_lines=5, n_steps=7)
    assert lines.shape == (10, 7, 2)
    assert np.all(lines[:5, :, 0] == lines[:5, :1, 0])  # vertical: x fixed
    assert np.all(lines[5:, :, 1] == lines[5:, :1, 1])  # horizontal: y fixed
    assert lines[:, :, 0].min() == -1 and lines[:, :, 1].max() == 2


def test_points_land_on_the_chosen_neurons_outputs():
    network = build_network(2, 3, (8,), rng=1, init="he")
    space = hidden_space(network, X, grid_lines((-1, 1, -1, 1)), 0, (2, 5))
    np.testing.assert_allclose(space.points, relu_layer(network, X)[:, [2, 5]], atol=1e-12)


def test_grid_lines_are_mapped_point_by_point():
    network = build_network(2, 3, (8,), rng=1, init="he")
    lines = grid_lines((-1, 1, -1, 1), n_lines=3, n_steps=4)
    space = hidden_space(network, X, lines, 0, (0, 1))
    expected = relu_layer(network, lines.reshape(-1, 2))[:, [0, 1]].reshape(6, 4, 2)
    np.testing.assert_allclose(space.lines, expected, atol=1e-12)


def test_a_deeper_layer_is_reached_through_the_ones_before():
    network = build_network(2, 3, (8, 6), rng=2, init="he")
    space = hidden_space(network, X, grid_lines((-1, 1, -1, 1)), 1, (4, 0))
    np.testing.assert_allclose(space.points, relu_layer(network, X, 1)[:, [4, 0]], atol=1e-12)


def test_one_column_data_maps_its_axis_as_one_curve():
    network = build_network(1, 1, (4,), task="regression", rng=0)
    xs = np.linspace(0, 1, 10).reshape(-1, 1)
    space = hidden_space(network, xs, line_1d((0.0, 1.0), 50), 0, (0, 3))
    assert space.lines.shape == (1, 50, 2) and space.points.shape == (10, 2)


def test_a_network_without_hidden_layers_is_refused():
    network = build_network(2, 3, (), rng=0)
    with pytest.raises(ValueError, match="no hidden layer"):
        hidden_space(network, X, grid_lines((-1, 1, -1, 1)), 0, (0, 1))


def test_a_layer_out_of_range_is_refused_naming_the_range():
    network = build_network(2, 3, (8,), rng=0)
    with pytest.raises(ValueError, match=r"hidden layer must be in 0..0, got 1"):
        hidden_space(network, X, grid_lines((-1, 1, -1, 1)), 1, (0, 1))


def test_a_neuron_out_of_range_is_refused_naming_the_range():
    network = build_network(2, 3, (8,), rng=0)
    with pytest.raises(ValueError, match=r"neuron must be in 0..7 for hidden layer 0, got 8"):
        hidden_space(network, X, grid_lines((-1, 1, -1, 1)), 0, (0, 8))
