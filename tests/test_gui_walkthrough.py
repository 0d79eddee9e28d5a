"""Specification of the Walkthrough tab: the chapter's neuron stage by stage, softmax two
ways, and one sample's backward pass through the network."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.walkthrough import WalkthroughPanel
from model.build import build_network
from model.datasets import spiral
from model.optimizers import Adam
from model.trainer import Trainer
from model.walkthrough import sample_trace

NEURON, SOFTMAX, TRACE = 0, 1, 2


@pytest.fixture(scope="module")
def trained():
    """A [8, 6] network trained a little on the spiral, with its data and logits."""
    X, y = spiral(40, 3, rng=0)
    net = build_network(2, 3, [8, 6], rng=0)
    trainer = Trainer(net, Adam(learning_rate=0.02), X, y, rng=0)
    for _ in range(20):
        trainer.run_epoch()
    net.forward(X, training=False)
    logits = net.dense_layers[-1].output.copy()
    return net, X, y, logits


@pytest.fixture
def panel(qtbot):
    widget = WalkthroughPanel()
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    yield widget
    widget.close()


def click_next(qtbot, panel, times=1):
    for _ in range(times):
        qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)


def click_back(qtbot, panel, times=1):
    for _ in range(times):
        qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)


def type_into(qtbot, field, text):
    field.edit.clear()
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)


def show_trace(panel, trained, index=5):
    net, X, y, _ = trained
    panel.set_network_trace(sample_trace(net, X, y, index), index, X[index], int(y[index]))


# --- the panel -----------------------------------------------------------------------------


def test_the_panel_and_its_buttons_have_stable_object_names(panel):
    assert panel.objectName() == "walkthrough_panel"
    assert panel.next_button.objectName() == "walkthrough_next_button"
    assert panel.back_button.objectName() == "walkthrough_back_button"


def test_next_and_back_act_only_on_the_visible_part(qtbot, panel, trained):
    show_trace(panel, trained)
    click_next(qtbot, panel, 2)
    panel.show_part(TRACE)
    click_next(qtbot, panel)
    assert panel.neuron.stage == 2
    assert panel.trace.stage == 1
    assert panel.softmax.stage == 0


def test_the_arrow_keys_step_the_visible_part(qtbot, panel):
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    panel.next_button.setFocus()
    qtbot.keyClick(panel.next_button, Qt.Key.Key_Right)
    qtbot.keyClick(panel.next_button, Qt.Key.Key_Right)
    qtbot.keyClick(panel.next_button, Qt.Key.Key_Left)
    assert panel.neuron.stage == 1


def test_the_arrow_keys_still_move_the_cursor_in_a_field(qtbot, panel):
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    edit = panel.neuron.fields["w0"].edit
    edit.setFocus()
    edit.setCursorPosition(0)
    qtbot.keyClick(edit, Qt.Key.Key_Right)
    assert edit.cursorPosition() == 1
    assert panel.neuron.stage == 0


# --- part 1: one neuron --------------------------------------------------------------------


def test_the_forward_stages_show_the_chapters_values(qtbot, panel):
    neuron = panel.neuron
    assert neuron.stage == 0
    assert [neuron.edge_text(f"x{i}") for i in range(3)] == ["x0 = 1", "x1 = -2", "x2 = 3"]
    assert [neuron.edge_text(f"w{i}") for i in range(3)] == ["w0 = -3", "w1 = -1", "w2 = 2"]
    assert neuron.edge_text("xw0") == neuron.edge_text("z") == neuron.edge_text("y") == ""
    click_next(qtbot, panel)
    assert [neuron.edge_text(f"xw{i}") for i in range(3)] == ["xw0 = -3", "xw1 = 2", "xw2 = 6"]
    assert neuron.edge_text("z") == ""
    click_next(qtbot, panel)
    assert neuron.edge_text("z") == "z = 6"
    assert neuron.edge_text("y") == ""
    click_next(qtbot, panel)
    assert neuron.edge_text("y") == "y = 6"
    assert all(neuron.edge_gradient(name) == "" for name in ("y", "z", "b", "x0", "w0"))


def test_the_backward_stages_show_the_chapters_gradients(qtbot, panel):
    neuron = panel.neuron
    click_next(qtbot, panel, 4)
    assert neuron.stage == 4
    assert neuron.edge_gradient("y") == "dvalue = 1"
    assert neuron.edge_gradient("z") == ""
    click_next(qtbot, panel)
    assert neuron.edge_gradient("z") == "dz = 1"
    assert neuron.graph.note_text("relu") == "ReLU'(z) = 1"
    assert neuron.edge_gradient("xw0") == ""
    click_next(qtbot, panel)
    assert [neuron.edge_gradient(f"xw{i}") for i in range(3)] == [
        "dxw0 = 1",
        "dxw1 = 1",
        "dxw2 = 1",
    ]
    assert neuron.edge_gradient("b") == "db = 1"
    assert neuron.edge_gradient("x0") == ""
    click_next(qtbot, panel)
    assert [neuron.edge_gradient(f"x{i}") for i in range(3)] == ["dx0 = -3", "dx1 = -1", "dx2 = 2"]
    assert [neuron.edge_gradient(f"w{i}") for i in range(3)] == ["dw0 = 1", "dw1 = -2", "dw2 = 3"]


def test_values_and_gradients_are_drawn_in_different_colours(qtbot, panel):
    click_next(qtbot, panel, 7)
    edge = panel.neuron.graph.edges["w1"]
    assert edge.value.brush().color() != edge.gradient.brush().color()


def test_each_stage_has_its_equation_and_a_sentence(qtbot, panel):
    explain = panel.neuron.explain
    click_next(qtbot, panel, 2)
    assert "z = xw0 + xw1 + xw2 + b" in explain.equation.text()
    assert "(-3) + 2 + 6 + 1" in explain.equation.text()
    assert explain.equation.text().endswith("= 6")
    assert "bias" in explain.sentence.text()
    click_next(qtbot, panel, 3)
    assert "derivative is 1" in explain.sentence.text()


def test_one_update_lowers_the_output_from_6_to_5_985(qtbot, panel):
    neuron = panel.neuron
    click_next(qtbot, panel, 7)
    qtbot.mouseClick(neuron.update_button, Qt.MouseButton.LeftButton)
    assert neuron.edge_text("y") == "y = 5.985"
    assert neuron.stage == 3  # the forward pass repeated, up to the output
    assert [neuron.fields[f"w{i}"].edit.text() for i in range(3)] == ["-3.001", "-0.998", "1.997"]
    assert neuron.fields["b"].edit.text() == "0.999"
    assert "y = 5.985" in neuron.update_label.text()
    assert "was 6" in neuron.update_label.text()


def test_a_negative_z_zeroes_every_gradient_upstream(qtbot, panel):
    neuron = panel.neuron
    type_into(qtbot, neuron.fields["b"], "-10")
    click_next(qtbot, panel, 3)
    assert neuron.edge_text("z") == "z = -5"
    assert neuron.edge_text("y") == "y = 0"
    click_next(qtbot, panel, 2)
    assert neuron.edge_gradient("z") == "dz = 0"
    assert "ReLU kills the gradient" in neuron.explain.sentence.text()
    click_next(qtbot, panel, 2)
    upstream = ["xw0", "xw1", "xw2", "b", "x0", "x1", "x2", "w0", "w1", "w2"]
    assert all(neuron.edge_gradient(name).endswith(" = 0") for name in upstream)
    assert "dead ReLU" in neuron.explain.sentence.text()


def test_next_at_the_last_stage_and_back_at_the_first_do_nothing(qtbot, panel):
    neuron = panel.neuron
    assert not panel.back_button.isEnabled()
    panel.back()
    click_back(qtbot, panel)
    assert neuron.stage == 0
    click_next(qtbot, panel, neuron.stage_count + 3)
    assert neuron.stage == neuron.stage_count - 1
    assert not panel.next_button.isEnabled()
    panel.next()
    assert neuron.stage == neuron.stage_count - 1
    assert neuron.edge_gradient("w2") == "dw2 = 3"


def test_run_100_steps_plots_101_falling_outputs(qtbot, panel):
    qtbot.mouseClick(panel.neuron.descent_button, Qt.MouseButton.LeftButton)
    xs, ys = panel.neuron.descent_curve.getData()
    assert len(xs) == len(ys) == 101
    assert ys[0] == 6.0
    assert ys[1] == pytest.approx(5.985)
    assert np.all(np.diff(ys) < 0)


def test_a_value_that_is_not_a_number_is_refused_with_a_message(qtbot, panel):
    neuron = panel.neuron
    type_into(qtbot, neuron.fields["w1"], "abc")
    assert neuron.message.isVisible()
    assert "w1" in neuron.message.text() and "not a number" in neuron.message.text()
    assert neuron.current_pass.w == (-3.0, -1.0, 2.0)
    type_into(qtbot, neuron.fields["w1"], "-1")
    assert not neuron.message.isVisible()


def test_a_learning_rate_of_zero_is_refused(qtbot, panel):
    neuron = panel.neuron
    type_into(qtbot, neuron.fields["lr"], "0")
    assert "lr" in neuron.message.text() and "(0, 10]" in neuron.message.text()
    assert neuron.learning_rate == 0.001


def test_chapter_values_restore_the_example(qtbot, panel):
    neuron = panel.neuron
    type_into(qtbot, neuron.fields["x0"], "4")
    qtbot.mouseClick(neuron.update_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(neuron.chapter_button, Qt.MouseButton.LeftButton)
    assert neuron.stage == 0
    assert neuron.current_pass.y == 6.0


# --- part 2: softmax + cross-entropy -----------------------------------------------------


def test_the_jacobian_road_and_the_shortcut_agree_to_1e_12(panel, trained):
    _, _, y, logits = trained
    panel.set_dataset_logits(logits, y)
    softmax = panel.softmax
    k = logits.shape[1]
    via = np.array([float(softmax.gradient_text(i, "J @ dL/ds")) for i in range(k)])
    shortcut = np.array([float(softmax.gradient_text(i, "(s − onehot) / n")) for i in range(k)])
    assert np.max(np.abs(via - shortcut)) < 1e-12
    assert np.allclose(shortcut * len(y), softmax.result.probs - np.eye(k)[y[0]])
    assert "max |difference|" in softmax.difference_label.text()


def test_the_gradients_are_printed_with_17_significant_digits(panel, trained):
    _, _, y, logits = trained
    panel.set_sample(logits[3], int(y[3]), len(y), sample_index=3)
    text = panel.softmax.gradient_text(0, "(s − onehot) / n")
    digits = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    assert len(digits) >= 15


@pytest.mark.parametrize("k", [3, 8])
def test_the_jacobian_heatmap_has_k_by_k_cells_with_numbers(panel, k):
    logits = np.random.default_rng(k).normal(size=k)
    panel.set_sample(logits, 1, 10)
    table = panel.softmax.jacobian_table
    assert (table.rowCount(), table.columnCount()) == (k, k)
    for i in range(k):
        for j in range(k):
            value = float(panel.softmax.jacobian_text(i, j))
            assert value == pytest.approx(panel.softmax.result.jacobian[i, j], abs=1e-3)


def test_the_time_button_shows_three_timings(qtbot, panel, trained):
    _, _, y, logits = trained
    panel.set_dataset_logits(logits, y)
    panel.show_part(SOFTMAX)
    qtbot.mouseClick(panel.softmax.time_button, Qt.MouseButton.LeftButton)
    t = panel.softmax.timings
    assert t.n_samples == len(y)
    assert min(t.jacobian_loop_us, t.vectorised_us, t.fused_us) > 0
    assert panel.softmax.timing_label.text().count("µs") == 3
    assert "faster" in panel.softmax.timing_label.text()


def test_the_time_button_waits_for_the_datasets_logits(panel):
    assert not panel.softmax.time_button.isEnabled()


def test_typing_a_sample_index_asks_the_owner_and_shows_that_sample(qtbot, panel, trained):
    _, _, y, logits = trained
    panel.set_dataset_logits(logits, y)
    with qtbot.waitSignal(panel.sample_requested, timeout=1000) as blocker:
        panel.sample_input.setValue(7)
    assert blocker.args == [7]
    assert panel.softmax.sample_index == 7
    assert np.array_equal(panel.softmax.result.logits, logits[7])


def test_the_softmax_stages_step_with_the_shared_buttons(qtbot, panel, trained):
    _, _, y, logits = trained
    panel.set_dataset_logits(logits, y)
    panel.show_part(SOFTMAX)
    click_next(qtbot, panel, 10)
    assert panel.softmax.stage == panel.softmax.stage_count - 1
    assert "(s − onehot) / n" in panel.softmax.explain.equation.text()
    assert not panel.next_button.isEnabled()


# --- part 3: one sample through the network ------------------------------------------------


def test_stepping_visits_every_layer_from_the_loss_down(qtbot, panel, trained):
    show_trace(panel, trained)
    panel.show_part(TRACE)
    seen = [panel.trace.stage_title()]
    for _ in range(10):
        click_next(qtbot, panel)
        if panel.trace.stage_title() != seen[-1]:
            seen.append(panel.trace.stage_title())
    assert seen == [
        "Softmax + cross-entropy",
        "Dense 3 (6→3)",
        "ReLU",
        "Dense 2 (8→6)",
        "ReLU",
        "Dense 1 (2→8)",
    ]
    assert not panel.next_button.isEnabled()
    assert panel.trace.layer_list.item(5).text().startswith("▶")


def test_each_dense_stage_shows_its_dweights_heatmap_with_the_layers_shape(qtbot, panel, trained):
    show_trace(panel, trained)
    panel.show_part(TRACE)
    shapes = {}
    for _ in range(panel.trace.stage_count):
        trace = panel.trace.current_trace()
        if trace.kind == "Dense":
            shapes[trace.name] = panel.trace.dweights_image.image.shape
            assert np.array_equal(panel.trace.dweights_image.image, trace.dweights)
        click_next(qtbot, panel)
    assert shapes == {"Dense 3 (6→3)": (6, 3), "Dense 2 (8→6)": (8, 6), "Dense 1 (2→8)": (2, 8)}


def test_a_relu_stage_shows_the_gradient_arriving_and_its_mask(qtbot, panel, trained):
    show_trace(panel, trained)
    panel.show_part(TRACE)
    click_next(qtbot, panel, 2)
    trace = panel.trace.current_trace()
    assert trace.kind == "ReLU"
    assert np.array_equal(panel.trace.arriving_heights(), trace.dvalues)
    assert np.array_equal(panel.trace.sent_heights(), trace.dvalues * trace.mask)
    alive = int(np.count_nonzero(trace.mask))
    assert f"{alive} of {len(trace.mask)} units pass" in panel.trace.explain.equation.text()


def test_the_bars_are_labelled_with_whole_indices(qtbot, panel, trained):
    show_trace(panel, trained)
    panel.show_part(TRACE)
    click_next(qtbot, panel)  # the top Dense layer: 3 dvalues arriving
    for plot in (panel.trace.arriving_plot, panel.trace.sent_plot):
        low, high = plot.viewRange()[0]
        levels = plot.getAxis("bottom").tickValues(low, high, 300)
        values = [v for _spacing, ticks in levels for v in ticks]
        assert values and all(float(v).is_integer() for v in values)


def test_the_per_sample_dweights_sum_to_the_full_batch_dweights(trained):
    net, X, y, _ = trained
    totals = None
    for index in range(len(X)):
        dense = [t.dweights for t in sample_trace(net, X, y, index) if t.kind == "Dense"]
        totals = dense if totals is None else [a + b for a, b in zip(totals, dense, strict=True)]
    output = net.forward(X, training=True)
    net.backward(output, y)
    full = [d.dweights for d in reversed(net.dense_layers)]
    for summed, batch in zip(totals, full, strict=True):
        assert np.allclose(summed, batch, atol=1e-12)


def test_a_new_trace_shows_its_sample_and_keeps_the_layer(qtbot, panel, trained):
    show_trace(panel, trained, index=5)
    panel.show_part(TRACE)
    click_next(qtbot, panel, 3)
    show_trace(panel, trained, index=9)
    assert panel.trace.stage == 3
    assert panel.sample_index() == 9
    assert "Sample 9" in panel.trace.header.text()


def test_clear_forgets_the_sample(panel, trained):
    _, _, y, logits = trained
    panel.set_dataset_logits(logits, y)
    show_trace(panel, trained)
    panel.clear()
    assert panel.sample_index() is None
    assert panel.softmax.result is None
    assert panel.trace.current_trace() is None
    assert panel.trace.stage_count == 1


def test_a_label_outside_the_classes_is_refused(panel):
    with pytest.raises(ValueError, match=r"label must be a class in 0\.\.2, got 3"):
        panel.set_sample(np.zeros(3), 3, 10)


def test_a_regression_trace_names_the_target_not_a_class(panel):
    X = np.linspace(0, 1, 20).reshape(-1, 1)
    y = np.sin(X)
    net = build_network(1, 1, [4], task="regression", rng=0)
    panel.set_network_trace(sample_trace(net, X, y, 2), 2, X[2], y[2])
    assert "target 0.105" in panel.trace.header.text()
    assert "loss's gradient" in panel.trace.explain.sentence.text()
