"""The File menu's work: models (.npz), run configurations (.json), metrics (.csv), plots (.png).

Every ``open_*`` reads and checks the whole file before anything changes: a bad file shows
an error dialog naming the file and the problem, and the current session stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from model.config import ConfigError, RunConfig, load_config, save_config
from model.csvdata import write_points
from model.datasets import DatasetError, load_csv
from model.persist import LoadedModel, ModelFileError, load_model
from model.run import Run, run_with_network

if TYPE_CHECKING:
    from gui.main_window import MainWindow

MODEL_FILTER = "Backprop Lab models (*.npz);;All files (*)"
CONFIG_FILTER = "Run configurations (*.json);;All files (*)"
CSV_FILTER = "CSV files (*.csv);;All files (*)"
PNG_FILTER = "PNG images (*.png)"
PLOTS = {
    "boundary_plot": "Decision boundary",
    "loss_plot": "Loss",
    "accuracy_plot": "Accuracy",
    "gradient_panel": "Gradient inspector",
}


def _save_grab(widget: QWidget, path: str) -> None:
    """Save what ``widget`` shows as a PNG, atomically; OSError if it cannot be written."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".png", dir=target.parent)
    os.close(fd)
    try:
        if not widget.grab().save(tmp, "PNG"):
            raise OSError(f"could not write a PNG image to {str(target)!r}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _with_suffix(path: str, suffix: str) -> str:
    return path if os.path.splitext(path)[1] else path + suffix


class FileActions(QObject):
    """Opens and saves the window's files; dialogs here, checks in ``model``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    # --- models -------------------------------------------------------------------------
    def applied_config(self) -> RunConfig:
        """The configuration of the live run, with the optimizer settings applied since."""
        window = self.window
        info = window.info
        base = info.config if info is not None and isinstance(info.config, RunConfig) else None
        if base is None:
            return window.current_config()
        return base.updated(
            {
                "optimizer": window.optimizer_panel.section(),
                "training": window.optimizer_panel.training_section(),
            }
        )

    def save_model(self, path: str) -> None:
        """Save the live model (between two epochs if training); ``model_saved`` follows."""
        try:
            metadata = {"config": self.applied_config().to_dict()}
        except ConfigError:
            metadata = {}
        self.window.worker.request_save(str(path), metadata)
        self.window._apply_requested.emit()

    def open_model(self, path: str) -> bool:
        """Load a model and train on from it; False (and an error dialog) if it cannot be."""
        try:
            loaded = load_model(path)
            run = self._run_for(loaded)
        except (ModelFileError, ConfigError, DatasetError, ValueError, OSError) as error:
            self.window.show_error_dialog("Cannot open the model", str(error))
            return False
        window = self.window
        window.points.forget()
        window.apply_config_to_controls(run.config)
        window.install_run(run)
        window.statusBar().showMessage(f"Loaded {path} (epoch {loaded.epoch:,})", 8000)
        return True

    def _run_for(self, loaded: LoadedModel) -> Run:
        """A run that trains the loaded network on the data it was saved with."""
        saved = loaded.metadata.get("config")
        config = (
            RunConfig.from_dict(saved) if isinstance(saved, dict) else self.window.current_config()
        )
        if loaded.optimizer is not None:
            config = config.updated({"optimizer": loaded.optimizer.get_config()})
        return run_with_network(config, loaded.network, loaded.optimizer, loaded.epoch)

    # --- run configurations ---------------------------------------------------------------
    def save_config(self, path: str) -> bool:
        """Save what the controls show (the run the next Reset builds)."""
        try:
            save_config(path, self.window.current_config())
        except ConfigError as error:
            self.window.show_error_dialog("Cannot save the run configuration", str(error))
            return False
        self.window.statusBar().showMessage(f"Run configuration saved to {path}", 6000)
        return True

    def open_config(self, path: str) -> bool:
        """Show a saved run configuration in the controls and build it (Reset)."""
        try:
            config = load_config(path)
        except ConfigError as error:
            self.window.show_error_dialog("Cannot open the run configuration", str(error))
            return False
        self.window.points.forget()
        self.window.apply_config_to_controls(config)
        self.window.run_controls.show_preset(None)
        self.window.reset()
        return True

    # --- exports --------------------------------------------------------------------------
    def export_metrics(self, path: str) -> bool:
        try:
            self.window.metrics.write_csv(path)
        except OSError as error:
            self.window.show_error_dialog("Cannot export the metrics", f"{path}: {error}")
            return False
        self.window.statusBar().showMessage(f"Metrics exported to {path}", 6000)
        return True

    def export_data(self, path: str) -> bool:
        """Write the run's points (training then validation, clicked ones included) as
        ``x1,x2,label`` rows: the CSV dataset choice reads them back exactly."""
        info = self.window.info
        if info is None:
            return False
        X = np.concatenate([info.X_train, info.X_val])
        y = np.concatenate([info.y_train, info.y_val])
        if X.ndim != 2 or X.shape[1] != 2:
            self.window.show_error_dialog(
                "Cannot export the data",
                f"The {info.dataset_name or 'current'} data has {X.shape[-1]} input column; a "
                "CSV dataset holds two-dimensional points (x1,x2,label).",
            )
            return False
        try:
            write_points(path, X, y)
        except OSError as error:
            self.window.show_error_dialog("Cannot export the data", f"{path}: {error}")
            return False
        self.window.statusBar().showMessage(f"{len(X):,} points exported to {path}", 6000)
        return True

    def export_plot(self, name: str, path: str) -> bool:
        """Write plot ``name`` (a key of ``PLOTS``) as a PNG image."""
        widget = getattr(self.window, name)
        try:
            if hasattr(widget, "export_png"):
                widget.export_png(path)
            else:
                _save_grab(widget, path)
        except OSError as error:
            self.window.show_error_dialog("Cannot export the plot", f"{path}: {error}")
            return False
        self.window.statusBar().showMessage(f"{PLOTS[name]} exported to {path}", 6000)
        return True

    # --- CSV data ---------------------------------------------------------------------------
    def check_csv(self, path: str) -> bool:
        """Read a user's CSV once so a bad file is refused at once, not at Reset."""
        try:
            load_csv(path)
        except (DatasetError, OSError) as error:
            self.window.show_error_dialog("Cannot use the CSV file", str(error))
            return False
        return True

    # --- dialogs ----------------------------------------------------------------------------
    def _ask_open(self, title: str, filters: str) -> str | None:
        folder = self.window.settings.last_folder()
        path, _ = QFileDialog.getOpenFileName(self.window, title, folder, filters)
        if path:
            self.window.settings.set_last_folder(path)
        return path or None

    def _ask_save(self, title: str, filters: str, suffix: str) -> str | None:
        folder = self.window.settings.last_folder()
        path, _ = QFileDialog.getSaveFileName(self.window, title, folder, filters)
        if not path:
            return None
        self.window.settings.set_last_folder(path)
        return _with_suffix(path, suffix)

    @Slot()
    def ask_open_model(self) -> None:
        if path := self._ask_open("Open a model", MODEL_FILTER):
            self.open_model(path)

    @Slot()
    def ask_save_model(self) -> None:
        if path := self._ask_save("Save the model", MODEL_FILTER, ".npz"):
            self.save_model(path)

    @Slot()
    def ask_open_config(self) -> None:
        if path := self._ask_open("Open a run configuration", CONFIG_FILTER):
            self.open_config(path)

    @Slot()
    def ask_save_config(self) -> None:
        if path := self._ask_save("Save the run configuration", CONFIG_FILTER, ".json"):
            self.save_config(path)

    @Slot()
    def ask_export_metrics(self) -> None:
        if path := self._ask_save("Export the metrics", CSV_FILTER, ".csv"):
            self.export_metrics(path)

    @Slot()
    def ask_export_data(self) -> None:
        if path := self._ask_save("Export the data points", CSV_FILTER, ".csv"):
            self.export_data(path)

    def ask_export_plot(self, name: str) -> None:
        if path := self._ask_save(f"Export the {PLOTS[name].lower()} plot", PNG_FILTER, ".png"):
            self.export_plot(name, path)

    @Slot()
    def ask_csv(self) -> None:
        """The dataset combo chose "CSV file…": pick the file (or go back)."""
        path = self._ask_open("Open a CSV of x1,x2,label rows", CSV_FILTER)
        if path and self.check_csv(path):
            self.window.data_panel.set_csv_path(path)
        else:
            self.window.data_panel.set_csv_path(None)
