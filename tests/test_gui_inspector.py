"""Specification of the gradient inspector: one row per Dense layer, live, and the check."""

from dataclasses import dataclass, replace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QGraphicsPathItem

from gui.inspector import GradientPanel
from gui.inspector_axes import LogAxis
from gui.inspector_heatmaps import symmetric_level
from gui.inspector_rows import nice_ceiling
from gui.live_items import LiveLabel
from gui.plot_items import CompactAxis, compact_number, sticky_range
from model.build import build_network
from model.datasets import spiral
from model.optimizers import Adam
from model.trainer import Trainer

NAMES = ["Dense 1 (2→16)", "Dense 2 (16→16)", "Dense 3 (16→3)"]
HAS_RELU = [True, True, False]


@dataclass(frozen=True)
class Snapshot:
    """What the window hands the panel: stats and copies of weights and dweights."""

    stats: object
    weights: tuple
    dweights: tuple


@pytest.fixture(scope="module")
def snapshots():
    """Five epochs of the engine training a [16, 16] network on the spiral."""
    net = build_network(2, 3, [16, 16], rng=0)
    X, y = spiral(50, 3, rng=0)
    trainer = Trainer(net, Adam(learning_rate=0.02), X, y, rng=0)
    out = []
    for _ in range(5):
        stats = trainer.run_epoch(inspect=True)
        weights = tuple(d.weights.copy() for d in net.dense_layers)
        dweights = tuple(d.dweights.copy() for d in net.dense_layers)
        out.append(Snapshot(stats, weights, dweights))
    return out


@pytest.fixture
def panel(qtbot):
    widget = GradientPanel()
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.set_layers(NAMES, HAS_RELU)
    yield widget
    widget.close()


def feed(panel, snapshot, epoch=None):
    stats = snapshot.stats if epoch is None else replace(snapshot.stats, epoch=epoch)
    panel.update_stats(stats, snapshot.weights, snapshot.dweights)


# Stand-ins with the fields of model.gradcheck's results.
@dataclass(frozen=True)
class LayerCheck:
    name: str
    relative_error: float
    n_checked: int
    passed: bool


@dataclass(frozen=True)
class GradCheckResult:
    layers: tuple
    passed: bool
    max_error: float


# --- rows --------------------------------------------------------------------------------


def test_the_panel_has_its_stable_object_name(panel):
    assert panel.objectName() == "gradient_panel"


def test_set_layers_makes_one_row_per_dense_layer(panel):
    assert panel.row_count() == 3
    assert [row.name for row in panel.rows] == NAMES
    assert all(name in panel.row_label(i) for i, name in enumerate(NAMES))


def _epoch_axes_shown(row) -> list[bool]:
    return [plot.getAxis("bottom").isVisible() for plot in row.time_plots]


def test_only_the_last_row_labels_the_shared_epochs(panel):
    assert [_epoch_axes_shown(row) for row in panel.rows] == [
        [False] * 3,
        [False] * 3,
        [True] * 3,
    ]
    assert all(row.histogram_plot.getAxis("bottom").isVisible() for row in panel.rows)


def test_the_epoch_axes_follow_the_last_row_when_the_layers_change(panel):
    panel.set_layers(["a", "b"], [True, False])
    assert [_epoch_axes_shown(row) for row in panel.rows] == [[False] * 3, [True] * 3]
    panel.set_layers(["a"], [False])
    assert _epoch_axes_shown(panel.rows[0]) == [True] * 3


def test_set_layers_with_the_same_count_reuses_the_plot_items(panel):
    plots = [row.norms_plot for row in panel.rows]
    panel.set_layers(["a", "b", "c"], [True, False, False])
    assert [row.norms_plot for row in panel.rows] == plots
    assert "b" in panel.row_label(1)


def test_set_layers_with_another_count_rebuilds_the_rows(panel):
    panel.set_layers([f"Dense {i}" for i in range(7)], [True] * 6 + [False])
    assert panel.row_count() == 7
    assert panel.layer_combo.count() == 7


