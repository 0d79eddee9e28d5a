"""Points the learner adds or removes by clicking on the boundary plot.

An edit applies at once: the plot shows it, and the worker trains on the new points from
the next epoch on (same weights, same optimizer). A Reset with unchanged data settings
keeps the edited points; changing the data settings or Regenerate forgets them.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Slot

from model.config import RunConfig
from model.datasets import Dataset

if TYPE_CHECKING:
    from gui.main_window import MainWindow


class PointEditor(QObject):
    """Turns ``point_added`` / ``point_removed`` clicks into data changes."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._edited: Dataset | None = None

    @property
    def edited(self) -> bool:
        return self._edited is not None

    def forget(self) -> None:
        """Drop the edits: the next Reset generates the data from the settings."""
        self._edited = None

    def dataset_for(self, config: RunConfig) -> Dataset | None:
        """The edited points if ``config`` keeps the data settings they were made on."""
        info = self.window.info
        if self._edited is None or info is None or not isinstance(info.config, RunConfig):
            return None
        return self._edited if info.config.data == config.data else None

    @Slot(float, float, int)
    def add(self, x: float, y: float, k: int) -> None:
        """Add a training point at (x, y) of class ``k`` (regression: x with target y)."""
        info = self.window.info
        if info is None:
            return
        if info.task == "regression":
            X_new = np.array([[x]], dtype=info.X_train.dtype)
            y_new = np.array([[y]], dtype=info.y_train.dtype)
        else:
            if not 0 <= k < (info.n_classes or 2):
                return
            X_new = np.array([[x, y]], dtype=info.X_train.dtype)
            y_new = np.full((1, *info.y_train.shape[1:]), k, dtype=info.y_train.dtype)
        self._apply(np.concatenate([info.X_train, X_new]), np.concatenate([info.y_train, y_new]))

    @Slot(int)
    def remove(self, index: int) -> None:
        """Remove training point ``index`` (the last one is always kept)."""
        info = self.window.info
        if info is None or not 0 <= index < len(info.X_train) or len(info.X_train) <= 1:
            return
        self._apply(np.delete(info.X_train, index, axis=0), np.delete(info.y_train, index, axis=0))

    def _apply(self, X_train: np.ndarray, y_train: np.ndarray) -> None:
        window = self.window
        info = window.info
        for array in (X_train, y_train):
            array.flags.writeable = False
        window.info = dataclasses.replace(info, X_train=X_train, y_train=y_train)
        window.boundary_plot.set_data(
            X_train, y_train, info.X_val, info.y_val, info.n_classes, info.task
        )
        window.request_changes(data=(X_train, y_train, info.X_val, info.y_val))
        X_all = np.concatenate([X_train, info.X_val])
        y_all = np.concatenate([y_train, info.y_val])
        if info.task == "regression":
            self._edited = Dataset(
                X_all, y_all.reshape(len(y_all), -1), "regression", None, "edited"
            )
        else:
            n_classes = info.n_classes or 2
            self._edited = Dataset(X_all, y_all.reshape(-1), "classification", n_classes, "edited")
        window.statusBar().showMessage(
            f"{len(X_train)} training points; training uses them from the next epoch", 4000
        )
