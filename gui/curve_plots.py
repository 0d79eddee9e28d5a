"""Loss and accuracy over epochs: training and validation curves, fast for any run length."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from gui.colors import TRAIN_CURVE_COLOR, VALIDATION_CURVE_COLOR
from gui.history import History
from gui.plot_base import PlotPanel


def _format(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


class CurvePlot(PlotPanel):
    """Training and validation curves of one metric against the epoch.

    ``append`` only records (into bounded ``History`` objects); ``refresh`` pushes what
    changed to the plot, so the window decides how often to draw (at most ~30 Hz).
    """

    def __init__(
        self,
        object_name: str,
        metric: str,
        *,
        legend_offset: tuple[int, int],
        capacity: int = 4096,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(object_name, parent)
        self.metric_name = metric
        self.train_history = History(capacity)
        self.val_history = History(capacity)
        self._dirty = False
        plot = self.plot_item
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", metric)
        plot.addLegend(offset=legend_offset, labelTextColor="#202020", brush=(255, 255, 255, 210))
        self.train_curve = plot.plot(name="training", pen=pg.mkPen(TRAIN_CURVE_COLOR, width=2))
        self.val_curve = plot.plot(
            name="validation",
            pen=pg.mkPen(VALIDATION_CURVE_COLOR, width=2),
        )
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")

        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(6, 0, 6, 2)
        self.value_label = QLabel()
        self.value_label.setObjectName(f"{object_name}_values")
        self.value_label.setTextFormat(Qt.TextFormat.RichText)
        self.bar.addWidget(self.value_label)
        self.bar.addStretch(1)
        self._layout.addLayout(self.bar)
        self._update_label()

    def append(self, epoch: float, train: float | None, val: float | None = None) -> None:
        """Record the metric at ``epoch``; None or NaN (e.g. no validation) is skipped."""
        self.train_history.append(epoch, train)
        self.val_history.append(epoch, val)
        self._dirty = True

    @Slot()
    def refresh(self) -> bool:
        """Draw what was appended since the last refresh; False if nothing changed."""
        if not self._dirty:
            return False
        self._dirty = False
        self.train_curve.setData(*self.train_history.arrays())
        self.val_curve.setData(*self.val_history.arrays())
        self._update_label()
        return True

    @Slot()
    def clear(self) -> None:
        """Forget every point and empty the curves."""
        self.train_history.clear()
        self.val_history.clear()
        self._dirty = False
        self.train_curve.setData([], [])
        self.val_curve.setData([], [])
        self._update_label()

    def _update_label(self) -> None:
        train = self.train_history.last
        val = self.val_history.last
        self.value_label.setText(
            f'<span style="color:{TRAIN_CURVE_COLOR}">training {_format(train and train[1])}'
            f"</span> &nbsp; "
            f'<span style="color:{VALIDATION_CURVE_COLOR}">validation {_format(val and val[1])}'
            "</span>"
        )


class LossPlot(CurvePlot):
    """Training and validation loss per epoch, with a log-scale option."""

    log_changed = Signal(bool)

    def __init__(self, capacity: int = 4096, parent: QWidget | None = None) -> None:
        super().__init__(
            "loss_plot", "loss", legend_offset=(-10, 10), capacity=capacity, parent=parent
        )
        self.log_checkbox = QCheckBox("Log scale")
        self.log_checkbox.setObjectName("loss_log_checkbox")
        self.log_checkbox.setToolTip("Show the loss on a logarithmic axis")
        self.bar.addWidget(self.log_checkbox)
        self.log_checkbox.toggled.connect(self.set_log)
        # The plot's own context menu (Plot Options > Transforms > Log Y) stays in step.
        self.plot_item.ctrl.logYCheck.toggled.connect(self._on_menu_log)

    @property
    def log(self) -> bool:
        return self.log_checkbox.isChecked()

    @Slot(bool)
    def set_log(self, on: bool) -> None:
        """Logarithmic loss axis on or off."""
        on = bool(on)
        if self.log_checkbox.isChecked() != on:
            self.log_checkbox.setChecked(on)  # re-enters through toggled
            return
        if self.plot_item.ctrl.logYCheck.isChecked() != on:
            self.plot_item.setLogMode(y=on)
            self.log_changed.emit(on)

    @Slot(bool)
    def _on_menu_log(self, on: bool) -> None:
        if self.log_checkbox.isChecked() != on:
            self.log_checkbox.setChecked(on)
            self.log_changed.emit(on)


class AccuracyPlot(CurvePlot):
    """Training and validation accuracy per epoch, on a fixed 0..1 axis."""

    def __init__(self, capacity: int = 4096, parent: QWidget | None = None) -> None:
        super().__init__(
            "accuracy_plot", "accuracy", legend_offset=(-10, -10), capacity=capacity, parent=parent
        )
        plot = self.plot_item
        plot.enableAutoRange(axis="y", enable=False)
        plot.setYRange(0.0, 1.0, padding=0.02)
        plot.setMouseEnabled(x=True, y=False)