def test_on_a_narrow_panel_every_column_stays_in_view_and_long_labels_are_cut(
    qtbot, panel, snapshots
):
    panel.show()
    qtbot.waitExposed(panel)
    feed(panel, snapshots[0])  # the rows' labels now hold their numbers: ~500 px of text
    panel.resize(360, 900)
    qtbot.waitUntil(lambda: panel.rows_scroll.viewport().width() < 360)
    qtbot.wait(50)
    width = panel.rows_scroll.viewport().width()
    for row in panel.rows:
        assert row.histogram_plot.sceneBoundingRect().right() <= width + 1
        assert row.label.itemRect().width() > row.label.rect().width()  # cut, not widened


def test_rows_built_after_the_panel_is_shown_fill_the_view(qtbot):
    panel = GradientPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_layers(NAMES, HAS_RELU)
    qtbot.wait(20)
    view = panel.rows_view
    assert view.ci.geometry().height() == view.height()
    panel.close()


def test_set_layers_refuses_a_flag_count_that_differs_from_the_names(panel):
    with pytest.raises(ValueError, match="one has_relu flag per layer"):
        panel.set_layers(["a", "b"], [True])


def test_update_stats_fills_the_curves(panel, snapshots):
    for snapshot in snapshots[:3]:
        feed(panel, snapshot)
    row = panel.rows[0]
    for curve in (row.dweights_curve, row.dbiases_curve, row.ratio_curve, row.dead_curve):
        assert len(curve.getData()[0]) == 3


def _layer_rows(snapshots, epochs):
    """A ``LayerRows`` table of the first snapshot's layers, relabelled at ``epochs``."""
    from gui.metrics import LayerRows

    rows = LayerRows()
    for epoch in epochs:
        rows.add(replace(snapshots[0].stats, epoch=epoch))
    return rows.take()


def test_layer_rows_put_a_point_for_every_inspected_epoch_before_the_snapshot(panel, snapshots):
    last = snapshots[1]
    table = _layer_rows(snapshots, [1, 2, 3])
    panel.update_stats(replace(last.stats, epoch=4), last.weights, last.dweights, table)
    epochs, values = panel.rows[0].dweights_curve.getData()
    assert epochs.tolist() == [1, 2, 3, 4]
    layer = snapshots[0].stats.layers[0]
    assert values[0] == pytest.approx(np.log10(layer.dweights_norm))


def test_layer_rows_not_between_the_last_epoch_shown_and_the_snapshot_are_left_out(
    panel, snapshots
):
    feed(panel, snapshots[0], epoch=2)
    last = snapshots[1]
    table = _layer_rows(snapshots, [1, 2, 3, 5, 6])
    panel.update_stats(replace(last.stats, epoch=5), last.weights, last.dweights, table)
    assert panel.rows[2].dweights_curve.getData()[0].tolist() == [2, 3, 5]


def test_the_norm_curves_are_drawn_on_a_log_scale(panel, snapshots):
    feed(panel, snapshots[0])
    layer = snapshots[0].stats.layers[1]
    assert panel.rows[1].dweights_curve.getData()[1][-1] == pytest.approx(
        np.log10(layer.dweights_norm)
    )


def test_the_row_label_shows_the_current_values(panel, snapshots):
    feed(panel, snapshots[0])
    layer = snapshots[0].stats.layers[0]
    assert f"dweights {layer.dweights_norm:.2e}" in panel.row_label(0)


def test_the_histogram_shows_the_counts_passed(panel, snapshots):
    feed(panel, snapshots[0])
    layer = snapshots[0].stats.layers[1]
    x, y = panel.rows[1].histogram_curve.getData()
    np.testing.assert_array_equal(y, layer.histogram_counts)
    np.testing.assert_allclose(x, layer.histogram_edges)


def test_the_output_layer_row_shows_no_relu(panel, snapshots):
    feed(panel, snapshots[0])
    last = panel.rows[-1]
    assert last.dead_note.isVisible()
    assert last.dead_note.textItem.toPlainText() == "no ReLU"
    assert "no ReLU" in panel.row_label(2)
    assert not panel.rows[0].dead_note.isVisible()


def test_zero_and_negative_values_are_left_out_of_the_log_plots(panel, snapshots):
    stats = snapshots[0].stats
    bad = tuple(replace(layer, dbiases_norm=0.0, update_ratio=-1.0) for layer in stats.layers)
    panel.update_stats(replace(stats, layers=bad), None, None)
    feed(panel, snapshots[1])
    row = panel.rows[0]
    assert len(row.dbiases_curve.getData()[0]) == 1
    assert len(row.ratio_curve.getData()[0]) == 1
    assert np.all(np.isfinite(row.dbiases_curve.getData()[1]))


