"""Plot items that stay cheap when redrawn 30 times a second beside a training thread.

``PathCurve`` is a curve drawn by Qt's own path items (no Python runs when it is painted);
``SteppedViewBox`` and ``nice_ceiling`` make ranges grow in steps, so axes are laid out
again a few times per decade rather than every frame; ``CompactAxis`` labels ticks briefly
(2k, 40k, 1.2M, 5e-4) and never more than fit.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import pyqtgraph as pg
from pyqtgraph.functions import ndarray_from_qpolygonf
from pyqtgraph.Qt.compat import voidptr
from PySide6.QtCore import SIGNAL, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsWidget

from gui.colors import PLOT_FOREGROUND
from gui.live_items import LiveAxis

_NICE_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(x: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 times a power of ten that is >= ``x``.

    Ranges rounded up this way change a few times per decade instead of every update.
    1.0 for a value that is not a positive finite number.
    """
    if not (math.isfinite(x) and x > 0):
        return 1.0
    base = 10.0 ** math.floor(math.log10(x))
    return next(step * base for step in _NICE_STEPS if step * base >= x * (1 - 1e-12))


def stepped_span(low: float, high: float, *, log: bool = False) -> tuple[float, float]:
    """A range around ``low..high`` that stays the same while the data move a little.

    Log axes (values in decades): whole decades. Linear axes: both ends rounded outwards to
    a multiple of a fifth of the span's ``nice_ceiling`` (a loss of 0.03..1.02 shows as 0..1.2).
    """
    if log:
        low, high = math.floor(low), math.ceil(high)
        return (low, high) if high > low else (low, low + 1)
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return low - 0.5, high + 0.5
    unit = nice_ceiling(span) / 5
    return math.floor(low / unit) * unit, math.ceil(high / unit) * unit


# pyqtgraph's widgets answer boundingRect/shape (and the ViewBox paint) in Python, and Qt
# asks each item in a repainted area for them: ~40 calls into Python per frame of one curve
# plot, each taking the GIL from the training thread. Where the C++ answer is the same (a
# widget's rectangle; a view box without a border draws nothing), name the C++ method.
class LiveViewBox(pg.ViewBox):
    """A ``pg.ViewBox`` whose bounds, shape and (empty) paint are Qt's own. No border.

    Each one is listed in its scene's ``_live_view_boxes`` while there, so that
    ``needs_prepare`` can tell whether a paint of the scene has anything to prepare.
    """

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape
    paint = QGraphicsWidget.paint

    def itemChange(self, change, value):
        if change == _SCENE_CHANGE and self.scene() is not None:
            _live_view_boxes(self.scene()).pop(id(self), None)
        result = super().itemChange(change, value)
        if change == _SCENE_HAS_CHANGED and self.scene() is not None:
            _live_view_boxes(self.scene())[id(self)] = weakref.ref(self)
        return result


_SCENE_CHANGE = QGraphicsItem.GraphicsItemChange.ItemSceneChange
_SCENE_HAS_CHANGED = QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged
_PREPARE_FOR_PAINT = SIGNAL("sigPrepareForPaint()")


def _live_view_boxes(scene) -> dict[int, weakref.ref]:
    """The scene's ``LiveViewBox``es: weak references by id (a ``WeakSet`` is iterated
    by a Python generator, at every paint)."""
    boxes = getattr(scene, "_live_view_boxes", None)
    if boxes is None:
        boxes = scene._live_view_boxes = {}
    return boxes


def needs_prepare(scene) -> bool:
    """Whether ``scene.prepareForPaint()`` would do anything before a paint.

    pyqtgraph's scene asks every item listening to it (each view box, each ``TextItem``)
    to prepare, in Python, before every paint; a view box only has something to do after
    its range, size or auto-range changed. When the listeners are exactly the scene's
    ``LiveViewBox``es, their flags answer; otherwise (another listener) True.
    """
    boxes = getattr(scene, "_live_view_boxes", None)
    if boxes is None or scene.receivers(_PREPARE_FOR_PAINT) != len(boxes):
        return True
    for ref in boxes.values():
        box = ref()
        if box is None or box._autoRangeNeedsUpdate or box._matrixNeedsUpdate:
            return True
    return False


