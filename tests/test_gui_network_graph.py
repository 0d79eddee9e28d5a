"""The network graph: columns of nodes and a line per weight (TF Playground's picture)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.network_graph import MAX_NODES, NetworkGraph, edge_style
from model.config import RunConfig

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]


def test_a_larger_weight_gets_a_wider_darker_line():
    widths, alphas = edge_style(np.array([[0.1, -2.0], [1.0, 0.0]]))
    assert widths[0, 1] > widths[1, 0] > widths[0, 0] > widths[1, 1]
    assert alphas[0, 1] == 255 and alphas[1, 1] == 30


def test_small_weights_are_drawn_thinner_than_large_ones(graph):
    weights = np.array([[3.0] * 64, [0.1] * 64])

    def width_of_line_from(row: int) -> float:
        start = graph.node_center(0, row)
        for pen, lines in graph.edge_groups(0, weights):
            if any(line.p1() == start for line in lines):
                return pen.widthF()
        raise AssertionError(f"no line from node {row}")

    assert width_of_line_from(1) < width_of_line_from(0) / 4


def test_a_negative_weight_gets_the_negative_colour(graph):
    groups = graph.edge_groups(0, np.array([[-1.0] * 64, [-1.0] * 64]))
    assert {pen.color().name() for pen, _ in groups} == {"#2166ac"}


def test_all_zero_weights_are_thin_and_faint():
    widths, alphas = edge_style(np.zeros((2, 3)))
    assert np.all(widths == widths.min()) and np.all(alphas == 30)


@pytest.fixture
def graph(qtbot):
    widget = NetworkGraph()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.set_architecture([64, 3], ["x₁", "x₂"], ["Dense 1", "output"])
    widget.show()
    yield widget
    widget.close()


def test_a_wide_layer_shows_its_first_neurons(graph):
    assert graph.shown_nodes(0) == 2
    assert graph.shown_nodes(1) == MAX_NODES
    assert graph.shown_nodes(2) == 3


def test_columns_go_left_to_right_and_nodes_top_to_bottom(graph):
    assert graph.node_center(0, 0).x() < graph.node_center(1, 0).x() < graph.node_center(2, 0).x()
    assert graph.node_center(1, 0).y() < graph.node_center(1, 1).y()


def test_a_weight_is_painted_in_its_sign_colour(graph):
    rng = np.random.default_rng(0)
    weights = (np.full((2, 64), 3.0), rng.standard_normal((64, 3)))
    graph.set_weights(weights)
    image = graph.grab().toImage()
    a, b = graph.node_center(0, 0), graph.node_center(1, 0)
    middle = image.pixelColor(int((a.x() + b.x()) / 2), int((a.y() + b.y()) / 2))
    assert middle.red() > middle.blue()  # positive weights are red


def test_the_window_draws_the_weights_of_the_current_network(qtbot, main_window):
    dock = main_window.network_graph_dock
    dock.show()
    dock.raise_()
    for _ in range(3):
        with qtbot.waitSignal(main_window.training_stopped):
            qtbot.mouseClick(main_window.step_button, Qt.MouseButton.LeftButton)
    graph = main_window.network_graph
    qtbot.waitUntil(lambda: graph.weights is not None)
    live = main_window.worker.run.network.dense_layers[0].weights
    np.testing.assert_array_equal(graph.weights[0], live)


def test_features_name_the_input_column(qtbot, main_window):
    config = RunConfig.from_dict({"network": {"features": ["x1^2", "x2^2", "x1*x2"]}})
    main_window.apply_config_to_controls(config)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert main_window.network_graph.input_names == ["x₁²", "x₂²", "x₁x₂"]
    assert main_window.network_graph.shown_nodes(0) == 3
