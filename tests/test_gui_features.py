"""The Inputs row: TF Playground's input features, ticked in the window, built at Reset."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from model.config import RunConfig
from model.features import InputFeatures

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]


def box(window, name: str):
    return window.findChild(type(window.network_panel.feature_row.boxes["x1"]), name)


def tick(qtbot, window, name: str) -> None:
    qtbot.mouseClick(box(window, name), Qt.MouseButton.LeftButton)


def reset(qtbot, window) -> None:
    with qtbot.waitSignal(window.run_ready, timeout=5000):
        qtbot.mouseClick(window.reset_button, Qt.MouseButton.LeftButton)


def first_layer(window):
    return window.worker.run.network.layers[0]


def test_a_new_window_feeds_the_raw_coordinates(main_window):
    assert box(main_window, "feature_x1").isChecked()
    assert box(main_window, "feature_x2").isChecked()
    assert not box(main_window, "feature_x1_squared").isChecked()
    assert not isinstance(first_layer(main_window), InputFeatures)


def test_ticked_features_become_the_networks_first_layer_at_reset(qtbot, main_window):
    for name in ("feature_x1_squared", "feature_x2_squared", "feature_x1", "feature_x2"):
        tick(qtbot, main_window, name)
    reset(qtbot, main_window)
    layer = first_layer(main_window)
    assert isinstance(layer, InputFeatures)
    assert layer.features == ("x1^2", "x2^2")
    assert main_window.worker.run.network.dense_layers[0].n_inputs == 2


def test_the_summary_shows_the_features_and_the_parameter_count(qtbot, main_window):
    tick(qtbot, main_window, "feature_x1_times_x2")
    summary = main_window.network_panel.summary_label.text()
    assert "[x₁, x₂, x₁x₂]" in summary
    assert "451 parameters" in summary  # (3 + 1) * 64 + (64 + 1) * 3


def test_ticking_a_feature_waits_for_reset_and_says_so(qtbot, main_window):
    tick(qtbot, main_window, "feature_sin_x1")
    assert not isinstance(first_layer(main_window), InputFeatures)
    banner = main_window.pending_banner
    assert banner.isVisible() and "network" in banner.text() and "Reset" in banner.text()


def test_the_last_ticked_input_cannot_be_unticked(qtbot, main_window):
    tick(qtbot, main_window, "feature_x2")
    tick(qtbot, main_window, "feature_x1")
    assert box(main_window, "feature_x1").isChecked()
    message = main_window.network_panel.feature_row.message
    assert message.isVisible() and "at least one" in message.text()


def test_one_column_data_offers_only_the_features_of_x1(qtbot, main_window):
    combo = main_window.dataset_combo
    combo.setCurrentIndex(combo.findData("sine"))
    enabled = {
        name for name, b in main_window.network_panel.feature_row.boxes.items() if b.isEnabled()
    }
    assert enabled == {"x1", "x1^2", "sin(x1)"}


def test_sine_with_a_feature_of_x1_trains_at_reset(qtbot, main_window):
    combo = main_window.dataset_combo
    combo.setCurrentIndex(combo.findData("sine"))
    tick(qtbot, main_window, "feature_sin_x1")
    reset(qtbot, main_window)
    assert first_layer(main_window).features == ("x1", "sin(x1)")


def test_a_configuration_with_features_ticks_them(main_window):
    config = RunConfig.from_dict({"network": {"features": ["x1*x2", "sin(x2)"]}})
    main_window.apply_config_to_controls(config)
    ticked = {n for n, b in main_window.network_panel.feature_row.boxes.items() if b.isChecked()}
    assert ticked == {"x1*x2", "sin(x2)"}
    assert main_window.current_config().network.features == ("x1*x2", "sin(x2)")
