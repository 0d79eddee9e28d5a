"""Loss and accuracy over epochs: training and validation curves, fast for any run length."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QWidget

from gui.colors import (
    GRID_ALPHA,
    PLOT_FOREGROUND,
    TRAIN_CURVE_COLOR,
    VALIDATION_CURVE_COLOR,
)
from gui.history import History, smooth
from gui.plot_base import PlotPanel
from gui.plot_items import CompactAxis, GridLines, PathCurve, SteppedViewBox

#: Points kept per curve: about one min/max pair per pixel column of a wide plot. Drawing
#: costs grow with the points (measured: 4,096 noisy points 4.6 ms a frame, 1,024 1.6 ms).
CURVE_CAPACITY = 1024
#: Width of the curves: 0 is Qt's one-pixel hairline, the cheapest line there is. Measured
#: on two plots of 1,024 noisy points a frame: 2 pixels ~7 ms (Qt strokes wide lines as
#: polygons), 1 pixel ~3.5 ms (a path item then strokes its whole path again to find its
#: bounds), hairline ~1.5 ms.
CURVE_WIDTH = 0
#: Width of a smoothed curve, drawn over the faded raw one.
SMOOTH_WIDTH = 1.5
#: The numbers under a plot change at most this often (milliseconds): faster than ~5 times
#: a second they cannot be read, and laying out their rich text costs ~0.3 ms each time.
LABEL_INTERVAL_MS = 200
#: The line sample before each curve's name in the label under the plot (its legend).
SWATCH = "\u2501"
#: Fewest pixels between two labelled epochs (labels read 5k, 10k, 1.5M).
EPOCH_TICK_SPACING = 55


def _format(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


def _screen_pen(color: str, width: float, alpha: int = 255) -> QPen:
    """A pen ``width`` pixels wide on screen, whatever the plot's scale (a pen that is not
    cosmetic would be ``width`` data units wide: epochs across, loss units up)."""
    qcolor = QColor(color)
    qcolor.setAlpha(alpha)
    pen = QPen(qcolor, width)
    pen.setCosmetic(True)
    return pen


def _finite_range(values: np.ndarray) -> tuple[float, float] | None:
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if len(values) else None


class CurvePlot(PlotPanel):
    """Training and validation curves of one metric against the epoch.

    ``append`` only records (into bounded ``History`` objects); ``refresh`` pushes what
    changed to the plot, so the window decides how often to draw (at most ~30 Hz).

    Drawn to stay cheap at 30 frames a second while the engine trains in another thread:
    the curves and the grid are Qt's own path items (no Python runs when they are
    repainted), the axes are cached pixmaps outside the repainted area, and the ranges grow
    in steps so the axes are laid out again only a few times per decade
    (``SteppedViewBox``). The label under the plot, in the curves' colours, is the legend.
    """

    #: The smoothing weight changed (0 to 0.99).
    smoothing_changed = Signal(float)

    def __init__(
        self,
        object_name: str,
        metric: str,
        *,
        capacity: int = CURVE_CAPACITY,
        parent: QWidget | None = None,
    ) -> None:
        self.view_box = SteppedViewBox()
        epochs = CompactAxis("bottom", spacing=EPOCH_TICK_SPACING)
        super().__init__(object_name, parent, view_box=self.view_box, axis_items={"bottom": epochs})
        # Qt's aliased hairline drops pixels where a long curve zigzags by a pixel or two
        # (a flat accuracy flipping between two values looked dashed); antialiased, the
        # line stays whole. The painting is C++, in a view that paints without the GIL.
        self.plot_widget.setAntialiasing(True)
        self.metric_name = metric
        self.smoothing = 0.0
        self.train_history = History(capacity)
        self.val_history = History(capacity)
        self._dirty = False
        self._label_text = ""
        self._label_due = False
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(LABEL_INTERVAL_MS)
        self._label_timer.timeout.connect(self._on_label_timer)
        plot = self.plot_item
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", metric)
        self.train_curve = PathCurve(QPen(QColor(TRAIN_CURVE_COLOR), CURVE_WIDTH), z=1)
        self.val_curve = PathCurve(QPen(QColor(VALIDATION_CURVE_COLOR), CURVE_WIDTH))
        # With smoothing on, these carry the smoothed curves and the raw ones fade behind.
        self.train_smooth = PathCurve(_screen_pen(TRAIN_CURVE_COLOR, SMOOTH_WIDTH), z=3)
        self.val_smooth = PathCurve(_screen_pen(VALIDATION_CURVE_COLOR, SMOOTH_WIDTH), z=2)
        for curve in (self.train_curve, self.val_curve, self.train_smooth, self.val_smooth):
            curve.add_to(plot)
        # The grid is drawn under the data, not by the axes (see GridLines); the legend is
        # the label under the plot, whose colours name the curves.
        plot.showGrid(x=False, y=False)
        self.grid = GridLines(plot, PLOT_FOREGROUND, GRID_ALPHA)
        self.view_box.sigRangeChanged.connect(self._update_grid)
        self.view_box.sigResized.connect(self._update_grid)

        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(6, 0, 6, 2)
        self.value_label = QLabel()
        self.value_label.setObjectName(f"{object_name}_values")
        self.value_label.setTextFormat(Qt.TextFormat.RichText)
        # Long numbers are cut at the plot's edge rather than widening the whole window.
        self.value_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.value_label.setMinimumWidth(120)
        self.bar.addWidget(self.value_label, 1)  # it takes the room the controls leave
        #: The smoothing control, on the plot that carries it (see ``add_smoothing_control``).
        self.smoothing_slider: QSlider | None = None
        self.smoothing_label: QLabel | None = None
        self._layout.addLayout(self.bar)
        self._update_label()

    @Slot()
    def _update_grid(self) -> None:
        self.grid.update(self.plot_item)

    @property
    def log_y(self) -> bool:
        return bool(self.view_box.state["logMode"][1])

    def set_smoothing(self, weight: float) -> None:
        """TensorBoard's smoothing weight, 0 (off) to 0.99; the curves are redrawn."""
        weight = min(max(float(weight), 0.0), 0.99)
        self.smoothing = weight
        step = round(weight * 100)
        if self.smoothing_slider is not None and self.smoothing_slider.value() != step:
            self.smoothing_slider.blockSignals(True)
            self.smoothing_slider.setValue(step)
            self.smoothing_slider.blockSignals(False)
        if self.smoothing_label is not None:
            self.smoothing_label.setText(f"smooth {weight:g}")
        faded = 60 if weight > 0 else 255
        for curve, color in (
            (self.train_curve, TRAIN_CURVE_COLOR),
            (self.val_curve, VALIDATION_CURVE_COLOR),
        ):
            curve.line.setPen(_screen_pen(color, CURVE_WIDTH, faded))
        self._redraw()
        self.smoothing_changed.emit(weight)

    def add_smoothing_control(self) -> None:
        """Put the smoothing slider under this plot (one plot carries it for both: the
        window passes ``smoothing_changed`` on to the other)."""
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setObjectName(f"{self.objectName()}_smoothing")
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setFixedWidth(64)
        self.smoothing_slider.setToolTip(
            "Smoothing of the loss and accuracy curves, as in TensorBoard: an exponential "
            "moving average (0: off, up to 0.99). The raw curves stay, faded, behind."
        )
        self.smoothing_label = QLabel(f"smooth {self.smoothing:g}")
        self.smoothing_label.setToolTip(self.smoothing_slider.toolTip())
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_slider)
        self.bar.addWidget(self.smoothing_label)
        self.bar.addWidget(self.smoothing_slider)

    @Slot(int)
    def _on_smoothing_slider(self, step: int) -> None:
        self.set_smoothing(step / 100)

    def _display(self, history: History, smoothed: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw (smoothed if asked): log10 of the positive values on a log
        axis."""
        x, y = history.arrays()
        if smoothed:
            y = smooth(y, self.smoothing)
        if self.log_y:
            keep = np.isfinite(y) & (y > 0)
            x, y = x[keep], np.log10(y[keep])
        return x, y

    def _data_bounds(self) -> list:
        if not self.log_y:
            return self._history_bounds()
        xs = [c.xData for c in (self.train_curve, self.val_curve) if len(c.xData)]
        if not xs:
            return [None, None]
        ys = np.concatenate([c.yData for c in (self.train_curve, self.val_curve)])
        first = min(float(x[0]) for x in xs)
        last = max(float(x[-1]) for x in xs)
        y = _finite_range(ys)
        return [[first, last], None if y is None else list(y)]

    def _history_bounds(self) -> list:
        """``_data_bounds`` on a linear axis, where the curves show the histories' points
        as they are: from the histories' own bookkeeping, without a pass over the points."""
        histories = [h for h in (self.train_history, self.val_history) if h.first is not None]
        if not histories:
            return [None, None]
        first = min(h.first[0] for h in histories)
        last = max(h.last[0] for h in histories)
        ranges = [r for r in (h.value_range() for h in histories) if r is not None]
        if not ranges:
            return [[first, last], None]
        return [[first, last], [min(r[0] for r in ranges), max(r[1] for r in ranges)]]

    def append(self, epoch: float, train: float | None, val: float | None = None) -> None:
        """Record the metric at ``epoch``; None or NaN (e.g. no validation) is skipped."""
        self.train_history.append(epoch, train)
        self.val_history.append(epoch, val)
        self._dirty = True

    def extend(self, epochs, train, val=None) -> None:
        """Record many epochs at once (as ``append`` for each, without a Python loop).

        epochs, train, val : shape (n,); NaN (e.g. no validation) is skipped; ``val``
        None means no validation values.
        """
        self.train_history.extend(epochs, train)
        if val is not None:
            self.val_history.extend(epochs, val)
        self._dirty = True

    @Slot()
    def refresh(self) -> bool:
        """Draw what was appended since the last refresh; False if nothing changed."""
        if not self._dirty:
            return False
        self._dirty = False
        self._redraw()
        if self._label_timer.isActive():
            self._label_due = True  # shown when the timer fires
        else:
            self._update_label()
            self._label_timer.start()
        return True

    @Slot()
    def _on_label_timer(self) -> None:
        if self._label_due:
            self._label_due = False
            self._update_label()
            self._label_timer.start()

    def _redraw(self) -> None:
        for curve, history in (
            (self.train_curve, self.train_history),
            (self.val_curve, self.val_history),
        ):
            if self.log_y:
                curve.setData(*self._display(history))
            else:
                curve.set_points(history.points(), finite=history.all_finite())
        for curve, history in (
            (self.train_smooth, self.train_history),
            (self.val_smooth, self.val_history),
        ):
            if self.smoothing > 0:
                curve.setData(*self._display(history, smoothed=True))
            elif len(curve.xData):
                curve.setData([], [])
        self.view_box.data_bounds = self._data_bounds()
        self.view_box.follow_data()

    @Slot()
    def clear(self) -> None:
        """Forget every point and empty the curves."""
        self.train_history.clear()
        self.val_history.clear()
        self._dirty = False
        for curve in (self.train_curve, self.val_curve, self.train_smooth, self.val_smooth):
            curve.setData([], [])
        self._label_due = False
        self._update_label()

    def _update_label(self) -> None:
        train = self.train_history.last
        val = self.val_history.last
        text = (
            f'<span style="color:{TRAIN_CURVE_COLOR}">{SWATCH} train '
            f"{_format(train and train[1])}</span>"
        )
        if val is not None:  # a run without validation points has no "val –" to show
            text += (
                f' &nbsp; <span style="color:{VALIDATION_CURVE_COLOR}">{SWATCH} val '
                f"{_format(val[1])}</span>"
            )
        if text != self._label_text:  # laying out rich text costs more than comparing it
            self._label_text = text
            self.value_label.setText(text)


class LossPlot(CurvePlot):
    """Training and validation loss per epoch, with a log-scale option."""

    log_changed = Signal(bool)

    def __init__(self, capacity: int = CURVE_CAPACITY, parent: QWidget | None = None) -> None:
        super().__init__("loss_plot", "loss", capacity=capacity, parent=parent)
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
            self.plot_item.setLogMode(y=on)  # re-enters through the menu's toggled
            self.log_changed.emit(on)

    @Slot(bool)
    def _on_menu_log(self, on: bool) -> None:
        self._redraw()  # the curves hold log10 values on a log axis
        if self.log_checkbox.isChecked() != on:
            self.log_checkbox.setChecked(on)
            self.log_changed.emit(on)


class AccuracyPlot(CurvePlot):
    """Training and validation accuracy per epoch, on a fixed 0..1 axis."""

    def __init__(self, capacity: int = CURVE_CAPACITY, parent: QWidget | None = None) -> None:
        super().__init__("accuracy_plot", "accuracy", capacity=capacity, parent=parent)
        plot = self.plot_item
        plot.enableAutoRange(axis="y", enable=False)
        plot.setYRange(0.0, 1.0, padding=0.02)
        self.add_smoothing_control()
        plot.setMouseEnabled(x=True, y=False)
