"""One row of the gradient inspector: four small live plots for one Dense layer.

The plot items are built once per row; ``LayerRow.draw`` only calls ``setData``. The
histories are ``gui.history.History`` series: bounded, with spikes kept.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.colors import PLOT_FOREGROUND, REFERENCE_LINE_COLOR, darker
from gui.history import History
from gui.inspector_axes import LogAxis
from gui.live_items import ClippedLabel
from gui.plot_base import cache_axes
from gui.plot_items import (
    CompactAxis,
    LivePlotItem,
    PathCurve,
    nice_ceiling,
    sticky_range,
)

#: Healthy update-to-weight ratio per step (cs231n's rule of thumb).
REFERENCE_RATIO = 1e-3
REFERENCE_TEXT = "1e-3"

# Okabe & Ito's colour-blind safe colours, as in the rest of the app (gui.colors).
DWEIGHTS_COLOR = "#0072B2"
DBIASES_COLOR = "#E69F00"
RATIO_COLOR = "#009E73"
DEAD_COLOR = "#D55E00"
HISTOGRAM_COLOR = "#CC79A7"
REFERENCE_COLOR = REFERENCE_LINE_COLOR
SELECTED_COLOR = PLOT_FOREGROUND
#: The colours of the label's values: dweights, dbiases, ratio, dead ReLUs.
VALUE_COLORS = (DWEIGHTS_COLOR, DBIASES_COLOR, RATIO_COLOR, DEAD_COLOR)

TICK_FONT_POINTS = 8
#: A range narrows only after this many draws in a row found it too wide (~1 s at the
#: inspector's 5 per second). Adam's dweights jump tenfold from epoch to epoch: narrowing
#: at once re-laid out the histogram's axes (~1 ms of Python each) at nearly every draw.
NARROW_AFTER_DRAWS = 5
LEFT_AXIS_WIDTH = 44
#: Fewest pixels between two labelled ticks of a row's x axes (epochs, dweights values).
BOTTOM_TICK_SPACING = 45

NORMS_TIP = (
    "Size (L2 norm) of this layer's dweights (orange) and dbiases (blue) after each "
    "epoch's backward pass, on a log scale. A slow drift is normal; a collapse towards "
    "zero means vanishing gradients, a sudden jump exploding ones."
)
RATIO_TIP = (
    "How much the optimizer changed the weights in one epoch, relative to their size: "
    "||weights after - weights before|| / ||weights before||, log scale. Around 1e-3 "
    "(dashed line) is healthy; far below learns too slowly, far above too fast."
)
DEAD_TIP = (
    "Share of the units of the ReLU after this layer that output 0 for every sample of the "
    "epoch. A dead unit passes no gradient back (its dinputs are 0), so it stops learning."
)
HISTOGRAM_TIP = (
    "Histogram of this layer's dweights after the latest epoch: how the gradient is "
    "spread over the weights. A narrow spike at 0 means little learning signal."
)


def _small_plot(x_label: str, *, log_y: bool) -> pg.PlotItem:
    axes = {"bottom": CompactAxis("bottom", spacing=BOTTOM_TICK_SPACING)}
    if log_y:
        axes["left"] = LogAxis("left")
    plot = LivePlotItem(axisItems=axes)
    _style_axes(plot, x_label, log_y=log_y)
    return plot


def _style_axes(plot: pg.PlotItem, x_label: str, *, log_y: bool) -> None:
    font = QtGui.QFont()
    font.setPointSize(TICK_FONT_POINTS)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font, tickTextOffset=2, tickLength=3)
        axis.setPen(pg.mkPen(PLOT_FOREGROUND))
        axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
    plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
    cache_axes(plot)
    plot.setLabel("bottom", x_label, **{"font-size": f"{TICK_FONT_POINTS}pt"})
    plot.getAxis("bottom").label.setDefaultTextColor(QtGui.QColor(REFERENCE_COLOR))
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    # Ranges are set in steps by LayerRow.draw: an axis whose range changes is laid out
    # again (~1 ms each), so auto-range on every update would cost more than the data.
    plot.disableAutoRange()
    plot.showGrid(x=False, y=False)  # a grid doubles the cost of repainting the axes
    if log_y:
        # The curves hold log10 values themselves (cheaper than PlotDataItem's log mode);
        # the axis only labels its ticks as powers of ten.
        plot.getAxis("left").setLogMode(False, True)


def _curve(plot: pg.PlotItem, color: str, *, fill: str | None = None, step: bool = False):
    """A hairline ``PathCurve`` in ``plot`` (``fill``: colour of the area down to 0)."""
    brush = None if fill is None else pg.mkBrush(fill)  # "#RRGGBBAA", as pyqtgraph reads it
    curve = PathCurve(QtGui.QPen(QtGui.QColor(color), 0), fill=brush, step=step)
    curve.add_to(plot)
    return curve


def _padded(low: float, high: float, fraction: float = 0.04) -> tuple[float, float]:
    pad = (high - low) * fraction
    return low - pad, high + pad


def _decades(
    *ranges: tuple[float, float] | None, include: tuple[float, ...] = ()
) -> tuple[float, float] | None:
    """Whole decades (in log10 units) around the (low, high) ``ranges`` and ``include``."""
    values = [*include]
    for bounds in ranges:
        if bounds is not None:
            values += bounds
    if not values:
        return None
    low, high = math.floor(min(values)), math.ceil(max(values))
    return (low, high) if high > low else (low, low + 1)


def _log10(value: float | None) -> float | None:
    """log10 of a value a log axis can show (finite and > 0); None for the others."""
    if value is None:
        return None
    value = float(value)
    return math.log10(value) if 0.0 < value < math.inf else None


_DARKER: dict[str, str] = {}


def _span(color: str, text: str) -> str:
    """``text`` in a darker shade of ``color``, readable on the white background."""
    shade = _DARKER.get(color)
    if shade is None:
        shade = _DARKER[color] = darker(color, 0.8)
    return f"<span style='color:{shade}'>{text}</span>"


class LayerRow:
    """The label and four plots of one Dense layer, placed in a ``pg.GraphicsLayout``."""

    def __init__(self, layout: pg.GraphicsLayout, row: int, capacity: int = 1000) -> None:
        # The log plots' histories hold log10 of the values (the points a log axis can
        # show: finite and > 0), so a draw copies their points straight into the curves.
        self.dweights_history = History(capacity)
        self.dbiases_history = History(capacity)
        self.ratio_history = History(capacity)
        self.dead_history = History(capacity)
        self._epochs: tuple[float, float] | None = None  # first and last recorded
        self._ranges: dict[int, tuple[tuple[float, float] | None, ...]] = {}
        self._too_wide: dict[tuple[int, int], int] = {}  # (plot, axis) -> draws in a row
        self._reference_range: tuple[float, float] | None = None
        self.name = ""
        self.has_relu = True
        self.selected = False
        self._values: tuple[str, ...] = ()  # the label's words after the name
        self._label_shown = None
        self.label = ClippedLabel("", justify="left", size="9pt", color=PLOT_FOREGROUND)
        # Long labels must not widen the first column; they are clipped instead.
        self.label.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        layout.addItem(self.label, row=row, col=0, colspan=4)

        self.norms_plot = _small_plot("epoch", log_y=True)
        self.dweights_curve = _curve(self.norms_plot, DWEIGHTS_COLOR)
        self.dbiases_curve = _curve(self.norms_plot, DBIASES_COLOR)
        self.norms_plot.setToolTip(NORMS_TIP)
        # A log axis cannot show 0: say so instead of leaving the plot blank.
        self.vanished_note = pg.TextItem(
            "all 0: vanished", color=REFERENCE_COLOR, anchor=(0.5, 0.5)
        )
        self.norms_plot.addItem(self.vanished_note, ignoreBounds=True)
        self.vanished_note.setVisible(False)

        self.ratio_plot = _small_plot("epoch", log_y=True)
        # The 1e-3 line and its caption are Qt's own items (pyqtgraph's InfiniteLine and
        # its label answered Qt's bounds queries in Python, ~100 times a second), laid
        # across the epochs shown by ``_place_reference``.
        dash = pg.mkPen(REFERENCE_COLOR, width=1.5, style=QtCore.Qt.PenStyle.DashLine)
        self.reference_line = QtWidgets.QGraphicsLineItem()
        self.reference_line.setPen(dash)
        self.reference_label = QtWidgets.QGraphicsSimpleTextItem(REFERENCE_TEXT)
        self.reference_label.setBrush(QtGui.QColor(REFERENCE_COLOR))
        self.reference_label.setFlag(
            QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
        )
        height = self.reference_label.boundingRect().height()
        self.reference_label.setTransform(QtGui.QTransform.fromTranslate(2, -height))
        for item in (self.reference_line, self.reference_label):
            self.ratio_plot.addItem(item, ignoreBounds=True)
        self._place_reference((0.0, 1.0))
        self.ratio_curve = _curve(self.ratio_plot, RATIO_COLOR)
        self.ratio_plot.setToolTip(RATIO_TIP)

        self.dead_plot = _small_plot("epoch", log_y=False)
        self.dead_curve = _curve(self.dead_plot, DEAD_COLOR, fill=DEAD_COLOR + "40")
        self.dead_note = pg.TextItem("no ReLU", color=REFERENCE_COLOR, anchor=(0.5, 0.5))
        self.dead_plot.addItem(self.dead_note, ignoreBounds=True)
        self.dead_note.setPos(0.5, 0.5)
        self.dead_plot.setToolTip(DEAD_TIP)

        self.histogram_plot = _small_plot("dweights value", log_y=False)
        self.histogram_curve = _curve(
            self.histogram_plot, HISTOGRAM_COLOR, fill=HISTOGRAM_COLOR + "90", step=True
        )
        self.histogram_plot.setToolTip(HISTOGRAM_TIP)

        for col, plot in enumerate(self.plots):
            layout.addItem(plot, row=row + 1, col=col)

    @property
    def plots(self) -> tuple[pg.PlotItem, ...]:
        return (self.norms_plot, self.ratio_plot, self.dead_plot, self.histogram_plot)

    @property
    def time_plots(self) -> tuple[pg.PlotItem, ...]:
        """The plots over the epochs (every row shows the same epochs)."""
        return (self.norms_plot, self.ratio_plot, self.dead_plot)

    def show_epoch_axis(self, shown: bool) -> None:
        """Show or hide the epoch axes under the time plots.

        The rows share their epochs, so only the last row labels them, as stacked charts
        with a shared x axis do: the rows above gain the height, and an axis not shown is
        not laid out again in Python (~1 ms each) whenever the epoch range steps on.
        """
        for plot in self.time_plots:
            plot.showAxis("bottom", shown)

    def scene_rect(self) -> QtCore.QRectF:
        """Where the row (label and plots) lies in its scene."""
        rect = self.label.sceneBoundingRect()
        for plot in self.plots:
            rect = rect.united(plot.sceneBoundingRect())
        return rect

    @property
    def items(self) -> tuple[pg.GraphicsObject, ...]:
        """Every layout item of the row (for clicks and removal)."""
        return (self.label, *self.plots)

    def configure(self, name: str, has_relu: bool) -> None:
        """Name the row and say whether its layer feeds a ReLU; forget its history."""
        self.name = name
        self.has_relu = bool(has_relu)
        self.dead_note.setVisible(not self.has_relu)
        self.dead_curve.setVisible(self.has_relu)
        if self.has_relu:
            self.dead_plot.setYRange(0.0, 1.0, padding=0.04)
            self.dead_plot.getAxis("left").setStyle(showValues=True)
            self.dead_plot.getAxis("bottom").setStyle(showValues=True)
        else:
            self.dead_plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.dead_plot.getAxis("left").setStyle(showValues=False)
            self.dead_plot.getAxis("bottom").setStyle(showValues=False)
        self.clear()

    @property
    def histories(self) -> tuple[History, ...]:
        return (self.dweights_history, self.dbiases_history, self.ratio_history, self.dead_history)

    @property
    def last_epoch(self) -> float | None:
        return None if self._epochs is None else self._epochs[1]

    def clear(self) -> None:
        for history in self.histories:
            history.clear()
        self._epochs = None
        for curve in (
            self.dweights_curve,
            self.dbiases_curve,
            self.ratio_curve,
            self.dead_curve,
        ):
            curve.setData([], [])
        self.vanished_note.setVisible(False)
        self.histogram_curve.setData(np.zeros(1), np.zeros(0))
        self._values = ()
        self._too_wide.clear()
        self._set_label()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self._set_label()

    def extend_scalars(self, epochs: np.ndarray, values: np.ndarray) -> None:
        """Append earlier epochs' numbers, before their ``record``: ``values`` shape (n, 4),
        this layer's columns of a ``gui.metrics.LayerRows`` table (dweights norm, dbiases
        norm, update ratio, dead fraction); epochs must increase."""
        if not len(epochs):
            return
        if self._epochs is not None and epochs[0] <= self._epochs[1]:
            raise ValueError(
                f"epochs must increase: got {epochs[0]:g} after {self._epochs[1]:g} (clear() first)"
            )
        norms = values[:, :3]
        with np.errstate(divide="ignore", invalid="ignore"):
            # As ``_log10``: only finite values > 0 have a place on a log axis.
            logs = np.where((norms > 0) & np.isfinite(norms), np.log10(norms), np.nan)
        self.dweights_history.extend(epochs, logs[:, 0])
        self.dbiases_history.extend(epochs, logs[:, 1])
        self.ratio_history.extend(epochs, logs[:, 2])
        if self.has_relu:
            self.dead_history.extend(epochs, values[:, 3])
        first = float(epochs[0]) if self._epochs is None else self._epochs[0]
        self._epochs = (first, float(epochs[-1]))

    def record(self, epoch: int, stats) -> None:
        """Append one epoch's ``model.trainer.LayerStats`` (epochs must increase)."""
        dead = stats.dead_fraction if self.has_relu else None
        if self._epochs is not None and epoch <= self._epochs[1]:
            raise ValueError(
                f"epochs must increase: got {epoch:g} after {self._epochs[1]:g} (clear() first)"
            )
        self.dweights_history.append(epoch, _log10(stats.dweights_norm))
        self.dbiases_history.append(epoch, _log10(stats.dbiases_norm))
        self.ratio_history.append(epoch, _log10(stats.update_ratio))
        self.dead_history.append(epoch, dead)
        first = float(epoch) if self._epochs is None else self._epochs[0]
        self._epochs = (first, float(epoch))
        self._values = (
            f"dweights {stats.dweights_norm:.2e}",
            f"dbiases {stats.dbiases_norm:.2e}",
            f"ratio {stats.update_ratio:.1e}",
            "no ReLU" if dead is None else f"dead {dead:.0%}",
        )

    def draw(self, stats) -> None:
        """Push the histories and ``stats``' dweights histogram into the plot items."""
        histories = (self.dweights_history, self.dbiases_history, self.ratio_history)
        curves = (self.dweights_curve, self.dbiases_curve, self.ratio_curve)
        for history, curve in zip(histories, curves, strict=True):
            curve.set_points(history.points(), finite=history.all_finite())
        dweights, dbiases, ratio = (history.value_range() for history in histories)
        vanished = dweights is None and dbiases is None and self._epochs is not None
        if vanished != self.vanished_note.isVisible():
            self.vanished_note.setVisible(vanished)
        if self.has_relu:
            points = self.dead_history.points()
            self.dead_curve.setData(points[:, 0].copy(), points[:, 1].copy())
        counts = np.asarray(stats.histogram_counts, dtype=float)
        edges = np.asarray(stats.histogram_edges, dtype=float)
        if len(counts) and len(edges) == len(counts) + 1:
            self.histogram_curve.setData(edges, counts)
            reach = nice_ceiling(max(abs(float(edges[0])), abs(float(edges[-1]))))
            self._set_range(
                self.histogram_plot,
                self._sticky(self.histogram_plot, 0, (-reach, reach)),
                self._sticky(self.histogram_plot, 1, (0.0, nice_ceiling(float(counts.max())))),
            )
        if self._epochs is None:
            self._set_label()
            return
        first, last = self._epochs
        time_range = (first, first + nice_ceiling(max(last - first, 1.0)))
        norms_decades = self._sticky(
            self.norms_plot, 1, _decades(dweights, dbiases) or (-1.0, 0.0), log=True
        )
        self._set_range(self.norms_plot, time_range, norms_decades)
        if vanished:
            self.vanished_note.setPos(sum(time_range) / 2, sum(norms_decades) / 2)
        # A quarter decade either side keeps the 1e-3 line off the plot's edges.
        reference = math.log10(REFERENCE_RATIO)
        ratio_decades = self._sticky(
            self.ratio_plot,
            1,
            _decades(ratio, include=(reference - 0.25, reference + 0.25)),
            log=True,
        )
        self._set_range(self.ratio_plot, time_range, ratio_decades)
        self._place_reference(time_range)
        if self.has_relu:
            self._set_range(self.dead_plot, time_range, (0.0, 1.0))
        self._set_label()

    def _place_reference(self, time_range: tuple[float, float]) -> None:
        """The 1e-3 line across ``time_range``, its caption just above it near the left."""
        if time_range == self._reference_range:
            return
        self._reference_range = time_range
        y = math.log10(REFERENCE_RATIO)
        first, last = time_range
        self.reference_line.setLine(first, y, last, y)
        self.reference_label.setPos(first + 0.04 * (last - first), y)

    def _sticky(self, plot: pg.PlotItem, axis: int, needed, *, log: bool = False):
        """``needed`` for ``plot``'s ``axis`` (0: x, 1: y), or its current range if that
        still suits (``sticky_range``), so data hovering at a step do not flip it. A range
        grows at once but narrows only after ``NARROW_AFTER_DRAWS`` draws asked for it."""
        ranges = self._ranges.get(id(plot))
        current = None if ranges is None else ranges[axis]
        chosen = sticky_range(current, needed, log=log)
        key = (id(plot), axis)
        narrower = current is not None and current[0] <= chosen[0] and chosen[1] <= current[1]
        if chosen != current and narrower:
            draws = self._too_wide.get(key, 0) + 1
            if draws < NARROW_AFTER_DRAWS:
                self._too_wide[key] = draws
                return current
        self._too_wide.pop(key, None)
        return chosen

    def _set_range(self, plot: pg.PlotItem, x_range, y_range) -> None:
        """Give ``plot`` these ranges (y padded) unless it already has them."""
        key = (x_range, y_range)
        if self._ranges.get(id(plot)) == key:
            return
        self._ranges[id(plot)] = key
        plot.vb.setRange(
            xRange=x_range,
            yRange=None if y_range is None else _padded(*y_range),
            padding=0,
        )

    def show_values(self) -> None:
        """Show the latest recorded values in the row's label (without drawing the plots)."""
        self._set_label()

    def _set_label(self) -> None:
        """The label: marker if selected, name, then the values, each in its colour. Only
        the values' words change from epoch to epoch; the label replaces just those."""
        shown = (self.selected, self.name, self._values)
        if shown == self._label_shown:
            return
        self._label_shown = shown
        marker = _span(SELECTED_COLOR, "\u25b6") + " " if self.selected else ""
        name = self.name.replace("{", "{{").replace("}", "}}")
        template = f"{marker}<b>{name}</b> &nbsp; " + " &nbsp;".join(
            _span(color, "{}") for color in VALUE_COLORS[: len(self._values)]
        )
        self.label.set_fields(template, self._values)

    def label_text(self) -> str:
        """The row's label as plain text."""
        return self.label.item.toPlainText()
