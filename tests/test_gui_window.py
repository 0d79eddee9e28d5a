"""The main window driven as a learner drives it: buttons, keys, fields."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt

from gui.worker import DIVERGED, STEP_DONE, STOP_REQUESTED

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]

NAMES = (
    "start_button",
    "stop_button",
    "step_button",
    "reset_button",
    "epoch_label",
    "loss_plot",
    "accuracy_plot",
    "boundary_plot",
    "gradient_panel",
    "gradcheck_button",
    "learning_rate_input",
    "optimizer_combo",
    "dataset_combo",
    "hidden_layers_input",
    "preset_combo",
)


def epoch_of(window) -> int:
    return int(window.epoch_label.text().split()[1])


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def start_and_wait(qtbot, window, epochs: int = 50) -> None:
    click(qtbot, window.start_button)
    qtbot.waitUntil(lambda: epoch_of(window) >= epochs, timeout=10_000)


def stop_and_wait(qtbot, window) -> None:
    with qtbot.waitSignal(window.training_stopped, timeout=2000):
        click(qtbot, window.stop_button)


def type_into(qtbot, edit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_the_named_widgets_exist_with_attribute_names_equal_to_object_names(main_window):
    for name in NAMES:
        widget = getattr(main_window, name)
        assert widget.objectName() == name
        assert main_window.findChild(type(widget), name) is widget


def test_a_new_window_shows_epoch_0_and_the_untrained_boundary(main_window):
    assert main_window.epoch_label.text() == "Epoch 0"
    assert main_window.boundary_plot.image_item.image is not None
    assert main_window.stop_button.isEnabled() is False


def test_a_new_run_shows_its_initial_weights_before_any_gradient(main_window):
    panel = main_window.gradient_panel
    initial = main_window.info.initial.weights[0]
    np.testing.assert_array_equal(panel.weights_map.image.matrix, initial)
    assert panel.dweights_map.image.matrix is None  # nothing computed yet


def test_a_first_window_takes_the_smaller_of_1600x1000_and_a_screen_that_holds_it():
    from PySide6.QtCore import QSize

    from gui.window_config import FIRST_SIZE, first_size

    minimum = QSize(1330, 611)
    assert FIRST_SIZE == QSize(1600, 1000)
    assert first_size(QSize(1366, 728), minimum) == QSize(1366, 728)
    assert first_size(QSize(2560, 1400), minimum) == FIRST_SIZE
    assert first_size(QSize(800, 800), minimum) == FIRST_SIZE  # too small for any size
    assert first_size(None, minimum) == FIRST_SIZE


def test_the_window_fits_a_1280_pixel_wide_screen_with_validation_points(qtbot, main_window):
    type_into(qtbot, main_window.data_panel.validation_input, "0.2")
    with qtbot.waitSignal(main_window.run_ready, timeout=10_000):
        click(qtbot, main_window.reset_button)
    qtbot.wait(50)
    assert main_window.boundary_plot.validation_checkbox.isVisible()
    assert main_window.minimumSizeHint().width() <= 1280


def test_a_first_window_on_a_1280x800_screen_takes_the_screen(main_window):
    from PySide6.QtCore import QSize

    from gui.window_config import first_size

    screen = QSize(1280, 800)
    assert first_size(screen, main_window.minimumSizeHint()) == screen


def test_start_advances_the_epoch_and_fills_the_plots(qtbot, main_window):
    start_and_wait(qtbot, main_window, 100)
    stop_and_wait(qtbot, main_window)
    epochs, losses = main_window.loss_plot.train_history.arrays()
    assert len(epochs) > 10 and epochs[-1] == epoch_of(main_window)
    assert losses[-1] < losses[0]
    assert len(main_window.accuracy_plot.train_history.arrays()[0]) > 10
    assert main_window.gradient_panel.rows[0].name.startswith("Dense 1")
    assert "epochs/s" in main_window.status.labels["rate"].text() or main_window.running is False


def test_stop_leaves_the_worker_idle_within_one_second(qtbot, main_window):
    start_and_wait(qtbot, main_window, 20)
    started = time.monotonic()
    stop_and_wait(qtbot, main_window)
    assert time.monotonic() - started < 1.0
    assert not main_window.running
    assert main_window.start_button.isEnabled()
    epoch = epoch_of(main_window)
    qtbot.wait(200)
    assert epoch_of(main_window) == epoch == main_window.worker.run.trainer.epoch


def test_step_runs_exactly_one_epoch(qtbot, main_window):
    for expected in (1, 2):
        with qtbot.waitSignal(main_window.training_stopped) as blocker:
            click(qtbot, main_window.step_button)
        assert blocker.args == [expected, STEP_DONE]
        assert epoch_of(main_window) == expected
    assert main_window.worker.run.trainer.epoch == 2
    assert main_window.gradient_panel.rows[0].name.startswith("Dense 1")


def test_reset_clears_the_epoch_and_the_curves(qtbot, main_window):
    start_and_wait(qtbot, main_window, 50)
    weights = None
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        click(qtbot, main_window.reset_button)
    assert not main_window.running
    assert main_window.epoch_label.text() == "Epoch 0"
    assert len(main_window.loss_plot.train_history.arrays()[0]) == 1  # epoch 0 only
    assert len(main_window.metrics) == 1
    assert weights is None and main_window.worker.run.trainer.epoch == 0


def test_space_toggles_training_and_ctrl_r_resets(qtbot, main_window):
    main_window.activateWindow()
    qtbot.keyClick(main_window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: epoch_of(main_window) > 5)
    with qtbot.waitSignal(main_window.training_stopped, timeout=2000) as blocker:
        qtbot.keyClick(main_window, Qt.Key.Key_Space)
    assert blocker.args[1] == STOP_REQUESTED
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        qtbot.keyClick(main_window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert main_window.epoch_label.text() == "Epoch 0"


def test_a_learning_rate_change_mid_run_reaches_the_optimizer(qtbot, main_window):
    start_and_wait(qtbot, main_window, 20)
    type_into(qtbot, main_window.learning_rate_input, "0.0123")
    changed_at = epoch_of(main_window)
    qtbot.waitUntil(lambda: epoch_of(main_window) > changed_at + 20)
    assert main_window.running  # the change did not stop training
    stop_and_wait(qtbot, main_window)
    optimizer = main_window.worker.run.trainer.optimizer
    assert optimizer.learning_rate == pytest.approx(0.0123)
    # The schedule lr / (1 + decay * iterations) starts from the new rate: the last epoch's
    # row shows the rate its step used, however many epochs ran before Stop took effect.
    used = 0.0123 / (1 + optimizer.decay * (optimizer.iterations - 1))
    assert optimizer.current_learning_rate == pytest.approx(used, rel=1e-12)
    rates = [row[5] for row in main_window.metrics.rows()]
    assert rates[-1] == pytest.approx(used, rel=1e-12)


def test_an_invalid_learning_rate_is_refused_with_the_allowed_range(qtbot, main_window):
    field = main_window.optimizer_panel.fields["learning_rate"]
    for text in ("-1", "0", "abc", "1e999"):  # 1e999 is infinite
        type_into(qtbot, main_window.learning_rate_input, text)
        assert field.message.isVisible()
        assert "allowed" in field.message.text() or "must be" in field.message.text()
        assert "a number > 0" in field.message.text()
        assert field.value() == pytest.approx(0.05)  # the last valid value stays
    qtbot.wait(50)
    assert main_window.worker.run.optimizer.learning_rate == pytest.approx(0.05)
    type_into(qtbot, main_window.learning_rate_input, "0.01")
    assert not field.message.isVisible()
    qtbot.waitUntil(lambda: main_window.worker.run.optimizer.learning_rate == 0.01)


def test_spin_boxes_refuse_values_out_of_range(qtbot, main_window):
    spin = main_window.hidden_layers_input
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "9")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert spin.value() <= 6
    assert "0 to 6" in spin.toolTip()


def test_reset_with_an_invalid_field_is_refused_with_a_message(qtbot, main_window):
    type_into(qtbot, main_window.network_panel.rows[0].l2.edit, "-3")
    click(qtbot, main_window.reset_button)
    assert main_window.problem_banner.isVisible()
    assert "red" in main_window.problem_banner.text()


def test_architecture_changes_wait_for_reset_and_the_window_says_so(qtbot, main_window):
    assert not main_window.pending_banner.isVisible()
    main_window.hidden_layers_input.setValue(2)
    assert main_window.pending_banner.isVisible()
    assert "apply at Reset" in main_window.pending_banner.text()
    assert main_window.worker.run.network.n_params == 387  # unchanged until Reset
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        click(qtbot, main_window.reset_button)
    assert not main_window.pending_banner.isVisible()
    assert len(main_window.worker.run.network.dense_layers) == 3
    assert main_window.gradient_panel.row_count() == 3


def test_the_inspector_shows_one_row_per_dense_layer(qtbot, main_window):
    main_window.hidden_layers_input.setValue(3)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        click(qtbot, main_window.reset_button)
    assert main_window.gradient_panel.row_count() == 4
    with qtbot.waitSignal(main_window.training_stopped):
        click(qtbot, main_window.step_button)
    names = [row.name for row in main_window.gradient_panel.rows]
    assert names == list(main_window.info.layer_names)
    assert [name.split()[1] for name in names] == ["1", "2", "3", "4"]
    assert "dweights" in main_window.gradient_panel.row_label(3)


def test_the_gradient_check_passes_and_shows_every_layer_in_green(qtbot, main_window):
    with qtbot.waitSignal(main_window.training_stopped):
        click(qtbot, main_window.step_button)
    with qtbot.waitSignal(main_window.gradcheck_done, timeout=20_000) as blocker:
        click(qtbot, main_window.gradcheck_button)
    result = blocker.args[0]
    assert result.passed and len(result.layers) == 2
    labels = main_window.gradient_panel.gradcheck_labels
    assert len(labels) == 2
    assert all(label.property("status") == "pass" for label in labels)
    assert main_window.gradcheck_button.isEnabled()


def test_divergence_is_reported_in_plain_words_and_start_works_again(qtbot, main_window):
    main_window.network_panel.rows[0].l2.set_value(5e-4)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        click(qtbot, main_window.reset_button)
    main_window.optimizer_combo.setCurrentIndex(main_window.optimizer_combo.findData("SGD"))
    type_into(qtbot, main_window.learning_rate_input, "1e6")
    with qtbot.waitSignal(main_window.training_stopped, timeout=10_000) as blocker:
        click(qtbot, main_window.start_button)
    assert blocker.args[1] == DIVERGED
    text = main_window.problem_banner.text()
    assert main_window.problem_banner.isVisible()
    assert "Training diverged at epoch" in text and "learning rate" in text
    assert blocker.args[0] == epoch_of(main_window) == main_window.worker.run.trainer.epoch
    assert np.all(np.isfinite(main_window.worker.run.network.params))
    assert main_window.start_button.isEnabled()
    type_into(qtbot, main_window.learning_rate_input, "0.5")
    with qtbot.waitSignal(main_window.training_stopped, timeout=2000):
        click(qtbot, main_window.step_button)
    assert not main_window.problem_banner.isVisible()


def test_the_status_bar_shows_epoch_loss_accuracy_learning_rate_and_speed(qtbot, main_window):
    start_and_wait(qtbot, main_window, 200)
    qtbot.waitUntil(lambda: "epochs/s" in main_window.status.labels["rate"].text())
    labels = main_window.status.labels
    assert labels["epoch"].text().startswith("Epoch ")
    assert labels["loss"].text().startswith("loss ")
    assert labels["accuracy"].text().startswith("accuracy ")
    assert labels["learning_rate"].text().startswith("lr ")
    stop_and_wait(qtbot, main_window)


def test_a_new_start_does_not_show_the_last_runs_speed(qtbot, main_window):
    start_and_wait(qtbot, main_window, 200)
    qtbot.waitUntil(lambda: main_window.status.labels["rate"].text()[0].isdigit(), timeout=3000)
    stop_and_wait(qtbot, main_window)
    click(qtbot, main_window.start_button)
    assert main_window.status.labels["rate"].text() == "– epochs/s"
    stop_and_wait(qtbot, main_window)


def test_a_point_added_on_the_plot_is_trained_on(qtbot, main_window):
    n = len(main_window.info.X_train)
    main_window.boundary_plot.point_added.emit(0.5, 0.5, 2)
    assert len(main_window.info.X_train) == n + 1
    with qtbot.waitSignal(main_window.training_stopped):
        click(qtbot, main_window.step_button)
    assert len(main_window.worker.run.trainer.X) == n + 1
    main_window.boundary_plot.point_removed.emit(0)
    qtbot.waitUntil(lambda: len(main_window.worker.run.trainer.X) == n)


def test_closing_during_training_joins_the_thread_within_one_second(qtbot, main_window):
    start_and_wait(qtbot, main_window, 10)
    thread = main_window.worker_thread
    started = time.monotonic()
    main_window.close()
    assert time.monotonic() - started < 1.0
    assert thread.isFinished()


@pytest.mark.slow
def test_closing_during_training_100_times_exits_cleanly(qtbot, settings_dir):
    from gui.main_window import MainWindow

    for _ in range(100):
        window = MainWindow()
        window.show()
        qtbot.waitUntil(lambda w=window: w.info is not None)
        window.start()
        qtbot.waitUntil(lambda w=window: epoch_of(w) > 0, timeout=5000)
        thread = window.worker_thread
        started = time.monotonic()
        window.close()
        assert time.monotonic() - started < 1.0
        assert thread.isFinished()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_space_typed_into_a_field_does_not_start_training(qtbot, main_window):
    edit = main_window.learning_rate_input
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Space)
    qtbot.wait(100)
    assert not main_window.running
    assert main_window.epoch_label.text() == "Epoch 0"