def plain_axes(plot: pg.PlotItem) -> None:
    """Label ``plot``'s axes with the numbers themselves: no "loss (x0.001)" over ticks
    reading 300-900. (pyqtgraph scales an axis by an SI prefix when its values are small;
    a learner reads 0.3-0.9 as the loss the console prints.)"""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).enableAutoSIPrefix(False)


class LivePlotItem(pg.PlotItem):
    """A ``pg.PlotItem`` whose bounds and shape are Qt's own (its view box: ``LiveViewBox``,
    its axes ``LiveAxis`` unless given)."""

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape

    def __init__(
        self,
        *args,
        viewBox: pg.ViewBox | None = None,
        axisItems: dict[str, pg.AxisItem] | None = None,
        **kwargs,
    ) -> None:
        given = dict(axisItems or {})
        axes = {
            name: given.get(name) or LiveAxis(name) for name in ("left", "bottom", "right", "top")
        }
        viewBox = LiveViewBox() if viewBox is None else viewBox
        super().__init__(*args, viewBox=viewBox, axisItems=axes, **kwargs)
        # pyqtgraph shows every axis it is handed: only the ones given, and its usual pair.
        for name in ("right", "top"):
            if name not in given:
                self.hideAxis(name)
        plain_axes(self)


def compact_plot(title: str, tooltip: str) -> LivePlotItem:
    """A small fixed plot for a panel (the inspector's heatmaps and distributions): a 9 pt
    title, 8 pt ticks, no buttons, menu or mouse panning."""
    plot = LivePlotItem()
    plot.setTitle(title, size="9pt", color=PLOT_FOREGROUND)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.setToolTip(tooltip)
    font = QFont()
    font.setPointSize(8)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font, tickTextOffset=2)
        axis.setPen(pg.mkPen(PLOT_FOREGROUND))
        axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
    return plot


