"""The hidden space view: a layer's two neurons as axes, points and grid lines on them."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.hidden_space_view import HiddenSpaceView
from model.build import build_network
from model.hidden_space import grid_lines, hidden_space

X = np.random.default_rng(0).uniform(-1, 1, (12, 2))
Y = np.arange(12) % 3


@pytest.fixture
def view(qtbot):
    widget = HiddenSpaceView()
    qtbot.addWidget(widget)
    widget.set_run(["Dense 1 (2→8)", "Dense 2 (8→6)"], [8, 6], Y, "classification")
    widget.show()
    yield widget
    widget.close()


def space_for(view, network):
    layer, a, b = view.selection()
    return hidden_space(network, X, grid_lines((-1, 1, -1, 1), 5, 10), layer, (a, b))


def test_the_layers_are_offered_and_the_first_two_neurons_shown(view):
    assert view.layer_combo.count() == 2
    assert view.selection() == (0, 0, 1)
    assert view.x_input.maximum() == 7


def test_choosing_a_layer_fits_the_neuron_range_and_says_so(qtbot, view):
    with qtbot.waitSignal(view.selection_changed) as blocker:
        view.layer_combo.setCurrentIndex(1)
    assert blocker.args == [(1, 0, 1)]
    assert view.y_input.maximum() == 5


def test_next_pair_steps_through_the_neurons_and_wraps(qtbot, view):
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.selection() == (0, 2, 3)
    for _ in range(3):
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert view.selection() == (0, 0, 1)


def test_the_space_is_drawn_with_points_by_class_and_lines_apart(view):
    network = build_network(2, 3, (8, 6), rng=0, init="he")
    space = space_for(view, network)
    view.show_space(space)
    xs, _ys = view.lines.getData()
    assert np.isnan(xs).sum() == 10  # one gap after each of the 10 lines
    np.testing.assert_allclose(view.points.data["x"], space.points[:, 0])
    assert view.plot.getAxis("bottom").labelText == "neuron 0"


def _space_with_dead_x(view):
    network = build_network(2, 3, (8, 6), rng=0, init="he")
    dense = network.dense_layers[0]
    dense.weights[:, 0] = 0.0
    dense.biases[:, 0] = -1.0  # neuron 0 of the first layer: 0 after ReLU everywhere
    return space_for(view, network)


def test_a_dead_neuron_on_an_axis_is_named_as_dead(view):
    view.show_space(_space_with_dead_x(view))
    assert view.dead_neurons() == (0,)
    assert view.dead_label.isVisible()
    assert "neuron 0 is 0 for every point" in view.dead_label.text()


def test_two_dead_neurons_are_named_together(view):
    network = build_network(2, 3, (8, 6), rng=0, init="he")
    dense = network.dense_layers[0]
    dense.weights[:, :2] = 0.0
    dense.biases[:, :2] = -1.0
    view.show_space(space_for(view, network))
    assert view.dead_neurons() == (0, 1)
    assert "neuron 0 and neuron 1 are 0 for every point" in view.dead_label.text()


def test_the_dead_note_goes_when_the_pair_is_alive(qtbot, view):
    view.show_space(_space_with_dead_x(view))
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    network = build_network(2, 3, (8, 6), rng=0, init="he")
    view.show_space(space_for(view, network))
    assert view.dead_neurons() == ()
    assert not view.dead_label.isVisible()


def test_live_neurons_get_no_dead_note(view):
    view.show_space(space_for(view, build_network(2, 3, (8, 6), rng=0, init="he")))
    assert not view.dead_label.isVisible()


def test_an_answer_for_an_older_selection_is_dropped(view):
    network = build_network(2, 3, (8, 6), rng=0, init="he")
    old = space_for(view, network)
    view.layer_combo.setCurrentIndex(1)
    view.show_space(old)
    assert view.space is None


def test_a_network_without_hidden_layers_says_why(view):
    view.set_run([], [], Y, "classification")
    assert view.selection() is None
    assert view.empty_label.isVisibleTo(view)
    assert not view.plot_widget.isVisibleTo(view)


# --- in the window --------------------------------------------------------------------------


def show_dock(qtbot, window):
    window.hidden_space_dock.show()
    window.hidden_space_dock.raise_()
    qtbot.waitUntil(lambda: window.hidden_space_dock.isVisible())


def test_the_hidden_space_dock_maps_the_training_points_of_the_current_network(qtbot, main_window):
    show_dock(qtbot, main_window)
    view = main_window.hidden_space_view
    qtbot.waitUntil(lambda: view.space is not None, timeout=5000)
    network = main_window.worker.run.network
    layer, a, b = view.selection()
    expected = hidden_space(
        network, main_window.info.X_train, grid_lines((-1, 1, -1, 1)), layer, (a, b)
    )
    np.testing.assert_allclose(view.space.points, expected.points, rtol=1e-6, atol=1e-9)


def test_next_pair_in_the_window_brings_the_next_neurons(qtbot, main_window):
    show_dock(qtbot, main_window)
    view = main_window.hidden_space_view
    qtbot.waitUntil(lambda: view.space is not None, timeout=5000)
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.space.neurons == (2, 3), timeout=5000)


def test_training_moves_the_points_in_the_hidden_space(qtbot, main_window):
    show_dock(qtbot, main_window)
    view = main_window.hidden_space_view
    qtbot.waitUntil(lambda: view.space is not None, timeout=5000)
    before = view.space.points.copy()
    for _ in range(20):
        with qtbot.waitSignal(main_window.training_stopped):
            qtbot.mouseClick(main_window.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not np.array_equal(view.space.points, before), timeout=5000)


def test_nothing_is_mapped_while_the_dock_is_hidden(qtbot, main_window):
    show_dock(qtbot, main_window)
    view = main_window.hidden_space_view
    qtbot.waitUntil(lambda: view.space is not None, timeout=5000)
    main_window.hidden_space_dock.hide()
    qtbot.waitUntil(lambda: not main_window.hidden_space_dock.isVisible())
    qtbot.wait(200)  # answers asked for while it showed may still arrive
    shown = view.space
    for _ in range(5):
        with qtbot.waitSignal(main_window.training_stopped):
            qtbot.mouseClick(main_window.step_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert view.space is shown


def test_a_tab_behind_the_neurons_maps_nothing_until_it_is_raised(qtbot, main_window):
    view = main_window.hidden_space_view
    main_window.neurons_dock.raise_()
    for _ in range(3):
        with qtbot.waitSignal(main_window.training_stopped):
            qtbot.mouseClick(main_window.step_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    assert view.space is None
    main_window.hidden_space_dock.raise_()
    qtbot.waitUntil(lambda: view.space is not None, timeout=5000)


def test_the_neuron_maps_wait_while_another_tab_covers_them(qtbot, main_window):
    views = main_window.neuron_views
    qtbot.waitUntil(lambda: views.resolution > 0, timeout=5000)
    main_window.hidden_space_dock.raise_()
    qtbot.wait(100)
    before = views.activation_image(0, 1).copy()
    for _ in range(3):
        with qtbot.waitSignal(main_window.training_stopped):
            qtbot.mouseClick(main_window.step_button, Qt.MouseButton.LeftButton)
    qtbot.wait(100)
    np.testing.assert_array_equal(views.activation_image(0, 1), before)