def test_vanished_gradients_are_named_instead_of_a_blank_plot(panel, snapshots):
    stats = snapshots[0].stats
    zero = tuple(replace(layer, dweights_norm=0.0, dbiases_norm=0.0) for layer in stats.layers)
    panel.update_stats(replace(stats, layers=zero), None, None)
    assert panel.rows[0].vanished_note.isVisible()


def test_the_reference_line_stays_in_view_when_the_ratio_is_far_from_it(panel, snapshots):
    stats = snapshots[0].stats
    fast = tuple(replace(layer, update_ratio=0.5) for layer in stats.layers)
    panel.update_stats(replace(stats, layers=fast), None, None)
    (_, _), (low, high) = panel.rows[0].ratio_plot.viewRange()
    assert low < np.log10(1e-3) < high


def test_plot_ranges_are_rounded_up_in_steps():
    assert [nice_ceiling(x) for x in (0.7, 1.0, 1.2, 2.5, 7.0, 9.0, 301.0)] == [
        0.8,
        1.0,
        1.5,
        3.0,
        8.0,
        10.0,
        400.0,
    ]
    assert nice_ceiling(0.0) == nice_ceiling(float("nan")) == 1.0


def test_the_same_epoch_twice_is_recorded_once(panel, snapshots):
    feed(panel, snapshots[0])
    feed(panel, snapshots[0])
    assert len(panel.rows[0].dweights_curve.getData()[0]) == 1


def test_an_earlier_epoch_starts_the_curves_again(panel, snapshots):
    for snapshot in snapshots[:3]:
        feed(panel, snapshot)
    feed(panel, snapshots[0])
    assert len(panel.rows[0].dweights_curve.getData()[0]) == 1


def test_stats_for_another_architecture_rebuild_the_rows(panel, snapshots):
    panel.set_layers(["Dense 1 (2→3)"], [False])
    feed(panel, snapshots[0])
    assert panel.row_count() == 3
    assert NAMES[1] in panel.row_label(1)


def test_ten_thousand_updates_keep_the_points_bounded(qtbot, snapshots):
    panel = GradientPanel(capacity=64)
    qtbot.addWidget(panel)
    stats = snapshots[0].stats
    one_layer = replace(stats, layers=stats.layers[:1])
    panel.set_layers(NAMES[:1], [True])
    for epoch in range(1, 10_001):
        panel.update_stats(replace(one_layer, epoch=epoch), None, None)
    row = panel.rows[0]
    for curve in (row.dweights_curve, row.ratio_curve, row.dead_curve):
        x = curve.getData()[0]
        assert len(x) <= 64
        assert x[-1] == 10_000
    panel.close()


def test_clear_empties_the_histories_and_the_plots(panel, snapshots):
    for snapshot in snapshots[:3]:
        feed(panel, snapshot)
    panel.clear()
    row = panel.rows[0]
    assert all(len(history.arrays()[0]) == 0 for history in row.histories)
    assert len(row.dweights_curve.getData()[0]) == 0
    assert len(row.histogram_curve.getData()[1]) == 0
    assert panel.dweights_image.image is None


# --- heatmaps ----------------------------------------------------------------------------


def test_the_heatmaps_show_the_selected_layers_dweights_and_weights(panel, snapshots):
    feed(panel, snapshots[0])
    panel.select_layer(0)
    assert panel.dweights_image.image.shape == snapshots[0].dweights[0].shape
    np.testing.assert_array_equal(panel.dweights_image.image, snapshots[0].dweights[0])
    np.testing.assert_array_equal(panel.weights_image.image, snapshots[0].weights[0])


def test_choosing_another_layer_in_the_combo_switches_the_heatmaps(panel, snapshots):
    feed(panel, snapshots[0])
    panel.layer_combo.setCurrentIndex(2)
    assert panel.selected_layer() == 2
    np.testing.assert_array_equal(panel.dweights_image.image, snapshots[0].dweights[2])
    assert panel.dweights_image.image.shape == (16, 3)


def test_clicking_a_row_selects_its_layer(panel, snapshots, qtbot):
    feed(panel, snapshots[0])
    panel.show()
    qtbot.waitExposed(panel)
    view = panel.rows_view
    plot = panel.rows[1].ratio_plot
    center = view.mapFromScene(plot.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(center))
    assert panel.selected_layer() == 1
    assert panel.layer_combo.currentIndex() == 1