class SteppedViewBox(LiveViewBox):
    """A ViewBox whose auto-range moves in steps: x from the first point to a "nice" length
    (1, 1.5, 2, 3... x 10^k), y to rounded ends (whole decades on a log axis).

    The axes are laid out and their text drawn again only when the range changes, so a curve
    that grows every frame redraws its axes a few times per decade instead of every frame
    (measured: ~2.4 ms of Python per axis and range change). Panning or zooming by hand
    turns auto-range off as usual; the plot's "A" button turns it back on.

    ``data_bounds`` (kept up to date by the owner) holds the data's ``[[x0, x1] | None,
    [y0, y1] | None]`` (y in decades on a log axis). Plain values, not a callback: a view
    box referring back to its panel would make a reference cycle, and cycles of Qt objects
    are freed by Python's collector in whichever thread it runs, the training one included.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.data_bounds: list[list[float] | None] = [None, None]

    def childrenBounds(self, frac=None, orthoRange=(None, None), items=None):
        x, y = self.data_bounds
        if x is not None:
            x = [x[0], x[0] + nice_ceiling(x[1] - x[0])]
        if y is not None:
            y = list(stepped_span(y[0], y[1], log=self.state["logMode"][1]))
        return [x, y]

    def suggestPadding(self, axis: int) -> float:
        return 0.02

    def follow_data(self) -> None:
        """Apply the auto-range now if the data left the stepped range (cheap otherwise)."""
        if not any(self.state["autoRange"]):
            return
        bounds = self.childrenBounds()
        key = (tuple(bounds[0] or ()), tuple(bounds[1] or ()), self.state["logMode"][1])
        if key != getattr(self, "_followed", None):
            self._followed = key
            self.updateAutoRange()


class PathCurve:
    """A curve drawn by Qt's own ``QGraphicsPathItem`` (its fill by a second one).

    pyqtgraph's curve items paint and report their bounds in Python, so every repaint of a
    live plot took the GIL from the training thread once per item and held it while the
    line was rasterised. Qt's path items do both in C++. ``setData``/``getData`` work as
    on pyqtgraph's items; ``step=True`` takes bin edges (n + 1) and counts (n), as
    ``stepMode="center"``; ``fill`` fills down to ``y = 0``.
    """

    def __init__(
        self,
        pen: QPen,
        *,
        fill: QBrush | None = None,
        step: bool = False,
        z: float = 0.0,
    ) -> None:
        self.line = QGraphicsPathItem()
        self.line.setPen(pen)
        self.line.setZValue(z)
        self.fill: QGraphicsPathItem | None = None
        if fill is not None:
            self.fill = QGraphicsPathItem()
            self.fill.setPen(QPen(Qt.PenStyle.NoPen))
            self.fill.setBrush(fill)
            self.fill.setZValue(z - 0.5)
        self.step = step
        self._polygon: QPolygonF | None = None  # what ``set_points`` drew, else None
        self._xy: tuple[np.ndarray, np.ndarray] | None = (np.zeros(0), np.zeros(0))

    @property
    def xData(self) -> np.ndarray:
        return self._columns()[0]

    @property
    def yData(self) -> np.ndarray:
        return self._columns()[1]

    def _columns(self) -> tuple[np.ndarray, np.ndarray]:
        if self._xy is None:  # views of the polygon, made when first asked for
            drawn = ndarray_from_qpolygonf(self._polygon)
            self._xy = drawn[:, 0], drawn[:, 1]
        return self._xy

    @property
    def items(self) -> tuple[QGraphicsPathItem, ...]:
        return (self.line,) if self.fill is None else (self.fill, self.line)

    def add_to(self, plot: pg.PlotItem) -> None:
        """Put the curve in ``plot`` (outside its auto-range: ranges are set by the owner)."""
        for item in self.items:
            plot.addItem(item, ignoreBounds=True)

    def setData(self, x, y) -> None:
        """Draw the points (x[i], y[i]); non-finite points break the line."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        self._xy, self._polygon = (x, y), None
        if self.step:
            if len(x) != len(y) + 1:
                raise ValueError(f"step curves need len(x) == len(y) + 1, got {len(x)}, {len(y)}")
            x, y = np.repeat(x, 2)[1:-1], np.repeat(y, 2)
        line = pg.arrayToQPath(x, y, connect="finite") if len(x) else QPainterPath()
        self.line.setPath(line)
        if self.fill is not None:
            area = QPainterPath()
            if len(x):
                area = pg.arrayToQPath(
                    np.concatenate([x[:1], x, x[-1:]]), np.concatenate([[0.0], y, [0.0]])
                )
                area.closeSubpath()
            self.fill.setPath(area)

    def set_points(self, points: np.ndarray, *, finite: bool = False) -> None:
        """As ``setData(points[:, 0], points[:, 1])`` for rows of (x, y), shape (n, 2).

        ``finite``: the caller knows every coordinate is finite. The rows are then copied
        as they are into the polygon Qt draws (its memory has their layout): a dozen
        Python steps, where ``setData`` makes ~30 (numpy passes over the points, each of
        which releases the GIL when it spans more than 500 numbers, and pyqtgraph's
        checks); ``xData``/``yData`` become views of that polygon.
        """
        n = len(points)
        if not n and self._polygon is None and not len(self._columns()[0]):
            return  # empty, and drawn empty already
        if not finite or self.step or self.fill is not None or n < 2:
            self.setData(points[:, 0].copy(), points[:, 1].copy())
            return
        points = np.ascontiguousarray(points, dtype=float)
        polygon = QPolygonF()
        polygon.resize(n)
        memoryview(voidptr(polygon.data(), 16 * n, True))[:] = points.data.cast("B")
        path = QPainterPath()
        path.addPolygon(polygon)
        self.line.setPath(path)
        self._polygon, self._xy = polygon, None  # it owns the memory ``xData`` will view

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self.xData, self.yData

    def setVisible(self, visible: bool) -> None:
        for item in self.items:
            item.setVisible(visible)

    def isVisible(self) -> bool:
        return self.line.isVisible()


def compact_number(x: float) -> str:
    """A short tick label: 0, 250, 2k, 2.5k, 40k, 1.2M; 0.5, 0.05; 5e-4 for tiny values."""
    if x == 0:
        return "0"
    size = abs(x)
    if size >= 1e6:
        return f"{x / 1e6:.3g}M"
    if size >= 1e3:
        return f"{x / 1e3:.3g}k"
    if size >= 0.01:
        return f"{x:.3g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{float(mantissa):g}e{int(exponent)}"


#: How far (pixels) a labelled tick stays from either end of a ``CompactAxis``.
EDGE_MARGIN_PX = 12


def _nice_step(span: float, at_most: int) -> float:
    """The smallest 1, 2 or 5 x 10^k step that cuts ``span`` into at most ``at_most`` parts."""
    rough = span / max(at_most, 1)
    base = 10.0 ** math.floor(math.log10(rough))
    return next(m * base for m in (1.0, 2.0, 5.0, 10.0) if m * base >= rough * (1 - 1e-9))


