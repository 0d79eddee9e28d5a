"""TensorBoard's smoothing of the loss and accuracy curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gui.curve_plots import AccuracyPlot
from gui.history import smooth


def tensorboard(values, weight):
    """TensorBoard's smoothing, written out as its front end does it."""
    last, count, out = 0.0, 0, []
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1 - weight) * value
        count += 1
        out.append(last / (1 - weight**count))
    return out


def test_smoothing_is_tensorboards_debiased_moving_average():
    values = np.array([1.0, 0.5, 0.8, 0.2, 0.4, 0.1])
    np.testing.assert_allclose(smooth(values, 0.6), tensorboard(values, 0.6), rtol=1e-15)


def test_the_first_smoothed_point_is_the_first_value():
    assert smooth(np.array([3.0, 1.0]), 0.9)[0] == pytest.approx(3.0)


def test_weight_zero_leaves_the_curve_as_it_is():
    values = np.array([1.0, 2.0, 0.5])
    np.testing.assert_array_equal(smooth(values, 0.0), values)


def test_a_missing_value_stays_missing_and_is_left_out():
    values = np.array([1.0, np.nan, 0.0])
    out = smooth(values, 0.5)
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], tensorboard([1.0, 0.0], 0.5))


def test_a_weight_of_one_is_refused():
    with pytest.raises(ValueError, match=r"smoothing weight must be in \[0, 1\), got 1"):
        smooth(np.ones(3), 1.0)


@pytest.fixture
def plot(qtbot):
    widget = AccuracyPlot()  # the plot that carries the slider
    qtbot.addWidget(widget)
    rng = np.random.default_rng(0)
    epochs = np.arange(1, 201)
    widget.extend(epochs, 1 / epochs + 0.05 * rng.random(200))
    widget.refresh()
    widget.show()
    yield widget
    widget.close()


def test_the_slider_draws_the_smoothed_curve_over_the_faded_raw_one(plot):
    plot.smoothing_slider.setValue(60)
    assert plot.smoothing == pytest.approx(0.6)
    x, y = plot.train_history.arrays()
    np.testing.assert_allclose(plot.train_smooth.yData, smooth(y, 0.6))
    assert len(plot.train_curve.xData) == len(x)
    assert plot.train_curve.line.pen().color().alpha() < 255
    assert plot.smoothing_label.text() == "smooth 0.6"


def test_smoothing_back_to_zero_shows_the_raw_curve_alone(plot):
    plot.smoothing_slider.setValue(60)
    plot.smoothing_slider.setValue(0)
    assert len(plot.train_smooth.xData) == 0
    assert plot.train_curve.line.pen().color().alpha() == 255


def test_new_epochs_are_smoothed_as_they_arrive(plot):
    plot.set_smoothing(0.9)
    plot.extend(np.arange(201, 211), np.full(10, 0.02))
    plot.refresh()
    _, y = plot.train_history.arrays()
    np.testing.assert_allclose(plot.train_smooth.yData, smooth(y, 0.9))


def test_one_slider_under_the_accuracy_plot_smooths_both_plots(qtbot, main_window):
    main_window.accuracy_plot.smoothing_slider.setValue(80)
    assert main_window.loss_plot.smoothing == pytest.approx(0.8)
    assert main_window.loss_plot.smoothing_slider is None  # no second slider
    assert main_window.accuracy_plot.smoothing_slider.isVisibleTo(main_window)


def test_the_smoothed_curve_is_drawn_one_pixel_wide_whatever_the_scale(plot):
    plot.set_smoothing(0.5)
    assert plot.train_smooth.line.pen().isCosmetic()
    assert plot.train_curve.line.pen().isCosmetic() or plot.train_curve.line.pen().widthF() == 0