def test_the_heatmap_levels_are_symmetric_around_zero(panel, snapshots):
    feed(panel, snapshots[0])
    low, high = panel.dweights_map.colorbar.levels()
    assert low == -high and high > 0


def test_symmetric_level_ignores_non_finite_values_and_never_returns_zero():
    assert symmetric_level(np.zeros((2, 3))) == 1.0
    assert symmetric_level(np.array([[np.nan, -2.0, 1.0]]), percentile=100) == 2.0


# --- gradient check ----------------------------------------------------------------------


def test_the_gradcheck_button_emits_gradcheck_requested(panel, qtbot):
    assert panel.gradcheck_button.objectName() == "gradcheck_button"
    assert panel.gradcheck_button.toolTip()
    with qtbot.waitSignal(panel.gradcheck_requested, timeout=1000):
        qtbot.mouseClick(panel.gradcheck_button, Qt.MouseButton.LeftButton)


def test_a_busy_gradient_check_disables_the_button_and_says_checking(panel):
    panel.set_gradcheck_busy(True)
    assert not panel.gradcheck_button.isEnabled()
    assert "checking" in panel.gradcheck_button.text()
    panel.set_gradcheck_busy(False)
    assert panel.gradcheck_button.isEnabled()


def test_show_gradcheck_colours_passing_layers_green_and_failing_red(panel):
    result = GradCheckResult(
        layers=(
            LayerCheck(NAMES[0], 3.2e-10, 100, True),
            LayerCheck(NAMES[1], 2.0e-4, 100, False),
        ),
        passed=False,
        max_error=2.0e-4,
    )
    panel.show_gradcheck(result)
    passing, failing = panel.gradcheck_labels
    assert passing.property("status") == "pass" and "#1B7E3C" in passing.styleSheet()
    assert failing.property("status") == "fail" and "#C62828" in failing.styleSheet()
    assert "3.2e-10" in passing.text() and "2.0e-04" in failing.text()


def test_a_passing_gradient_check_says_so_in_one_line(panel):
    result = GradCheckResult((LayerCheck(NAMES[0], 3.2e-10, 100, True),), True, 3.2e-10)
    panel.show_gradcheck(result)
    assert panel.gradcheck_view.summary.text() == (
        "All layers pass: max relative error 3.2e-10 (central differences, float64)"
    )


def test_new_layers_forget_the_old_gradient_check(panel):
    result = GradCheckResult((LayerCheck(NAMES[0], 3.2e-10, 100, True),), True, 3.2e-10)
    panel.show_gradcheck(result)
    panel.set_layers(NAMES, HAS_RELU)
    assert panel.gradcheck_labels == []
    assert not panel.gradcheck_view.isVisibleTo(panel)


# --- help and axes -----------------------------------------------------------------------


def test_every_control_has_a_tooltip(panel):
    for control in (panel.gradcheck_button, panel.help_button, panel.layer_combo):
        assert control.toolTip()


def test_the_help_button_shows_what_each_view_means(panel):
    assert not panel.help_label.isVisibleTo(panel)
    panel.help_button.click()
    assert panel.help_label.isVisibleTo(panel)
    text = panel.help_label.text()
    for word in ("dweights", "dbiases", "dinputs", "1e-3", "Dead ReLU", "histogram"):
        assert word in text


def test_the_log_axis_labels_powers_of_ten_like_the_help_text(qapp):
    axis = LogAxis("left")
    levels = axis.logTickValues(-4.2, -0.5, 200, [])
    assert levels[0][1] == [-4.0, -3.0, -2.0, -1.0]
    assert axis.logTickStrings([-3.0], 1.0, 1.0) == ["1e-3"]
    assert axis.logTickStrings(levels[1][1][:1], 1.0, None) == [""]


# --- staying cheap and readable while training --------------------------------------------


def test_epoch_ticks_are_few_and_short_on_a_narrow_axis(qapp):
    axis = CompactAxis("bottom", spacing=45)
    (step, values), *_ = axis.tickValues(1.0, 8001.0, 130)
    assert len(values) <= 130 // 45
    labels = axis.tickStrings(values, 1.0, step)
    assert all(len(label) <= 3 for label in labels)
    assert labels == [compact_number(v) for v in values]


