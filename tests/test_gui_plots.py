"""Specification of the main window's plots: colours, the decision boundary, the curves."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsPathItem, QVBoxLayout, QWidget

from gui.colors import (
    CLASS_COLORS,
    TRAIN_CURVE_COLOR,
    VALIDATION_CURVE_COLOR,
    blend,
    class_rgb,
    diverging_colormap,
    hex_to_rgb,
)
from gui.plots import AccuracyPlot, BoundaryPlot, LossPlot
from model.grid import boundary_grid

RES = 40
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- colours ---------------------------------------------------------------------------


def test_blend_returns_an_rgba_uint8_image_of_the_grid_size():
    probs = np.full((7, 5, 3), 1 / 3, dtype=np.float32)
    image = blend(probs)
    assert image.shape == (7, 5, 4)
    assert image.dtype == np.uint8
    assert np.all(image[..., 3] == 255)


@pytest.mark.parametrize("k", range(4))
def test_a_confident_pixel_takes_its_class_colour(k):
    probs = np.zeros((1, 1, 4), dtype=np.float32)
    probs[0, 0, k] = 1.0
    assert tuple(blend(probs, strength=1.0)[0, 0, :3]) == hex_to_rgb(CLASS_COLORS[k])


def test_a_confident_pixel_is_a_lighter_tint_of_its_class_colour_by_default():
    probs = np.array([[[0.0, 1.0, 0.0]]], dtype=np.float32)
    rgb = blend(probs)[0, 0, :3].astype(float)
    target = np.array(hex_to_rgb(CLASS_COLORS[1]), dtype=float)
    # On the segment from white to the class colour, strictly between the two.
    t = (255 - rgb) / (255 - target)
    assert np.allclose(t, t[0], atol=0.02) and 0.2 < t[0] < 1.0


def test_uniform_probabilities_give_a_light_grey():
    rgb = blend(np.full((1, 1, 3), 1 / 3, dtype=np.float32))[0, 0, :3].astype(int)
    assert rgb.max() - rgb.min() <= 2
    assert rgb.min() > 200


def test_confidence_makes_a_pixel_more_saturated():
    def saturation(p):
        rgb = blend(np.array([[p]], dtype=np.float32))[0, 0, :3].astype(int)
        return rgb.max() - rgb.min()

    assert saturation([0.4, 0.3, 0.3]) < saturation([0.7, 0.15, 0.15]) < saturation([1, 0, 0])


def test_a_sigmoid_output_is_read_as_the_probability_of_class_one():
    probs = np.array([[[0.0], [1.0]]], dtype=np.float32)
    two_class = np.array([[[1.0, 0.0], [0.0, 1.0]]], dtype=np.float32)
    np.testing.assert_array_equal(blend(probs), blend(two_class))


def test_the_hard_view_ignores_confidence():
    unsure = np.array([[[0.4, 0.3, 0.3]]], dtype=np.float32)
    sure = np.array([[[1.0, 0.0, 0.0]]], dtype=np.float32)
    np.testing.assert_array_equal(blend(unsure, hard=True), blend(sure, hard=True))
    np.testing.assert_array_equal(blend(sure, hard=True), blend(sure))


def test_blend_refuses_probabilities_that_are_not_h_w_k():
    with pytest.raises(ValueError, match=r"\(H, W, K\)"):
        blend(np.zeros((10, 3)))


def test_the_palette_has_eight_distinct_colours():
    colors = class_rgb(8)
    assert colors.shape == (8, 3)
    assert len({tuple(c) for c in colors.tolist()}) == 8


def test_the_diverging_colormap_is_blue_white_red():
    blue, white, red = diverging_colormap().map([0.0, 0.5, 1.0], mode="byte")[:, :3].astype(int)
    assert blue[2] > blue[0] and red[0] > red[2]
    assert white.min() > 240


# --- the boundary plot -----------------------------------------------------------------


@pytest.fixture
def spiral_like():
    rng = np.random.default_rng(0)
    X_train = rng.uniform(-1, 1, (30, 2))
    y_train = np.arange(30) % 3
    X_val = rng.uniform(-1, 1, (9, 2))
    y_val = np.arange(9) % 3
    return X_train, y_train, X_val, y_val


@pytest.fixture
def boundary(qtbot, spiral_like):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    plot.resize(600, 600)
    plot.set_data(*spiral_like, 3, "classification")
    grid = boundary_grid(np.vstack([spiral_like[0], spiral_like[2]]), resolution=RES)
    plot.set_grid(grid)
    plot.grid = grid
    plot.show()
    qtbot.waitExposed(plot)
    yield plot
    plot.close()


def uniform_probs(k=3):
    return np.full((RES, RES, k), 1 / k, dtype=np.float32)


def viewport_pos(plot, x, y) -> QPoint:
    """The viewport pixel that shows data point (x, y)."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    return plot.plot_widget.mapFromScene(scene)


