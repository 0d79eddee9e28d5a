"""The window's files: models, run configurations, metrics, plots, remembered settings."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from model.config import load_config
from model.datasets import load_csv

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]


@pytest.fixture
def dialogs(monkeypatch):
    """Error dialogs are recorded instead of shown."""
    shown: list[tuple[str, str]] = []

    def critical(parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown


def train_steps(qtbot, window, n: int) -> None:
    for _ in range(n):
        with qtbot.waitSignal(window.training_stopped):
            qtbot.mouseClick(window.step_button, Qt.MouseButton.LeftButton)


def grid_predictions(window) -> np.ndarray:
    return window.worker.run.network.predict_proba(window.info.grid.points)


def test_a_saved_and_reloaded_model_predicts_the_same(qtbot, main_window, tmp_path, dialogs):
    train_steps(qtbot, main_window, 5)
    before = grid_predictions(main_window)
    path = tmp_path / "model.npz"
    with qtbot.waitSignal(main_window.model_saved, timeout=5000):
        main_window.files.save_model(str(path))
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert not np.allclose(grid_predictions(main_window), before)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        assert main_window.files.open_model(str(path))
    np.testing.assert_array_equal(grid_predictions(main_window), before)
    assert main_window.epoch_label.text() == "Epoch 5"
    assert main_window.worker.run.trainer.epoch == 5
    assert dialogs == []


def test_training_goes_on_from_a_loaded_model(qtbot, main_window, tmp_path):
    train_steps(qtbot, main_window, 3)
    path = tmp_path / "model.npz"
    with qtbot.waitSignal(main_window.model_saved, timeout=5000):
        main_window.files.save_model(str(path))
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.files.open_model(str(path))
    train_steps(qtbot, main_window, 1)
    assert main_window.epoch_label.text() == "Epoch 4"


def test_a_model_saved_while_training_is_written_between_epochs(qtbot, main_window, tmp_path):
    qtbot.mouseClick(main_window.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main_window.metrics.rows().shape[0] > 20)
    path = tmp_path / "live.npz"
    with qtbot.waitSignal(main_window.model_saved, timeout=5000):
        main_window.files.save_model(str(path))
    assert main_window.running
    main_window.stop()
    qtbot.waitUntil(lambda: not main_window.running)
    assert path.stat().st_size > 0


@pytest.mark.parametrize(
    "content",
    [b"", b"not a model at all", b"PK\x03\x04truncated zip"],
    ids=["empty", "text", "truncated"],
)
def test_a_bad_model_file_shows_an_error_and_leaves_the_session(
    qtbot, main_window, tmp_path, dialogs, content
):
    train_steps(qtbot, main_window, 2)
    before = grid_predictions(main_window)
    run = main_window.worker.run
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    assert not main_window.files.open_model(str(path))
    qtbot.wait(100)
    assert len(dialogs) == 1
    assert str(path) in dialogs[0][1]
    assert main_window.worker.run is run
    assert main_window.epoch_label.text() == "Epoch 2"
    np.testing.assert_array_equal(grid_predictions(main_window), before)


def test_a_missing_model_file_shows_an_error(main_window, tmp_path, dialogs):
    assert not main_window.files.open_model(str(tmp_path / "nowhere.npz"))
    assert "nowhere.npz" in dialogs[0][1]


def test_a_run_configuration_round_trips_through_a_file(qtbot, main_window, tmp_path):
    main_window.hidden_layers_input.setValue(2)
    main_window.network_panel.rows[1].width.setValue(12)
    path = tmp_path / "run.json"
    assert main_window.files.save_config(str(path))
    assert load_config(path).network.hidden == (64, 12)
    main_window.hidden_layers_input.setValue(1)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        assert main_window.files.open_config(str(path))
    assert main_window.hidden_layers_input.value() == 2
    assert [d.n_neurons for d in main_window.worker.run.network.dense_layers] == [64, 12, 3]


def test_a_configuration_the_engine_accepts_opens_with_every_field_valid(
    qtbot, main_window, tmp_path
):
    path = tmp_path / "large.json"
    hyper = {"type": "Adam", "learning_rate": 2e6, "decay": 2.0, "epsilon": 3.0}
    path.write_text(json.dumps({"optimizer": hyper}))
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        assert main_window.files.open_config(str(path))
    fields = main_window.optimizer_panel.fields
    assert all(fields[name].is_valid() for name in ("learning_rate", "decay", "epsilon"))
    assert main_window.current_config().optimizer.decay == 2.0


@pytest.mark.parametrize(
    "text",
    ["{not json", json.dumps({"network": {"hidden": [0]}}), "[1, 2]"],
    ids=["syntax", "bad-value", "not-an-object"],
)
def test_a_bad_run_configuration_shows_an_error_and_changes_nothing(
    main_window, tmp_path, dialogs, text
):
    path = tmp_path / "bad.json"
    path.write_text(text)
    before = main_window.current_config()
    assert not main_window.files.open_config(str(path))
    assert len(dialogs) == 1 and "bad.json" in dialogs[0][1]
    assert main_window.current_config() == before


def test_metrics_export_has_one_row_per_epoch(qtbot, main_window, tmp_path):
    train_steps(qtbot, main_window, 3)
    path = tmp_path / "metrics.csv"
    assert main_window.files.export_metrics(str(path))
    rows = list(csv.DictReader(path.open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3]
    assert float(rows[-1]["loss"]) > 0
    assert rows[-1]["val_loss"] == ""  # no validation share by default


@pytest.mark.parametrize("name", ["boundary_plot", "loss_plot", "accuracy_plot", "gradient_panel"])
def test_each_plot_exports_a_png(qtbot, main_window, tmp_path, name):
    train_steps(qtbot, main_window, 2)
    path = tmp_path / f"{name}.png"
    assert main_window.files.export_plot(name, str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_bad_csv_dataset_is_refused_with_an_error(main_window, tmp_path, dialogs):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,label\n0.1,0.2,0\n0.3,nope,1\n")
    assert not main_window.files.check_csv(str(path))
    assert "points.csv" in dialogs[0][1]


def test_a_csv_dataset_trains_after_reset(qtbot, main_window, tmp_path):
    path = tmp_path / "points.csv"
    rows = [f"{x:.3f},{x * 0.5:.3f},{int(x > 0)}" for x in np.linspace(-1, 1, 40)]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    main_window.data_panel.set_csv_path(str(path))
    assert main_window.pending_banner.isVisible()
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert main_window.info.X_train.shape == (40, 2)
    assert main_window.info.n_classes == 2


def test_exported_data_holds_every_point_and_trains_again_as_a_csv(qtbot, main_window, tmp_path):
    info = main_window.info
    path = tmp_path / "points.csv"
    assert main_window.files.export_data(str(path))
    loaded = load_csv(path)
    assert np.array_equal(loaded.X, np.concatenate([info.X_train, info.X_val]))
    assert np.array_equal(loaded.y, np.concatenate([info.y_train, info.y_val]))
    main_window.data_panel.set_csv_path(str(path))
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert len(main_window.info.X_train) + len(main_window.info.X_val) == len(loaded.X)


def test_exported_data_includes_a_clicked_point(main_window, tmp_path):
    main_window.points.add(0.25, -0.5, 1)
    path = tmp_path / "points.csv"
    assert main_window.files.export_data(str(path))
    assert path.read_text().splitlines()[-1 - len(main_window.info.X_val)] == "0.25,-0.5,1"


def test_one_column_data_cannot_be_exported_and_says_why(qtbot, main_window, tmp_path, dialogs):
    combo = main_window.dataset_combo
    combo.setCurrentIndex(combo.findData("sine"))
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    assert not main_window.files.export_data(str(tmp_path / "sine.csv"))
    assert "two-dimensional points" in dialogs[0][1]
    assert not (tmp_path / "sine.csv").exists()


def test_the_last_run_and_the_layout_are_remembered(qtbot, settings_dir):
    from gui.main_window import MainWindow

    first = MainWindow()
    first.show()
    qtbot.waitUntil(lambda: first.info is not None)
    first.hidden_layers_input.setValue(3)
    first.optimizer_panel.fields["learning_rate"].set_value(0.0321)
    first.inspector_dock.hide()
    first.close()
    assert (settings_dir / "backprop-lab.ini").exists()

    second = MainWindow()
    second.show()
    qtbot.waitUntil(lambda: second.info is not None)
    try:
        assert second.hidden_layers_input.value() == 3
        assert second.optimizer_panel.fields["learning_rate"].value() == pytest.approx(0.0321)
        assert len(second.worker.run.network.dense_layers) == 4
        assert not second.inspector_dock.isVisible()
    finally:
        second.close()


def test_the_curve_smoothing_is_remembered(qtbot, settings_dir):
    from gui.main_window import MainWindow

    first = MainWindow()
    first.show()
    qtbot.waitUntil(lambda: first.info is not None)
    first.accuracy_plot.smoothing_slider.setValue(70)
    first.close()

    second = MainWindow()
    second.show()
    qtbot.waitUntil(lambda: second.info is not None)
    try:
        assert second.accuracy_plot.smoothing_slider.value() == 70
        assert second.loss_plot.smoothing == pytest.approx(0.7)
    finally:
        second.close()


def test_tests_keep_settings_out_of_the_users_folder(main_window, settings_dir):
    assert main_window.settings.store.fileName().startswith(str(settings_dir))


def test_a_remembered_run_that_cannot_be_built_falls_back_to_the_default(
    qtbot, settings_dir, tmp_path
):
    from gui.main_window import MainWindow
    from gui.settings import AppSettings
    from model.config import RunConfig

    gone = RunConfig.from_dict({"data": {"dataset": "csv", "csv_path": str(tmp_path / "gone.csv")}})
    AppSettings().set_last_config(gone)
    window = MainWindow()
    window.show()
    try:
        qtbot.waitUntil(lambda: window.info is not None, timeout=10_000)
        assert "gone.csv" in window.problem_banner.text()
        assert window.info.dataset_name == "spiral"
    finally:
        window.close()
