"""Issue 4 in the main window: the Walkthrough tab and the neuron views, driven as a learner
drives them (tabs, buttons, clicks on the plot, typing, hovering)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from gui.boundary_plot import BoundaryPlot
from gui.capture import current_stats, neuron_grid, take_explanation, take_snapshot
from gui.neuron_views import NeuronViews
from gui.walkthrough import WalkthroughPanel
from gui.worker import STEP_DONE
from model.build import network_from_config
from model.config import RunConfig
from model.grid import boundary_grid
from model.run import PRESETS, build_run
from model.walkthrough import hidden_activations, sample_trace, softmax_two_ways

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]

NEURON, SOFTMAX, TRACE = 0, 1, 2
#: A small run: 8 points per class, two hidden layers, so that every sample can be traced.
SMALL = RunConfig.from_dict(
    {
        "data": {"samples": 8, "classes": 3},
        "network": {"hidden": [12, 6]},
        "optimizer": {"type": "Adam", "learning_rate": 0.02},
    }
)


def click(qtbot, widget, pos: QPoint | None = None) -> None:
    if pos is None:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def show_tab(qtbot, window, index: int) -> None:
    bar = window.center_tabs.tabBar()
    click(qtbot, bar, bar.tabRect(index).center())
    assert window.center_tabs.currentIndex() == index


def open_walkthrough(qtbot, window) -> WalkthroughPanel:
    """Click the Walkthrough tab and wait for the first sample's trace."""
    show_tab(qtbot, window, 1)
    panel = window.walkthrough_panel
    qtbot.waitUntil(lambda: bool(panel.trace.traces), timeout=5000)
    return panel


def reset_to(qtbot, window, config: RunConfig) -> None:
    window.apply_config_to_controls(config)
    with qtbot.waitSignal(window.run_ready, timeout=5000):
        click(qtbot, window.reset_button)


def step(qtbot, window, button=None) -> None:
    with qtbot.waitSignal(window.training_stopped, timeout=5000) as blocker:
        click(qtbot, button or window.step_button)
    assert blocker.args[1] == STEP_DONE


