"""TensorBoard-style distributions: bounded band histories and their plots."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from gui.inspector_distributions import BandHistory, DistributionPlot


def bands(value: float) -> np.ndarray:
    return value + np.linspace(-1, 1, 9)


def test_a_history_returns_what_was_appended_in_order():
    history = BandHistory(capacity=10)
    for epoch in range(1, 6):
        history.append(epoch, bands(epoch))
    epochs, values = history.arrays()
    assert epochs.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(values[2], bands(3))


def test_a_full_history_keeps_epochs_spread_evenly_over_the_run():
    history = BandHistory(capacity=8)
    for epoch in range(1, 1001):
        history.append(epoch, bands(epoch))
    epochs, _ = history.arrays()
    assert len(history) <= 8
    assert epochs[0] == 1 and epochs[-1] == 1000
    gaps = np.diff(epochs[:-1])
    assert gaps.min() == gaps.max()  # one stride between the kept epochs


def test_a_million_appends_stay_bounded():
    history = BandHistory(capacity=64)
    for epoch in range(1, 1_000_001, 7):
        history.append(epoch, bands(0.0))
    assert len(history) <= 64


def test_the_latest_epoch_is_always_shown():
    history = BandHistory(capacity=4)
    for epoch in range(1, 12):
        history.append(epoch, bands(epoch))
    epochs, values = history.arrays()
    assert epochs[-1] == 11
    np.testing.assert_array_equal(values[-1], bands(11))


def test_clear_forgets_everything():
    history = BandHistory()
    history.append(1, bands(1))
    history.clear()
    epochs, values = history.arrays()
    assert len(epochs) == 0 and values.shape == (0, 9)


def test_a_tiny_capacity_is_refused():
    with pytest.raises(ValueError, match="capacity must be at least 4, got 2"):
        BandHistory(capacity=2)


@pytest.fixture
def plot(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    made = DistributionPlot(widget.ci, 0, "weights", "#0072B2", "tip")
    widget.show()
    yield made
    widget.close()


def test_the_plot_draws_the_median_and_every_band(plot):
    epochs = np.arange(1, 6)
    values = np.array([bands(e) for e in epochs], dtype=float)
    plot.show(epochs, values)
    _x, y = plot.median.getData()
    np.testing.assert_array_equal(y, values[:, 4])
    low, high = plot.curves[0].getData()[1], plot.curves[8].getData()[1]
    np.testing.assert_array_equal(low, values[:, 0])
    np.testing.assert_array_equal(high, values[:, 8])
    assert len(plot.fills) == 4
    outer = plot.fills[0].path().boundingRect()
    assert outer.top() == pytest.approx(values.min()) and outer.bottom() == pytest.approx(
        values.max()
    )


def test_the_y_range_holds_the_extremes(plot):
    epochs = np.arange(1, 4)
    values = np.array([bands(0), bands(5), bands(-3)])
    plot.show(epochs, values)
    low, high = plot.plot.viewRange()[1]
    assert low <= values.min() and high >= values.max()


def test_one_epoch_is_drawn_as_a_visible_sliver(plot):
    plot.show(np.array([7]), bands(0)[None, :])
    x, _ = plot.median.getData()
    assert len(x) == 2 and x[0] < 7 < x[1]


# --- in the window --------------------------------------------------------------------------


def train_steps(qtbot, window, n: int) -> None:
    from PySide6.QtCore import Qt

    for _ in range(n):
        with qtbot.waitSignal(window.training_stopped):
            qtbot.mouseClick(window.step_button, Qt.MouseButton.LeftButton)


def show_distributions(qtbot, panel) -> None:
    from PySide6.QtCore import Qt

    tabs = panel.views.tabBar()
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(1).center())
    assert panel.views.currentWidget() is panel.distribution_view


def test_the_distributions_tab_shows_the_selected_layers_weights_over_the_epochs(
    qtbot, main_window
):
    train_steps(qtbot, main_window, 3)
    panel = main_window.gradient_panel
    show_distributions(qtbot, panel)
    view = panel.distribution_view
    x, median = view.weights_plot.median.getData()
    assert list(x) == [1, 2, 3]
    weights = main_window.worker.run.network.dense_layers[0].weights
    assert median[-1] == pytest.approx(float(np.median(weights)))
    assert "Dense 1" in view.weights_plot.plot.titleLabel.text


def test_choosing_another_layer_shows_its_distributions(qtbot, main_window):
    train_steps(qtbot, main_window, 2)
    panel = main_window.gradient_panel
    show_distributions(qtbot, panel)
    panel.layer_combo.setCurrentIndex(1)
    view = panel.distribution_view
    dweights = main_window.worker.run.network.dense_layers[1].dweights
    _x, high = view.dweights_plot.curves[8].getData()
    assert high[-1] == pytest.approx(float(dweights.max()))
    assert "Dense 2" in view.dweights_plot.plot.titleLabel.text


def test_reset_clears_the_distributions(qtbot, main_window):
    from PySide6.QtCore import Qt

    train_steps(qtbot, main_window, 2)
    panel = main_window.gradient_panel
    show_distributions(qtbot, panel)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        qtbot.mouseClick(main_window.reset_button, Qt.MouseButton.LeftButton)
    x, _ = panel.distribution_view.weights_plot.median.getData()
    assert x is None or len(x) <= 1  # at most the new run's starting point
