"""The control column: what each panel offers, when its changes apply, tooltips and help."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

from gui.worker import LIMIT_REACHED
from model.datasets import DATASETS
from model.run import PRESETS

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]


def visible_rows(window) -> set[str]:
    panel = window.optimizer_panel
    return {name for name, field in panel.fields.items() if field.isVisibleTo(panel)}


def step(qtbot, window) -> None:
    with qtbot.waitSignal(window.training_stopped):
        qtbot.mouseClick(window.step_button, Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_the_dataset_combo_offers_every_dataset_and_a_csv_file(main_window):
    combo = main_window.dataset_combo
    kinds = [combo.itemData(i) for i in range(combo.count())]
    assert kinds == [*DATASETS, "csv"]
    assert combo.itemText(combo.count() - 1) == "CSV file…"
    assert kinds[0] == "spiral"


def test_classes_are_fixed_for_two_class_datasets(main_window):
    choose(main_window.dataset_combo, "xor")
    assert not main_window.data_panel.classes_input.isEnabled()
    assert main_window.data_panel.classes_input.value() == 2
    choose(main_window.dataset_combo, "spiral")
    assert main_window.data_panel.classes_input.isEnabled()


def test_only_the_chosen_optimizers_hyperparameters_are_shown(main_window):
    expected = {
        "SGD": {"learning_rate", "decay", "momentum"},
        "Adagrad": {"learning_rate", "decay", "epsilon"},
        "RMSprop": {"learning_rate", "decay", "epsilon", "rho"},
        "Adam": {"learning_rate", "decay", "epsilon", "beta_1", "beta_2"},
    }
    for kind, names in expected.items():
        choose(main_window.optimizer_combo, kind)
        assert visible_rows(main_window) == names


def test_a_new_optimizer_type_applies_at_once_with_its_defaults(qtbot, main_window):
    step(qtbot, main_window)
    choose(main_window.optimizer_combo, "SGD")
    assert main_window.optimizer_panel.fields["learning_rate"].value() == 1.0
    qtbot.waitUntil(lambda: type(main_window.worker.run.trainer.optimizer).__name__ == "SGD")
    assert main_window.worker.run.trainer.epoch == 1  # the weights stayed


def test_batch_size_and_epoch_limit_apply_to_the_running_training(qtbot, main_window):
    main_window.optimizer_panel.batch_size_input.setValue(64)
    qtbot.waitUntil(lambda: main_window.worker.run.trainer.batch_size == 64)
    main_window.optimizer_panel.epoch_limit_input.setValue(30)
    with qtbot.waitSignal(main_window.training_stopped, timeout=10_000) as blocker:
        qtbot.mouseClick(main_window.start_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [30, LIMIT_REACHED]
    assert main_window.epoch_label.text() == "Epoch 30"
    assert "epoch limit" in main_window.statusBar().currentMessage()


def test_a_preset_is_one_click_away_and_resets(qtbot, main_window):
    combo = main_window.preset_combo
    with qtbot.waitSignal(main_window.run_ready, timeout=10_000):
        combo.activated.emit(combo.findData("ch16"))
    config, preset = main_window.worker.run.config, PRESETS["ch16"]
    assert config.data.resolved_noise == preset.data.resolved_noise
    assert (config.data.samples, config.data.classes) == (preset.data.samples, 2)
    assert config.network.hidden == preset.network.hidden
    assert config.optimizer.hyperparameters() == preset.optimizer.hyperparameters()
    assert main_window.worker.run.network.task == "binary"
    assert main_window.network_panel.output_combo.currentData() == "sigmoid"
    step(qtbot, main_window)


def test_the_network_summary_counts_the_parameters(main_window):
    panel = main_window.network_panel
    assert panel.summary_label.text().endswith("387 parameters")
    main_window.hidden_layers_input.setValue(2)
    panel.rows[1].width.setValue(10)
    # 2 -> 64 -> 10 -> 3: (2+1)*64 + (64+1)*10 + (10+1)*3
    assert panel.summary_label.text().endswith(f"{192 + 650 + 33:,} parameters")


def test_zero_hidden_layers_builds_a_linear_classifier(qtbot, main_window):
    main_window.hidden_layers_input.setValue(0)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert len(main_window.worker.run.network.dense_layers) == 1
    assert main_window.gradient_panel.row_count() == 1
    step(qtbot, main_window)


def test_the_sine_regression_draws_the_fit(qtbot, main_window):
    choose(main_window.dataset_combo, "sine")
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert main_window.worker.run.task == "regression"
    step(qtbot, main_window)
    xs, ys = main_window.boundary_plot.curve_item.getData()
    assert len(xs) == len(ys) == main_window.info.grid.resolution


def test_per_layer_settings_reach_the_network(qtbot, main_window):
    row = main_window.network_panel.rows[0]
    row.width.setValue(8)
    choose(row.activation, "tanh")
    row.dropout.setValue(0.1)
    row.l2.set_value(0.001)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    names = [type(layer).__name__ for layer in main_window.worker.run.network.layers]
    assert names == ["Dense", "Tanh", "Dropout", "Dense", "Softmax"]
    dense = main_window.worker.run.network.dense_layers[0]
    assert dense.n_neurons == 8 and dense.weight_regularizer_l2 == 0.001


def test_every_control_has_a_tooltip(main_window):
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
    column = main_window.controls_dock.widget()
    missing = []
    for kind in kinds:
        for widget in column.findChildren(kind):
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
                continue  # the spin box's own editor; the spin box has the tooltip
            if not widget.toolTip():
                missing.append(widget.objectName() or repr(widget))
    assert missing == []


def test_the_help_menu_explains_each_panel_and_the_shortcuts(main_window):
    help_menu = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "&Help")
    actions = {a.text(): a for a in help_menu.actions()}
    actions["What am I looking at?"].trigger()
    text = main_window.help_dialog.browser.toPlainText()
    for panel in ("Decision boundary", "Loss and accuracy", "Gradient inspector", "Controls"):
        assert panel in text
    actions["Keyboard shortcuts"].trigger()
    text = main_window.help_dialog.browser.toPlainText()
    assert "Space" in text and "Ctrl+R" in text
    main_window.help_dialog.close()


def test_the_run_menu_carries_the_shortcuts(main_window):
    run_menu = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "&Run")
    shortcuts = {a.text(): a.shortcut().toString() for a in run_menu.actions() if a.text()}
    assert shortcuts["Start / Stop"] == "Space"
    assert shortcuts["Reset"] == "Ctrl+R"
