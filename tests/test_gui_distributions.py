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