def test_compact_numbers_read_like_the_axes_of_a_long_run():
    assert [compact_number(x) for x in (0, 250, 2000, 2500, 40_000, 1_200_000)] == [
        "0",
        "250",
        "2k",
        "2.5k",
        "40k",
        "1.2M",
    ]
    assert [compact_number(x) for x in (0.5, -0.0005, 1.5e-3)] == ["0.5", "-5e-4", "1.5e-3"]


def test_ticks_keep_off_the_ends_of_the_axis(qapp):
    axis = CompactAxis("bottom", spacing=45)
    (_, values), *_ = axis.tickValues(1.0, 2001.0, 67)
    assert values and all(100 < v < 1900 for v in values)


def test_the_row_curves_are_painted_by_qt_itself(panel):
    row = panel.rows[0]
    for curve in (row.dweights_curve, row.ratio_curve, row.dead_curve, row.histogram_curve):
        assert type(curve.line) is QGraphicsPathItem


def test_a_histogram_hovering_at_a_step_keeps_its_range(panel, snapshots):
    feed(panel, snapshots[0])
    row = panel.rows[0]
    before = row.histogram_plot.vb.viewRange()
    stats = snapshots[0].stats
    layer = stats.layers[0]
    smaller = replace(layer, histogram_counts=np.asarray(layer.histogram_counts) * 0.7)
    next_epoch = replace(stats, epoch=stats.epoch + 1, layers=(smaller, *stats.layers[1:]))
    feed(panel, replace(snapshots[0], stats=next_epoch))
    assert row.histogram_plot.vb.viewRange() == before


def test_a_histogram_narrows_only_after_its_dweights_stayed_narrow_for_a_while(panel, snapshots):
    from gui.inspector_rows import NARROW_AFTER_DRAWS

    feed(panel, snapshots[0])
    row = panel.rows[0]
    wide = row.histogram_plot.vb.viewRange()[0]
    stats = snapshots[0].stats
    layer = stats.layers[0]
    narrow = replace(layer, histogram_edges=np.asarray(layer.histogram_edges) * 0.01)
    ranges = []
    for i in range(1, NARROW_AFTER_DRAWS + 1):
        epoch = replace(stats, epoch=stats.epoch + i, layers=(narrow, *stats.layers[1:]))
        feed(panel, replace(snapshots[0], stats=epoch))
        ranges.append(row.histogram_plot.vb.viewRange()[0])
    assert ranges[:-1] == [wide] * (NARROW_AFTER_DRAWS - 1)
    assert ranges[-1][1] < wide[1] / 10


def test_sticky_ranges_follow_data_that_outgrow_or_shrink_far_below_them():
    assert sticky_range((0.0, 10.0), (0.0, 8.0)) == (0.0, 10.0)
    assert sticky_range((0.0, 10.0), (0.0, 15.0)) == (0.0, 15.0)
    assert sticky_range((0.0, 10.0), (0.0, 2.0)) == (0.0, 2.0)
    assert sticky_range((-5.0, 0.0), (-4.0, -1.0), log=True) == (-5.0, 0.0)
    assert sticky_range((-9.0, 0.0), (-4.0, -1.0), log=True) == (-4.0, -1.0)


def _panel_too_short_for_its_rows(qtbot) -> GradientPanel:
    """A panel 420 px tall: its last row is out of view until scrolled to."""
    panel = GradientPanel()
    qtbot.addWidget(panel)
    panel.resize(600, 420)
    panel.show()
    panel.set_layers(NAMES, HAS_RELU)
    qtbot.waitUntil(lambda: panel.rows_scroll.verticalScrollBar().maximum() > 0)
    return panel


def test_rows_scrolled_out_of_view_are_drawn_when_scrolled_back(qtbot, snapshots):
    panel = _panel_too_short_for_its_rows(qtbot)
    feed(panel, snapshots[0])
    feed(panel, snapshots[1])
    last = panel.rows[-1]
    assert len(last.dweights_curve.getData()[0]) == 0  # out of view: recorded, not drawn
    assert len(last.dweights_history.arrays()[0]) == 2
    assert "dweights" in panel.row_label(len(NAMES) - 1)  # its label stays current
    scroll = panel.rows_scroll.verticalScrollBar()
    scroll.setValue(scroll.maximum())
    assert len(last.dweights_curve.getData()[0]) == 2
    panel.close()