def _smaller_step(step: float) -> float:
    """The next 1, 2 or 5 x 10^k step below ``step`` (5 -> 2 -> 1 -> 0.5)."""
    base = 10.0 ** math.floor(math.log10(step) + 1e-9)
    mantissa = step / base
    return base * (2.0 if mantissa > 2.5 else 1.0 if mantissa > 1.5 else 0.5)


class CompactAxis(LiveAxis):
    """Ticks labelled by ``compact_number``, at least ``spacing`` pixels apart.

    pyqtgraph's own ticks on a 130-pixel epoch axis ran into each other ("2000400060008000");
    here the number of labels follows the axis' length and the labels stay short. Ticks
    keep half a label's width off the ends (a label cut there would be dropped, and the
    axis would shrink and grow again every frame), and the space for text never shrinks.
    """

    def __init__(self, orientation: str, *, spacing: int = 60, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.spacing = spacing
        self.enableAutoSIPrefix(False)
        self.setStyle(autoReduceTextSpace=False)

    def tickValues(self, minVal, maxVal, size):
        low, high = min(minVal, maxVal), max(minVal, maxVal)
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low or size <= 0:
            return []
        margin = (high - low) * min(0.25, EDGE_MARGIN_PX / size)
        inner_low, inner_high = low + margin, high - margin
        step = _nice_step(high - low, max(1, int(size // self.spacing)))
        for _ in range(6):  # a smaller step until a tick lands inside the margins
            first = math.ceil(inner_low / step - 1e-9) * step
            if first <= inner_high:
                break
            step = _smaller_step(step)
        values = np.arange(first, inner_high + step * 1e-9, step)
        return [(step, [float(v) for v in values])]

    def tickStrings(self, values, scale, spacing):
        return [compact_number(v * scale) for v in values]


def sticky_range(
    current: tuple[float, float] | None,
    needed: tuple[float, float],
    *,
    log: bool = False,
    slack: float = 2.5,
) -> tuple[float, float]:
    """``current`` while it still holds ``needed`` and is not much larger, else ``needed``.

    Hysteresis for ranges that follow data going up and down (a histogram's counts, a
    colour scale): without it a value hovering at a step flips the range, and the axis is
    laid out again, every frame. "Much larger": more than ``slack`` times the span, or on
    a log axis (spans in decades) more than two decades more.
    """
    if current is None or not (current[0] <= needed[0] and needed[1] <= current[1]):
        return needed
    span, wanted = current[1] - current[0], needed[1] - needed[0]
    too_large = span > wanted + 2 if log else span > slack * wanted
    return needed if too_large else current


class GridLines:
    """A plot's grid as two Qt path items (major and minor ticks) under the data.

    pyqtgraph draws the grid with the axes, so each axis covered the whole plot: every
    repaint of a curve repainted both axes too and asked Python for their bounds. These
    are redrawn only when the range or the size changes (``update``).
    """

    def __init__(self, plot: pg.PlotItem, color: str, alpha: float) -> None:
        """Major lines at ``2 * alpha`` opacity, minor ones at ``alpha`` (hairlines, as light
        as pyqtgraph's 1-pixel grid at ``alpha``)."""
        self.items = []
        for level_alpha in (min(1.0, 2 * alpha), alpha):
            shade = QColor(color)
            shade.setAlphaF(level_alpha)
            item = QGraphicsPathItem()
            item.setPen(QPen(shade, 0))
            item.setZValue(-1000)
            plot.addItem(item, ignoreBounds=True)
            self.items.append(item)

    def update(self, plot: pg.PlotItem) -> None:
        """Lines at the ticks ``plot``'s bottom and left axes show for its current range."""
        view = plot.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        paths = [QPainterPath(), QPainterPath()]
        for name, low, high, size in (
            ("bottom", x0, x1, view.width()),
            ("left", y0, y1, view.height()),
        ):
            levels = plot.getAxis(name).tickValues(low, high, size) if size > 0 else []
            for path, (_, values) in zip(paths, levels, strict=False):
                for v in values:
                    if name == "bottom":
                        path.moveTo(v, y0)
                        path.lineTo(v, y1)
                    else:
                        path.moveTo(x0, v)
                        path.lineTo(x1, v)
        for item, path in zip(self.items, paths, strict=True):
            item.setPath(path)