def click(qtbot, plot, x, y, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.mouseClick(
        plot.plot_widget.viewport(), Qt.MouseButton.LeftButton, modifier, viewport_pos(plot, x, y)
    )


def test_the_boundary_plot_is_found_by_its_object_name(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    QVBoxLayout(parent).addWidget(BoundaryPlot())
    assert isinstance(parent.findChild(QWidget, "boundary_plot"), BoundaryPlot)
    parent.close()


def test_update_boundary_draws_an_image_of_the_grid_size(boundary):
    boundary.update_boundary(uniform_probs())
    assert boundary.image_item.image.shape == (RES, RES, 4)


def test_the_boundary_image_covers_the_grid_extent(boundary):
    boundary.update_boundary(uniform_probs())
    x0, x1, y0, y1 = boundary.grid.extent
    half_x = (x1 - x0) / (RES - 1) / 2
    half_y = (y1 - y0) / (RES - 1) / 2
    rect = boundary.image_item.mapRectToParent(boundary.image_item.boundingRect())
    assert rect.left() == pytest.approx(x0 - half_x)
    assert rect.right() == pytest.approx(x1 + half_x)
    assert rect.top() == pytest.approx(y0 - half_y)
    assert rect.bottom() == pytest.approx(y1 + half_y)


def test_row_zero_of_the_probabilities_is_drawn_at_the_bottom(boundary):
    probs = np.zeros((RES, RES, 3), dtype=np.float32)
    probs[:, :, 2] = 1.0
    probs[0, :, :] = [1.0, 0.0, 0.0]  # ys[0], the lowest row, is class 0
    boundary.update_boundary(probs)
    image = boundary.plot_widget.grab().toImage()
    x0, x1, y0, _ = boundary.grid.extent
    low = viewport_pos(boundary, (x0 + x1) / 2, y0)
    low_rgb = image.pixelColor(low.x(), low.y())
    expected = blend(probs[:1, :1])[0, 0]
    assert abs(low_rgb.red() - int(expected[0])) <= 12
    assert abs(low_rgb.blue() - int(expected[2])) <= 12


def test_misclassified_marks_equal_the_wrong_predictions(boundary, spiral_like):
    _, y_train, _, y_val = spiral_like
    train_pred = y_train.copy()
    train_pred[[0, 4, 7]] = (train_pred[[0, 4, 7]] + 1) % 3
    val_pred = y_val.copy()
    val_pred[2] = (val_pred[2] + 1) % 3
    boundary.update_boundary(uniform_probs(), train_pred, val_pred)
    assert boundary.misclassified_count == 4
    assert len(boundary.misclassified_item.data) == 4


def test_hiding_the_validation_points_hides_them_and_their_marks(qtbot, boundary, spiral_like):
    _, y_train, _, y_val = spiral_like
    train_pred, val_pred = y_train.copy(), (y_val + 1) % 3
    train_pred[0] = (train_pred[0] + 1) % 3
    boundary.update_boundary(uniform_probs(), train_pred, val_pred)
    qtbot.mouseClick(boundary.validation_checkbox, Qt.MouseButton.LeftButton)
    assert not boundary.val_item.isVisible()
    assert len(boundary.misclassified_item.data) == 1  # the training point's mark stays
    qtbot.mouseClick(boundary.validation_checkbox, Qt.MouseButton.LeftButton)
    assert boundary.val_item.isVisible()
    assert len(boundary.misclassified_item.data) == 1 + len(y_val)


def test_without_validation_points_there_is_nothing_to_hide(boundary):
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    boundary.set_data(X, np.array([0, 1]), None, None, 2, "classification")
    assert not boundary.validation_checkbox.isVisibleTo(boundary)


def test_all_correct_predictions_leave_no_marks(boundary, spiral_like):
    _, y_train, _, y_val = spiral_like
    boundary.update_boundary(uniform_probs(), (y_train + 1) % 3, None)
    boundary.update_boundary(None, y_train, y_val)
    assert len(boundary.misclassified_item.data) == 0


def test_predictions_of_a_stale_length_are_ignored(boundary, spiral_like):
    boundary.update_boundary(uniform_probs(), np.zeros(5, dtype=int), np.zeros(2, dtype=int))
    assert boundary.misclassified_count == 0


def test_probabilities_off_the_grid_are_refused(boundary):
    with pytest.raises(ValueError, match="probs must have shape"):
        boundary.update_boundary(np.zeros((RES + 1, RES, 3)))


def test_clear_boundary_removes_the_image_and_marks(boundary, spiral_like):
    boundary.update_boundary(uniform_probs(), (spiral_like[1] + 1) % 3)
    boundary.clear_boundary()
    assert boundary.image_item.image is None
    assert boundary.misclassified_count == 0


def test_the_hard_view_redraws_the_boundary_by_argmax(boundary):
    probs = np.empty((RES, RES, 3), dtype=np.float32)
    probs[:] = [0.5, 0.25, 0.25]
    boundary.update_boundary(probs)
    soft = boundary.image_item.image.copy()
    boundary.set_hard(True)
    assert boundary.hard_checkbox.isChecked()
    np.testing.assert_array_equal(boundary.image_item.image, blend(probs, hard=True))
    assert not np.array_equal(soft, boundary.image_item.image)


def test_the_hard_view_checkbox_sets_the_hard_view(boundary):
    boundary.hard_checkbox.setChecked(True)
    assert boundary.hard


def test_a_click_adds_a_point_of_the_selected_class_where_clicked(qtbot, boundary):
    boundary.set_selected_class(1)
    with qtbot.waitSignal(boundary.point_added, timeout=1000) as blocker:
        click(qtbot, boundary, 0.3, -0.4)
    x, y, k = blocker.args
    pixel_w, pixel_h = boundary.getViewBox().viewPixelSize()
    assert x == pytest.approx(0.3, abs=2 * pixel_w)
    assert y == pytest.approx(-0.4, abs=2 * pixel_h)
    assert k == 1


def test_a_shift_click_adds_a_point_of_the_next_class(qtbot, boundary):
    boundary.set_selected_class(2)
    with qtbot.waitSignal(boundary.point_added, timeout=1000) as blocker:
        click(qtbot, boundary, 0.1, 0.1, Qt.KeyboardModifier.ShiftModifier)
    assert blocker.args[2] == 0


def test_a_ctrl_click_removes_the_nearest_training_point(qtbot, boundary, spiral_like):
    x, y = spiral_like[0][17]
    with qtbot.waitSignal(boundary.point_removed, timeout=1000) as blocker:
        click(qtbot, boundary, x + 0.005, y - 0.005, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [17]


def test_a_ctrl_click_far_from_every_point_removes_nothing(qtbot, boundary):
    boundary.set_data(np.array([[0.9, 0.9]]), np.array([0]), None, None, 3, "classification")
    with (
        qtbot.assertNotEmitted(boundary.point_removed),
        qtbot.assertNotEmitted(boundary.point_added),
    ):
        click(qtbot, boundary, -0.5, -0.5, Qt.KeyboardModifier.ControlModifier)


def test_selecting_a_class_outside_the_data_is_refused(boundary):
    with pytest.raises(ValueError, match=r"class must be in 0\.\.2"):
        boundary.set_selected_class(3)


def test_selecting_a_class_is_announced(qtbot, boundary):
    with qtbot.waitSignal(boundary.selected_class_changed, timeout=1000) as blocker:
        boundary.set_selected_class(2)
    assert blocker.args == [2]
    assert boundary.selected_class == 2


def test_training_points_are_filled_and_validation_points_are_not(boundary):
    train_brushes = [p.brush().style() for p in boundary.train_item.points()]
    val_brushes = [p.brush().style() for p in boundary.val_item.points()]
    assert len(train_brushes) == 30 and len(val_brushes) == 9
    assert set(train_brushes) == {Qt.BrushStyle.SolidPattern}
    assert set(val_brushes) == {Qt.BrushStyle.NoBrush}


def test_binary_data_is_drawn_with_two_classes(boundary):
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    boundary.set_data(X, np.array([[0], [1]]), None, None, None, "binary")
    boundary.update_boundary(np.full((RES, RES, 1), 0.5, dtype=np.float32), np.array([1, 1]))
    assert boundary.n_classes == 2
    assert boundary.misclassified_count == 1


def test_regression_data_and_fit_are_drawn_as_points_and_a_curve(boundary):
    X = np.linspace(0, 1, 20).reshape(-1, 1)
    boundary.set_data(X, np.sin(2 * np.pi * X), None, None, None, "regression")
    boundary.update_regression(X[::-1], np.cos(X[::-1]))
    xs, ys = boundary.curve_item.getData()
    np.testing.assert_allclose(xs, X[:, 0])
    np.testing.assert_allclose(ys, np.cos(X[:, 0]))
    assert len(boundary.train_item.data) == 20
    assert boundary.image_item.image is None


def test_an_unknown_task_is_refused(boundary, spiral_like):
    with pytest.raises(ValueError, match="task must be one of"):
        boundary.set_data(*spiral_like, 3, "clustering")


def test_labels_beyond_n_classes_are_refused(boundary, spiral_like):
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.1"):
        boundary.set_data(*spiral_like, 2, "classification")


def assert_png(path):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 0


def test_the_boundary_exports_a_png(boundary, tmp_path):
    boundary.update_boundary(uniform_probs())
    boundary.export_png(tmp_path / "boundary.png")
    assert_png(tmp_path / "boundary.png")
    assert [p.name for p in tmp_path.iterdir()] == ["boundary.png"]


# --- the curves ------------------------------------------------------------------------


@pytest.fixture
def loss_plot(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    yield plot
    plot.close()


@pytest.fixture
def accuracy_plot(qtbot):
    plot = AccuracyPlot()
    qtbot.addWidget(plot)
    plot.resize(500, 300)
    plot.show()
    yield plot
    plot.close()


def n_points(curve) -> int:
    """How many points a curve holds."""
    return len(curve.getData()[0])


def test_the_curve_plots_carry_their_object_names(loss_plot, accuracy_plot):
    assert loss_plot.objectName() == "loss_plot"
    assert accuracy_plot.objectName() == "accuracy_plot"


def test_the_axes_are_labelled_epoch_and_metric(loss_plot, accuracy_plot):
    assert loss_plot.plot_item.getAxis("bottom").labelText == "epoch"
    assert loss_plot.plot_item.getAxis("left").labelText == "loss"
    assert accuracy_plot.plot_item.getAxis("left").labelText == "accuracy"


def test_append_then_refresh_sets_the_curves(loss_plot):
    for epoch in range(1, 6):
        loss_plot.append(epoch, 1.0 / epoch, 2.0 / epoch)
    assert n_points(loss_plot.train_curve) == 0  # nothing drawn before refresh
    assert loss_plot.refresh()
    np.testing.assert_array_equal(loss_plot.train_curve.xData, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(loss_plot.val_curve.yData, 2.0 / np.arange(1, 6))


def test_refresh_without_new_points_does_nothing(loss_plot):
    loss_plot.append(1, 0.5, None)
    loss_plot.refresh()
    assert not loss_plot.refresh()


def test_a_missing_validation_value_leaves_the_validation_curve_empty(loss_plot):
    loss_plot.append(1, 0.5, None)
    loss_plot.refresh()
    assert n_points(loss_plot.train_curve) == 1
    assert n_points(loss_plot.val_curve) == 0


def test_a_hundred_thousand_epochs_keep_the_plotted_arrays_bounded(loss_plot):
    for epoch in range(1, 100_001):
        loss_plot.append(epoch, 1.0 / epoch, 1.5 / epoch)
    loss_plot.refresh()
    capacity = loss_plot.train_history.capacity
    assert n_points(loss_plot.train_curve) <= capacity
    assert n_points(loss_plot.val_curve) <= capacity
    assert loss_plot.train_curve.xData[-1] == 100_000


def test_clear_empties_the_curves(loss_plot):
    loss_plot.append(1, 0.5, 0.6)
    loss_plot.refresh()
    loss_plot.clear()
    assert n_points(loss_plot.train_curve) == 0
    assert len(loss_plot.train_history) == 0


def test_the_log_toggle_puts_the_loss_axis_in_log_mode(qtbot, loss_plot):
    with qtbot.waitSignal(loss_plot.log_changed, timeout=1000) as blocker:
        loss_plot.set_log(True)
    assert blocker.args == [True]
    assert loss_plot.log and loss_plot.log_checkbox.isChecked()
    assert loss_plot.plot_item.getAxis("left").logMode
    loss_plot.set_log(False)
    assert not loss_plot.plot_item.getAxis("left").logMode


def test_on_a_log_axis_the_curves_hold_log10_of_the_positive_losses(loss_plot):
    for epoch, loss in enumerate((1.0, 0.1, 0.0, 0.01), start=1):
        loss_plot.append(epoch, loss, None)
    loss_plot.refresh()
    loss_plot.set_log(True)
    x, y = loss_plot.train_curve.getData()
    np.testing.assert_array_equal(x, [1, 2, 4])
    np.testing.assert_allclose(y, [0.0, -1.0, -2.0])
    loss_plot.set_log(False)
    assert n_points(loss_plot.train_curve) == 4


def test_the_context_menu_log_option_keeps_the_checkbox_in_step(loss_plot):
    loss_plot.plot_item.ctrl.logYCheck.setChecked(True)
    assert loss_plot.log_checkbox.isChecked()


def test_the_curves_are_painted_by_qt_itself(loss_plot):
    # pyqtgraph's curve items paint in Python, taking the GIL from the training thread.
    for curve in (loss_plot.train_curve, loss_plot.val_curve):
        assert type(curve.line) is QGraphicsPathItem


def test_the_x_range_grows_in_steps_not_every_epoch(loss_plot):
    ranges = []
    for epoch in range(1, 400):
        loss_plot.append(epoch, 1.0 / epoch, None)
        loss_plot.refresh()
        ranges.append(tuple(loss_plot.getViewBox().state["targetRange"][0]))
    assert len(set(ranges)) < 40
    low, high = ranges[-1]
    assert low <= 1 and 399 <= high <= 1.5 * 399


def test_the_y_range_covers_the_data_with_rounded_ends(loss_plot):
    for epoch in range(1, 100):
        loss_plot.append(epoch, 0.02 + 1.0 / epoch, None)
    loss_plot.refresh()
    low, high = loss_plot.getViewBox().state["targetRange"][1]
    assert low == pytest.approx(0.0, abs=0.05)
    assert high == pytest.approx(1.2, abs=0.05)


def test_panning_by_hand_stops_following_the_data(loss_plot):
    loss_plot.append(1, 1.0, None)
    loss_plot.refresh()
    loss_plot.getViewBox().setXRange(100, 200)  # as a drag does: auto-range off
    for epoch in range(2, 50):
        loss_plot.append(epoch, 1.0 / epoch, None)
    loss_plot.refresh()
    assert loss_plot.getViewBox().state["targetRange"][0][0] == pytest.approx(100, abs=5)


def test_the_label_under_the_plot_names_each_curve_in_its_colour(loss_plot):
    loss_plot.append(1, 0.5, 0.25)
    loss_plot.refresh()
    text = loss_plot.value_label.text()
    assert f"color:{TRAIN_CURVE_COLOR}" in text and "train 0.5" in text
    assert f"color:{VALIDATION_CURVE_COLOR}" in text and "val 0.25" in text


def test_the_label_under_the_plot_leaves_out_validation_when_there_is_none(loss_plot):
    loss_plot.extend(np.array([1.0, 2.0]), np.array([0.5, 0.4]), np.array([np.nan, np.nan]))
    loss_plot.refresh()
    text = loss_plot.value_label.text()
    assert "train 0.4" in text and "val" not in text


def test_the_grid_follows_the_ticks_of_both_axes(loss_plot):
    for epoch in range(1, 200):
        loss_plot.append(epoch, 1.0 / epoch, None)
    loss_plot.refresh()
    major = loss_plot.grid.items[0].path()
    assert major.elementCount() >= 4  # vertical and horizontal lines
    assert not loss_plot.plot_item.getAxis("left").grid  # the axes draw no grid


def test_the_accuracy_axis_stays_at_zero_to_one(accuracy_plot):
    for epoch in range(1, 50):
        accuracy_plot.append(epoch, 0.5 + epoch / 200, 0.4 + epoch / 200)
    accuracy_plot.refresh()
    low, high = accuracy_plot.getViewBox().viewRange()[1]
    assert low == pytest.approx(0.0, abs=0.03)
    assert high == pytest.approx(1.0, abs=0.03)


def test_the_loss_plot_exports_a_png(loss_plot, tmp_path):
    loss_plot.append(1, 0.5, 0.6)
    loss_plot.append(2, 0.4, 0.5)
    loss_plot.refresh()
    loss_plot.export_png(tmp_path / "loss.png")
    assert_png(tmp_path / "loss.png")


def test_exporting_into_a_missing_folder_raises_oserror(loss_plot, tmp_path):
    with pytest.raises(OSError):
        loss_plot.export_png(tmp_path / "missing" / "loss.png")


# --- painting without Python ----------------------------------------------------------------


@pytest.mark.parametrize("grid", [False, 128])
@pytest.mark.parametrize("name", ["left", "bottom"])
def test_an_axis_reports_pyqtgraphs_bounds_from_qts_own_code(loss_plot, qtbot, name, grid):
    import pyqtgraph as pg
    from PySide6.QtWidgets import QGraphicsWidget

    axis = loss_plot.plot_item.getAxis(name)
    axis.setGrid(grid)
    loss_plot.resize(640, 360)
    qtbot.waitUntil(lambda: axis.boundingRect() == pg.AxisItem.boundingRect(axis))
    assert type(axis).boundingRect is QGraphicsWidget.boundingRect  # no Python override


def test_the_boundary_image_is_painted_by_qt_over_the_grid(boundary):
    from PySide6.QtWidgets import QGraphicsPixmapItem

    boundary.update_boundary(np.full((RES, RES, 3), 1 / 3, dtype=np.float32))
    item = boundary.image_item
    assert isinstance(item, QGraphicsPixmapItem) and type(item).paint is QGraphicsPixmapItem.paint
    assert item.pixmap().width() == RES and item.pixmap().height() == RES


def _path_points(curve) -> list[tuple[float, float, bool]]:
    """The drawn path's elements: (x, y, starts a new line)."""
    path = curve.line.path()
    return [
        (path.elementAt(i).x, path.elementAt(i).y, path.elementAt(i).isMoveTo())
        for i in range(path.elementCount())
    ]


def test_set_points_draws_the_path_set_data_draws():
    from PySide6.QtGui import QPen

    from gui.plot_items import PathCurve

    points = np.column_stack([np.arange(600.0), np.sin(np.arange(600.0))])
    by_rows, by_columns = PathCurve(QPen()), PathCurve(QPen())
    by_rows.set_points(points, finite=True)
    by_columns.setData(points[:, 0], points[:, 1])
    assert _path_points(by_rows) == _path_points(by_columns)
    np.testing.assert_array_equal(by_rows.xData, points[:, 0])
    np.testing.assert_array_equal(by_rows.yData, points[:, 1])


def test_set_points_keeps_its_data_when_the_given_rows_change():
    from PySide6.QtGui import QPen

    from gui.plot_items import PathCurve

    points = np.column_stack([np.arange(10.0), np.ones(10)])
    curve = PathCurve(QPen())
    curve.set_points(points, finite=True)
    points[:] = -1.0
    np.testing.assert_array_equal(curve.yData, np.ones(10))
    assert _path_points(curve)[-1] == (9.0, 1.0, False)


def test_set_points_with_a_non_finite_value_draws_what_set_data_draws():
    from PySide6.QtGui import QPen

    from gui.plot_items import PathCurve

    points = np.array([[0.0, 1.0], [1.0, 2.0], [2.0, np.inf], [3.0, 3.0], [4.0, 4.0]])
    by_rows, by_columns = PathCurve(QPen()), PathCurve(QPen())
    by_rows.set_points(points, finite=False)
    by_columns.setData(points[:, 0], points[:, 1])
    assert _path_points(by_rows) == _path_points(by_columns)
    assert sum(starts for *_, starts in _path_points(by_rows)) == 2  # the line breaks once


def test_a_linear_loss_axis_follows_the_histories_ranges_not_a_pass_over_the_curves(loss_plot):
    loss_plot.extend(np.arange(1.0, 2001.0), 1.0 / np.arange(1.0, 2001.0), np.full(2000, 0.7))
    loss_plot.refresh()
    (x0, x1), (y0, y1) = loss_plot.view_box.data_bounds
    assert (x0, x1) == (1.0, 2000.0)
    assert (y0, y1) == (1.0 / 2000.0, 1.0)


def _settle(qtbot, plot) -> None:
    """Paint until the view box has nothing left to prepare (a range change queues one
    more auto-range, run at the next paint)."""
    for _ in range(3):
        plot.plot_widget.viewport().repaint()
        qtbot.wait(1)


def test_a_paint_with_nothing_pending_does_not_prepare_the_scene(qtbot, loss_plot):
    from gui.plot_items import needs_prepare

    loss_plot.extend(np.arange(1.0, 101.0), np.linspace(1.0, 0.1, 100))
    loss_plot.refresh()
    _settle(qtbot, loss_plot)
    assert not needs_prepare(loss_plot.plot_widget.scene())


def test_a_range_change_makes_the_next_paint_prepare_the_scene(qtbot, loss_plot):
    from gui.plot_items import needs_prepare

    loss_plot.extend(np.arange(1.0, 101.0), np.linspace(1.0, 0.1, 100))
    loss_plot.refresh()
    _settle(qtbot, loss_plot)
    loss_plot.extend(np.arange(101.0, 5001.0), np.linspace(5.0, 0.1, 4900))
    loss_plot.refresh()
    assert needs_prepare(loss_plot.plot_widget.scene())
    _settle(qtbot, loss_plot)
    # The paints applied the new range to the drawing: the last point is inside the plot.
    view_box = loss_plot.view_box
    assert view_box.rect().contains(view_box.childGroup.mapToParent(QPointF(5000.0, 0.1)))


def test_a_scene_with_another_listener_is_prepared_at_every_paint(qtbot, loss_plot):
    import pyqtgraph as pg

    from gui.plot_items import needs_prepare

    loss_plot.plot_item.addItem(pg.TextItem("note"))
    _settle(qtbot, loss_plot)
    assert needs_prepare(loss_plot.plot_widget.scene())


def test_a_long_flat_accuracy_curve_is_drawn_without_gaps(accuracy_plot, qtbot):
    # Recorded from ch10 in the window: after ~5k epochs the accuracy sits at 0.98-0.99,
    # one sample either way, and the curve zigzags by a pixel or two. Qt's aliased
    # hairline dropped pixels there: the line looked dashed.
    path = Path(__file__).parent / "data" / "ch10_accuracy_curve.csv"
    epochs, accuracy = np.loadtxt(path, delimiter=",", skiprows=2, unpack=True)
    accuracy_plot.resize(310, 330)
    accuracy_plot.extend(epochs, accuracy)
    accuracy_plot.refresh()
    qtbot.wait(50)
    view = accuracy_plot.plot_widget
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    b, r = (pixels[:, : image.width(), c].astype(int) for c in (0, 2))
    curve = (b - r > 40) & (b > 120)  # the train colour, #0072B2, or its antialiased tint
    left, right = (
        view.mapFromScene(accuracy_plot.view_box.mapViewToScene(QPointF(x, 0.99))).x()
        for x in (epochs[0], epochs[-1])
    )
    columns = curve[:, left + 2 : right - 1].any(axis=0)
    assert columns.size > 100
    assert columns.all(), f"{np.count_nonzero(~columns)} columns of the curve are blank"


def test_the_numbers_under_the_curves_fit_beside_their_controls_at_1600_by_1000(main_window, qtbot):
    main_window.resize(1600, 1000)
    qtbot.wait(100)
    for plot, train, val in (
        (main_window.accuracy_plot, 0.9833, 0.7667),
        (main_window.loss_plot, 0.03308, 0.8123),
    ):
        plot.extend(np.array([1.0]), np.array([train]), np.array([val]))
        plot.refresh()
        label = plot.value_label
        qtbot.waitUntil(lambda label=label, val=val: f"val {val:.4g}" in label.text())
        assert label.sizeHint().width() <= label.width(), label.text()


def test_a_small_loss_is_labelled_with_its_own_numbers(loss_plot, qtbot):
    loss_plot.extend(np.arange(1.0, 101.0), np.linspace(0.9, 0.3, 100))
    loss_plot.refresh()
    qtbot.wait(20)
    assert "(x" not in loss_plot.plot_item.getAxis("left").labelString()


def test_no_labelled_axis_in_the_window_scales_its_numbers_by_a_prefix(main_window):
    import pyqtgraph as pg
    from PySide6.QtWidgets import QGraphicsView

    labelled = [
        item
        for view in main_window.findChildren(QGraphicsView)
        if view.scene() is not None
        for item in view.scene().items()
        if isinstance(item, pg.AxisItem) and item.label.isVisible()
    ]
    assert len(labelled) > 10
    assert [axis.labelText for axis in labelled if axis.autoSIPrefix] == []


def test_a_regression_run_after_a_classification_one_frames_its_own_data(boundary):
    boundary.update_boundary(uniform_probs())  # the classification run drew its boundary
    X = np.linspace(0.0, 1.0, 50).reshape(-1, 1)
    boundary.set_data(X, np.sin(2 * np.pi * X), None, None, None, "regression")
    (x0, x1), (y0, y1) = boundary.plot_item.getViewBox().viewRange()
    assert -0.2 < x0 < 0.0 and 1.0 < x1 < 1.2
    assert -1.2 < y0 < -1.0 and 1.0 < y1 < 1.2