def test_a_narrow_long_axis_still_labels_one_tick(qapp):
    axis = CompactAxis("bottom", spacing=45)
    (_, values), *_ = axis.tickValues(1.0, 30_001.0, 62)
    assert values and 1_000 < values[0] < 29_000


def test_the_reference_line_and_its_caption_are_qt_items_across_the_epochs_shown(panel, snapshots):
    from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsSimpleTextItem

    feed(panel, snapshots[0])
    feed(panel, snapshots[1])
    row = panel.rows[0]
    line, caption = row.reference_line, row.reference_label
    assert type(line) is QGraphicsLineItem and type(caption) is QGraphicsSimpleTextItem
    (first, last), _ = row.ratio_plot.viewRange()
    ends = line.line()
    assert (ends.x1(), ends.x2()) == pytest.approx((first, last))
    assert ends.y1() == ends.y2() == pytest.approx(np.log10(1e-3))
    assert caption.text() == "1e-3" and first < caption.pos().x() < last


def test_rows_brought_into_view_by_a_taller_panel_are_drawn(qtbot, snapshots):
    panel = _panel_too_short_for_its_rows(qtbot)
    feed(panel, snapshots[0])
    last = panel.rows[-1]
    assert len(last.dweights_curve.getData()[0]) == 0
    panel.resize(600, 1400)
    qtbot.waitUntil(lambda: panel.rows_scroll.verticalScrollBar().maximum() == 0)
    feed(panel, snapshots[1])
    assert len(last.dweights_curve.getData()[0]) == 2
    panel.close()


# --- labels ------------------------------------------------------------------------------

LABEL_TEMPLATE = "<b>Dense 1 (2→64)</b> &nbsp; <span style='color:#005B8E'>{}</span> &nbsp;{}"


def _label_image(label: LiveLabel):
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.ci.addItem(label)
    widget.resize(420, 40)
    widget.show()
    image = widget.grab().toImage()
    widget.close()
    return image


def test_set_fields_shows_the_template_with_the_fields(qapp):
    label = LiveLabel("", size="9pt")
    label.set_fields(LABEL_TEMPLATE, ("dweights 1.00e-02", "dead 3%"))
    assert label.item.toPlainText() == "Dense 1 (2→64)   dweights 1.00e-02  dead 3%"


def test_fields_of_another_length_keep_the_words_around_them(qapp):
    label = LiveLabel("", size="9pt")
    label.set_fields(LABEL_TEMPLATE, ("dweights 1.00e-02", "dead 3%"))
    label.set_fields(LABEL_TEMPLATE, ("dweights 1.00e+100", "no ReLU"))
    label.set_fields(LABEL_TEMPLATE, ("w 2", "dead 13%"))
    assert label.item.toPlainText() == "Dense 1 (2→64)   w 2  dead 13%"


def test_changed_fields_look_like_the_whole_text_set_anew(qapp):
    changed = LiveLabel("", size="9pt")
    changed.set_fields(LABEL_TEMPLATE, ("dweights 1.00e-02", "dead 3%"))
    changed.set_fields(LABEL_TEMPLATE, ("dweights 4.56e-03", "dead 13%"))
    whole = LiveLabel("", size="9pt")
    whole.setText(LABEL_TEMPLATE.format("dweights 4.56e-03", "dead 13%"))
    assert _label_image(changed) == _label_image(whole)


def test_the_log_histories_keep_log10_of_the_values_a_log_axis_can_show(panel, snapshots):
    stats = snapshots[0].stats
    zero = tuple(replace(layer, dbiases_norm=0.0) for layer in stats.layers)
    panel.update_stats(replace(stats, layers=zero), None, None)
    row, layer = panel.rows[0], stats.layers[0]
    assert row.dweights_history.last == (stats.epoch, pytest.approx(np.log10(layer.dweights_norm)))
    assert row.dbiases_history.last is None
    assert row.last_epoch == stats.epoch


def test_a_row_refuses_an_epoch_that_does_not_increase(panel, snapshots):
    row, layer = panel.rows[0], snapshots[0].stats.layers[0]
    row.record(5, layer)
    with pytest.raises(ValueError, match="epochs must increase: got 5 after 5"):
        row.record(5, layer)