def click_on_plot(qtbot, plot, x: float, y: float) -> None:
    """A plain left click on the boundary plot at data point (x, y)."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    pos = plot.plot_widget.mapFromScene(scene)
    click(qtbot, plot.plot_widget.viewport(), pos)


def network_copy(window):
    """A copy of the network (architecture and weights), taken while the worker is idle."""
    assert not window.running
    live = window.worker.run.network
    net = network_from_config(live.config(), rng=0)
    net.set_params(live.get_params())
    return net


# --- the Walkthrough tab ---------------------------------------------------------------------


def test_the_walkthrough_tab_holds_the_panel_and_its_buttons(main_window):
    tabs = main_window.center_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Training", "Walkthrough"]
    panel = main_window.findChild(WalkthroughPanel, "walkthrough_panel")
    assert panel is main_window.walkthrough_panel
    assert tabs.widget(1).isAncestorOf(panel)
    for name in ("walkthrough_next_button", "walkthrough_back_button"):
        assert main_window.findChild(type(panel.next_button), name) is not None


def test_the_neuron_part_shows_the_chapters_numbers_inside_the_window(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    neuron = panel.neuron
    for _ in range(3):
        click(qtbot, panel.next_button)
    assert [neuron.edge_text(f"xw{i}") for i in range(3)] == ["xw0 = -3", "xw1 = 2", "xw2 = 6"]
    assert neuron.edge_text("z") == "z = 6" and neuron.edge_text("y") == "y = 6"
    for _ in range(4):
        click(qtbot, panel.next_button)
    assert neuron.edge_gradient("y") == "dvalue = 1" and neuron.edge_gradient("z") == "dz = 1"
    assert [neuron.edge_gradient(f"x{i}") for i in range(3)] == ["dx0 = -3", "dx1 = -1", "dx2 = 2"]
    assert [neuron.edge_gradient(f"w{i}") for i in range(3)] == ["dw0 = 1", "dw1 = -2", "dw2 = 3"]
    assert neuron.edge_gradient("b") == "db = 1"
    click(qtbot, neuron.update_button)
    assert neuron.edge_text("y") == "y = 5.985"


def test_the_walkthrough_takes_the_boundary_beside_it_and_training_gets_it_back(qtbot, main_window):
    plot = main_window.boundary_plot
    open_walkthrough(qtbot, main_window)
    assert main_window.walkthrough_page.isAncestorOf(plot) and plot.isVisible()
    assert not main_window.inspector_dock.isVisible()
    assert main_window.walkthrough_step_button.isVisible()
    show_tab(qtbot, main_window, 0)
    assert main_window.plot_splitter.widget(0) is plot
    qtbot.waitUntil(lambda: main_window.inspector_dock.isVisible(), timeout=2000)
    assert main_window.neurons_dock.isVisible() and main_window.controls_dock.isVisible()


def test_coming_back_from_the_walkthrough_keeps_the_window_and_its_docks_as_they_were(
    qtbot, main_window
):
    main_window.resize(1600, 1000)
    qtbot.wait(50)
    docks = (main_window.controls_dock, main_window.inspector_dock, main_window.neurons_dock)
    before = main_window.size(), [dock.width() for dock in docks]
    open_walkthrough(qtbot, main_window)
    show_tab(qtbot, main_window, 0)
    qtbot.waitUntil(lambda: main_window.inspector_dock.isVisible(), timeout=2000)
    qtbot.wait(50)
    assert (main_window.size(), [dock.width() for dock in docks]) == before


def test_parts_2_and_3_show_the_first_sample_by_default(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    assert panel.trace.sample_index == 0 == panel.softmax.sample_index
    assert panel.sample_index() == 0
    assert panel.trace.traces[0].kind == "Softmax+loss"


def test_clicking_a_training_point_beside_the_walkthrough_picks_that_sample(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    info = main_window.info
    n = len(info.X_train)
    k = 123
    x, y = info.X_train[k]
    click_on_plot(qtbot, main_window.boundary_plot, x, y)
    qtbot.waitUntil(lambda: panel.trace.sample_index == k, timeout=5000)
    assert panel.softmax.sample_index == k
    assert len(main_window.info.X_train) == n  # the click picked; it added no point
    np.testing.assert_array_equal(panel.trace.x, info.X_train[k])
    # Part 2 shows this sample's logits, and both roads agree to 1e-12.
    net = network_copy(main_window)
    net.forward(info.X_train, training=False)
    logits = net.dense_layers[-1].output
    result = panel.softmax.result
    np.testing.assert_allclose(result.logits, logits[k], rtol=0, atol=1e-12)
    assert result.label == info.y_train[k]
    assert np.max(np.abs(result.via_jacobian - result.shortcut)) <= 1e-12
    expected = softmax_two_ways(logits[k], int(info.y_train[k]), n)
    np.testing.assert_allclose(result.shortcut, expected.shortcut, rtol=0, atol=1e-12)


def test_a_click_far_from_every_point_picks_nothing(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    n = len(main_window.info.X_train)
    x0, x1, y0, _ = main_window.info.grid.extent
    click_on_plot(qtbot, main_window.boundary_plot, x0 + 0.01 * (x1 - x0), y0)
    qtbot.wait(100)
    assert panel.trace.sample_index == 0 and len(main_window.info.X_train) == n
    assert "No training point" in main_window.statusBar().currentMessage()


def test_typing_a_sample_index_shows_that_sample(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    field = panel.sample_input
    field.selectAll()
    qtbot.keyClicks(field, "42")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.trace.sample_index == 42, timeout=5000)
    assert panel.softmax.sample_index == 42
    np.testing.assert_array_equal(panel.trace.x, main_window.info.X_train[42])


def test_the_traces_of_all_samples_sum_to_the_full_batch_dweights(qtbot, main_window):
    reset_to(qtbot, main_window, SMALL)
    for _ in range(3):
        step(qtbot, main_window)
    panel = open_walkthrough(qtbot, main_window)
    X, y = main_window.info.X_train, main_window.info.y_train
    sums = None
    for i in range(len(X)):
        if i:
            panel.sample_input.setValue(i)  # as typed
        qtbot.waitUntil(lambda i=i: panel.trace.sample_index == i, timeout=5000)
        dense = [t.dweights for t in panel.trace.traces if t.kind == "Dense"]
        sums = dense if sums is None else [s + d for s, d in zip(sums, dense, strict=True)]
    net = network_copy(main_window)
    output = net.forward(X, training=False)
    net.backward(output, y)
    expected = [d.dweights for d in reversed(net.dense_layers)]  # the trace runs top first
    assert len(sums) == 3
    for got, want in zip(sums, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_a_step_beside_the_walkthrough_refreshes_the_sample(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    before = panel.trace.traces[1].dweights.copy()
    with qtbot.waitSignal(main_window.explanation_shown, timeout=5000) as blocker:
        step(qtbot, main_window, main_window.walkthrough_step_button)
    assert blocker.args == [1]
    qtbot.waitUntil(lambda: not np.array_equal(panel.trace.traces[1].dweights, before))
    assert panel.trace.sample_index == 0


def test_training_refreshes_the_walkthrough(qtbot, main_window):
    open_walkthrough(qtbot, main_window)
    epochs = []
    main_window.explanation_shown.connect(epochs.append)
    click(qtbot, main_window.walkthrough_start_button)
    qtbot.waitUntil(lambda: len(epochs) >= 3, timeout=10_000)
    with qtbot.waitSignal(main_window.training_stopped, timeout=2000):
        click(qtbot, main_window.walkthrough_start_button)
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]


def test_reset_clears_the_walkthrough_then_shows_the_new_network(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    panel.sample_input.setValue(7)
    qtbot.waitUntil(lambda: panel.trace.sample_index == 7, timeout=5000)
    step(qtbot, main_window, main_window.walkthrough_step_button)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert not panel.trace.traces or panel.trace.sample_index == 7
    qtbot.waitUntil(lambda: bool(panel.trace.traces), timeout=5000)
    assert panel.trace.sample_index == 7 and main_window.worker.run.trainer.epoch == 0


def test_without_softmax_part_2_says_why_and_part_3_still_works(qtbot, main_window):
    reset_to(qtbot, main_window, PRESETS["ch16"])
    panel = open_walkthrough(qtbot, main_window)
    assert "Not available" in panel.softmax.header.text()
    assert "sigmoid" in panel.softmax.header.text()
    assert panel.softmax.result is None
    assert panel.trace.traces[0].kind == "Sigmoid"


def test_next_and_back_at_both_ends_are_harmless(qtbot, main_window):
    panel = open_walkthrough(qtbot, main_window)
    for part in (NEURON, SOFTMAX, TRACE):
        panel.show_part(part)
        view = panel.current_view()
        for _ in range(2):
            panel.back()  # the button is disabled at the first stage: the key path too
        assert view.stage == 0 and not panel.back_button.isEnabled()
        for _ in range(view.stage_count + 3):
            click(qtbot, panel.next_button)
            panel.next()
        assert view.stage == view.stage_count - 1 and not panel.next_button.isEnabled()
        click(qtbot, panel.back_button)
        assert view.stage == max(view.stage_count - 2, 0)


def test_closing_beside_the_walkthrough_remembers_the_training_layout(qtbot, main_window):
    from gui.main_window import MainWindow

    open_walkthrough(qtbot, main_window)
    main_window.close()
    again = MainWindow()
    try:
        again.show()
        qtbot.waitUntil(lambda: again.info is not None, timeout=10_000)
        assert again.center_tabs.currentIndex() == 0
        assert again.inspector_dock.isVisible() and again.controls_dock.isVisible()
    finally:
        again.close()


# --- the neuron views ------------------------------------------------------------------------


def wait_for_maps(qtbot, window) -> NeuronViews:
    """The neuron views once they have maps and their thumbnails are laid out."""
    views = window.neuron_views
    qtbot.waitUntil(lambda: views.resolution > 0 and views.grid(0).isVisible(), timeout=5000)
    qtbot.wait(50)  # a rebuilt layout settles in the next event-loop passes
    return views


def test_every_hidden_neuron_has_a_thumbnail_after_reset_and_after_a_step(qtbot, main_window):
    reset_to(qtbot, main_window, SMALL)
    views = wait_for_maps(qtbot, main_window)
    assert views.layer_sizes == [12, 6] and views.thumbnail_count == 18
    assert views.isVisible()
    before = views.activation_image(1, 2).copy()
    step(qtbot, main_window)
    qtbot.waitUntil(lambda: not np.array_equal(views.activation_image(1, 2), before))
    assert views.thumbnail_count == 18
    assert views.thumbnail_image(0, 11).width() == views.resolution


def test_the_book_s_64_neurons_all_have_thumbnails(qtbot, main_window):
    views = wait_for_maps(qtbot, main_window)
    assert views.layer_sizes == [64] and views.shown_count(0) == 64
    assert not views.more_label(0).isVisible()


def test_the_thumbnails_show_the_networks_hidden_outputs(qtbot, main_window):
    views = wait_for_maps(qtbot, main_window)
    grid = main_window.info.neuron_grid
    hidden = hidden_activations(network_copy(main_window), grid.points)[0]
    np.testing.assert_allclose(
        views.activation_image(0, 9), hidden[:, 9].reshape(grid.resolution, -1), rtol=1e-6
    )


def test_hovering_a_thumbnail_shows_it_in_the_boundary_plot_and_leaving_restores_it(
    qtbot, main_window
):
    views = wait_for_maps(qtbot, main_window)
    plot = main_window.boundary_plot
    probabilities = plot.image_item.image.copy()
    qtbot.mouseMove(views.grid(0), views.thumbnail_center(0, 4))
    qtbot.waitUntil(lambda: plot.overlay_text != "", timeout=2000)
    assert plot.overlay_text.startswith("Dense 1, neuron 5: ReLU output over the input plane")
    np.testing.assert_array_equal(plot.overlay.image.image, views.activation_rgba(0, 4))
    qtbot.mouseMove(views, QPoint(views.width() - 3, views.height() - 3))
    qtbot.waitUntil(lambda: plot.overlay_text == "", timeout=2000)
    assert not plot.overlay.image.isVisible()
    np.testing.assert_array_equal(plot.image_item.image, probabilities)


def test_a_clicked_neuron_stays_in_the_plot_until_clicked_again(qtbot, main_window):
    views = wait_for_maps(qtbot, main_window)
    plot = main_window.boundary_plot
    click(qtbot, views.grid(0), views.thumbnail_center(0, 2))
    qtbot.mouseMove(views, QPoint(views.width() - 3, views.height() - 3))
    qtbot.waitUntil(lambda: views.hovered is None, timeout=2000)
    assert plot.overlay_text.startswith("Dense 1, neuron 3:")
    step(qtbot, main_window)  # new maps: the large view follows them
    qtbot.waitUntil(
        lambda: np.array_equal(plot.overlay.image.image, views.activation_rgba(0, 2)),
        timeout=2000,
    )
    click(qtbot, views.grid(0), views.thumbnail_center(0, 2))
    assert plot.overlay_text == ""


def test_a_dead_relu_is_marked_and_said_so_in_the_large_view(qtbot, main_window):
    wait_for_maps(qtbot, main_window)
    main_window.worker.run.network.dense_layers[0].biases[0, 6] = -1e3  # idle: kill neuron 7
    views = main_window.neuron_views
    main_window.request_explanation()
    qtbot.waitUntil(lambda: views.is_marked_dead(0, 6), timeout=5000)
    click(qtbot, views.grid(0), views.thumbnail_center(0, 6))
    assert "Dead" in main_window.boundary_plot.overlay_text


def test_hiding_the_neurons_dock_stops_the_maps_and_the_large_view(qtbot, main_window):
    views = wait_for_maps(qtbot, main_window)
    click(qtbot, views.grid(0), views.thumbnail_center(0, 1))
    assert main_window.boundary_plot.overlay_text != ""
    main_window.neurons_dock.hide()
    assert main_window.boundary_plot.overlay_text == ""
    before = views.activation_image(0, 1).copy()
    step(qtbot, main_window)
    qtbot.wait(200)
    np.testing.assert_array_equal(views.activation_image(0, 1), before)


def test_a_one_input_run_draws_neuron_curves_and_leaves_the_fit_in_the_plot(qtbot, main_window):
    sine = RunConfig.from_dict(
        {"data": {"dataset": "sine", "samples": 100}, "network": {"hidden": [8]}}
    )
    reset_to(qtbot, main_window, sine)
    views = wait_for_maps(qtbot, main_window)
    assert views.activation_image(0, 3).shape == (views.resolution,)
    qtbot.mouseMove(views.grid(0), views.thumbnail_center(0, 3))
    qtbot.waitUntil(lambda: views.hovered == (0, 3), timeout=2000)
    assert main_window.boundary_plot.overlay_text == ""


# --- what crosses the thread boundary, and the plot's overlay --------------------------------


def test_an_explanation_holds_read_only_copies_of_the_engines_numbers():
    run = build_run(SMALL)
    grid = neuron_grid(run.X_train, run)
    explanation = take_explanation(run, grid, sample=3, neurons=True)
    net = run.network
    maps = explanation.neurons.maps
    assert [m.shape for m in maps] == [(48 * 48, 12), (48 * 48, 6)]
    for got, want in zip(maps, hidden_activations(net, grid.points), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    traced = explanation.sample
    assert traced.index == 3 and traced.label == int(run.y_train[3])
    engine = sample_trace(net, run.X_train, run.y_train, 3)
    for trace, want in zip(traced.traces, engine, strict=True):
        np.testing.assert_array_equal(trace.dvalues, want.dvalues)
    arrays = [*maps, *explanation.neurons.dead, traced.logits, traced.x]
    arrays += [t.dweights for t in traced.traces if t.dweights is not None]
    buffers = [layer.output for layer in net.layers] + [net.params]
    for array in arrays:
        assert not array.flags.writeable
        assert not any(np.shares_memory(array, buffer) for buffer in buffers)


def test_nothing_is_explained_unless_asked():
    run = build_run(SMALL)
    stats = current_stats(run)
    assert take_snapshot(run, None, stats, (stats,)).explanation is None
    explanation = take_explanation(run, None, sample=None, neurons=True)
    assert explanation.sample is None and explanation.neurons is None


def test_the_overlay_covers_its_grid_and_clear_brings_the_boundary_back(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    X = np.array([[-1.0, -2.0], [1.0, 2.0]])
    grid = boundary_grid(X, 20)
    plot.set_data(X, np.array([0, 1]), None, None, 2, "classification")
    plot.set_grid(grid)
    plot.update_boundary(np.full((20, 20, 2), 0.5, dtype=np.float32))
    rgba = np.zeros((20, 20, 4), dtype=np.uint8)
    plot.show_overlay(rgba, grid, "Dense 1, neuron 1: ReLU output over the input plane")
    rect = plot.overlay.image.mapRectToParent(plot.overlay.image.boundingRect())
    x0, x1, y0, y1 = grid.extent
    assert rect.left() < x0 < x1 < rect.right() and rect.top() < y0 < y1 < rect.bottom()
    assert plot.overlay_text.startswith("Dense 1, neuron 1")
    plot.clear_overlay()
    assert plot.overlay_text == "" and plot.image_item.image is not None


def test_an_overlay_of_the_wrong_shape_is_refused(qtbot):
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    grid = boundary_grid(np.zeros((1, 2)), 10)
    with pytest.raises(ValueError, match=r"uint8 of shape \(10, 10, 4\)"):
        plot.show_overlay(np.zeros((10, 10, 3), np.uint8), grid, "")
    with pytest.raises(ValueError, match="uint8"):
        plot.show_overlay(np.zeros((10, 10, 4)), grid, "")
