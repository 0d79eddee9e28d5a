"""The selected layer's dweights and weights as heatmaps with diverging colours."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsWidget

from gui.colors import PLOT_FOREGROUND, diverging_colormap
from gui.live_items import LiveAxis, PixmapImage
from gui.plot_base import cache_axes
from gui.plot_items import compact_plot, nice_ceiling, sticky_range

DWEIGHTS_TIP = (
    "dweights of the selected layer after the latest epoch: one cell per weight (rows = "
    "inputs, columns = neurons). Red = positive gradient, so gradient descent lowers that "
    "weight; blue = negative, it raises it; white = no signal. The colour scale is "
    "symmetric around 0 and ends at the 99th percentile of |dweights|."
)
WEIGHTS_TIP = (
    "weights of the selected layer: rows = inputs, columns = neurons, red positive, blue "
    "negative. Watch structure appear as the network learns."
)


def index_tick_step(count: int, most: int = 6) -> int:
    """A whole step (1, 2, 5, 10, 20, 50...) that puts at most about ``most`` ticks on an
    axis of ``count`` indices: a row or column is never labelled 0.5."""
    step = 1
    while count / step > most:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if count / step <= most:
                break
    return max(step, 1)


def symmetric_level(values: np.ndarray, percentile: float = 99.0) -> float:
    """The colour-scale limit: the ``percentile`` of ``|values|`` (the largest when that is 0).

    A few large gradients would otherwise wash every other cell out to white; the cells
    beyond the limit show the end colours. 1.0 when nothing is non-zero (levels stay valid).
    The same number as ``np.percentile`` (linear interpolation), from one ``np.partition``
    at the two ranks it needs (``np.percentile`` spends ~0.3 ms in Python on setting up).
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    finite = np.isfinite(values)
    magnitude = np.abs(values if finite.all() else values[finite])
    n = magnitude.size
    if not n:
        return 1.0
    virtual = (n - 1) * (percentile / 100)
    if virtual >= n - 1:
        level = float(magnitude.max())
    else:
        below = max(math.floor(virtual), 0)
        low, high = np.partition(magnitude, (below, below + 1))[below : below + 2].tolist()
        gamma = virtual - below
        # numpy's _lerp: from the nearer end, so gamma 0 and 1 give the values exactly.
        diff = high - low
        level = high - diff * (1 - gamma) if gamma >= 0.5 else low + diff * gamma
    if level <= 0:
        level = float(magnitude.max())
    return level if level > 0 else 1.0


class MatrixImage(PixmapImage):
    """A matrix drawn cell by cell through a colour lookup table, painted by Qt alone.

    pyqtgraph's ``ImageItem`` maps its values through the table and scales the picture in
    Python at every repaint of the inspector (~1 ms a repaint, taking the GIL from the
    training thread); here the colours are computed once per new matrix and Qt scales the
    pixmap. ``image`` is the matrix itself, shape (rows, cols), row 0 at ``rect.top()``.
    """

    def __init__(self, lut: np.ndarray) -> None:
        """lut : shape (n, 4) uint8 RGBA, the colours from the low level to the high one."""
        super().__init__()
        self.setTransformationMode(QtCore.Qt.TransformationMode.FastTransformation)
        self.lut = np.ascontiguousarray(lut, dtype=np.uint8)
        self.matrix: np.ndarray | None = None
        #: The colours shown, shape (rows, cols, 4) uint8 RGBA.
        self.rgba: np.ndarray | None = None

    @property
    def image(self) -> np.ndarray | None:
        return self.matrix

    @image.setter
    def image(self, value: np.ndarray | None) -> None:
        pass  # PixmapImage stores its RGBA picture here; the matrix is kept instead

    def set_matrix(self, matrix: np.ndarray, levels: tuple[float, float]) -> None:
        """Show ``matrix`` with ``levels[0]`` at the table's first colour and ``levels[1]`` at
        its last (values beyond take the end colours; NaN and infinities are transparent)."""
        matrix = np.asarray(matrix, dtype=float)
        low, high = levels
        n = len(self.lut)
        # As pyqtgraph's ImageItem: n colours over [low, high), clipped at both ends. fmax
        # and fmin map NaN to the first colour (such cells are made transparent below).
        scale = n / (high - low) if high > low else 0.0
        index = np.subtract(matrix, low)
        index *= scale
        np.fmax(index, 0.0, out=index)
        np.fmin(index, n - 1, out=index)
        rgba = self.lut.take(index.astype(np.intp), axis=0)
        finite = np.isfinite(matrix)
        if not finite.all():
            rgba[~finite] = 0
        self.matrix = matrix  # first: placing the picture reads its shape
        self.rgba = rgba
        self.setImage(rgba)

    def clear(self) -> None:
        super().clear()
        self.matrix = self.rgba = None


class FrameAxis(LiveAxis):
    """An axis without ticks or labels, only its line: one side of a colour bar's frame.

    The line is Qt's own ``QGraphicsLineItem``, at the pixels pyqtgraph's ``AxisItem``
    draws it on (one pixel outside the axis' rectangle along its length, one pixel into
    the neighbouring side at each end); the axis itself paints nothing, so Qt never calls
    into Python to repaint it.
    """

    def __init__(self, orientation: str) -> None:
        self._line = None
        super().__init__(orientation)
        self._line = QGraphicsLineItem(self)
        self._line.setPen(self.pen())
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.setTicks([])
        self.setStyle(showValues=False)
        self._place_line()

    def setPen(self, *args, **kwargs) -> None:
        super().setPen(*args, **kwargs)
        if self._line is not None:
            self._line.setPen(self.pen())

    def resizeEvent(self, event=None) -> None:
        super().resizeEvent(event)
        self._place_line()

    def _place_line(self) -> None:
        if self._line is None:
            return
        rect = self.rect()
        left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
        ends = {
            "left": (right - 1, top - 1, right - 1, bottom + 1),
            "right": (left + 1, top - 1, left + 1, bottom + 1),
            "top": (left - 1, bottom - 1, right + 1, bottom - 1),
            "bottom": (left - 1, top + 1, right + 1, top + 1),
        }[self.orientation]
        self._line.setLine(*ends)


class LiveColorBar(pg.ColorBarItem):
    """A vertical ``pg.ColorBarItem`` whose frame is three ``FrameAxis`` (lines drawn by Qt)
    and whose scale is a cached ``LiveAxis``: bounds and frame never asked of Python.

    pyqtgraph's colour bar draws its frame with three plain axes: at each change of the
    levels Qt asked them for their bounds (~20 calls) and had them repaint, in Python. The
    axes are swapped after pyqtgraph's ``__init__`` and set up as it sets up its own (a
    mixin handing them to ``pg.PlotItem.__init__`` instead made PySide drop the parent of
    every child item: it does not convert such classes to C++ pointers).
    """

    boundingRect = QGraphicsWidget.boundingRect
    shape = QGraphicsWidget.shape

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if self.horizontal:
            raise ValueError("LiveColorBar is vertical only")
        axes = {name: FrameAxis(name) for name in ("left", "top", "bottom")}
        axes["right"] = LiveAxis("right")
        self.setAxisItems(axes)
        for name in axes:
            self.showAxis(name)
            self.getAxis(name).setZValue(0.5)
        self.axis = self.getAxis("right")
        self.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.axis.setWidth(45)
        self.axis.setStyle(showValues=True)
        self.axis.unlinkFromView()
        self.axis.setRange(*self.values)


class Heatmap:
    """One titled matrix plot with its colour bar; axis rows = inputs, columns = neurons."""

    def __init__(self, layout: pg.GraphicsLayout, col: int, title: str, tooltip: str) -> None:
        self._shape: tuple[int, ...] | None = None
        self.title = title
        self.plot = compact_plot(title, tooltip)
        self.plot.invertY(True)  # input 0 on top, as a matrix is printed
        self.plot.setLabel("left", "input", **{"font-size": "8pt"})
        self.plot.setLabel("bottom", "neuron", **{"font-size": "8pt"})
        colormap = diverging_colormap()
        # The colour bar's own table, so a cell and the bar agree on every colour.
        self.image = MatrixImage(colormap.getLookupTable(nPts=256, alpha=True))
        self.plot.addItem(self.image)
        self.colorbar = LiveColorBar(
            values=(-1.0, 1.0),
            colorMap=colormap,
            width=12,
            interactive=False,
            colorMapMenu=False,
        )
        bar_axis = self.colorbar.getAxis("right")
        bar_axis.setStyle(tickFont=self.plot.getAxis("left").style["tickFont"])
        bar_axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
        # Placed as ``setImageItem(..., insert_in=plot)`` places it; the image follows the
        # bar's levels in ``show`` rather than through pyqtgraph's ImageItem link.
        self.plot.layout.addItem(self.colorbar, 2, 5)
        self.plot.layout.setColumnFixedWidth(4, 5)
        cache_axes(self.plot)
        layout.addItem(self.plot, row=0, col=col)

    def set_title(self, text: str) -> None:
        if text != self.title:
            self.title = text
            self.plot.setTitle(text, size="9pt", color=PLOT_FOREGROUND)

    def show(self, matrix: np.ndarray | None, shape: tuple[int, int] | None = None) -> None:
        """Draw ``matrix``, shape (n_inputs, n_neurons), with levels symmetric around 0.

        None leaves the plot empty: framed for a matrix of ``shape`` when it is given (a
        layer whose gradients are not computed yet), as it was otherwise.
        """
        if matrix is None:
            self.image.clear()
            if shape is not None:
                self._frame(shape)
            return
        # Rounded up in steps and kept while it suits, so the colour bar's axis is laid out
        # again only now and then.
        needed = nice_ceiling(symmetric_level(matrix))
        low, high = sticky_range(tuple(self.colorbar.levels()), (-needed, needed))
        if self.colorbar.levels() != (low, high):
            self.colorbar.setLevels((low, high))
        self.image.set_matrix(matrix, (low, high))
        self._frame(matrix.shape)

    def _frame(self, shape: tuple[int, ...]) -> None:
        """Axes for a matrix of ``shape``: cell (i, j) centred on (j, i), whole-index ticks."""
        if shape != self._shape:
            self._shape = shape
            rows, cols = shape
            self.image.setRect(QtCore.QRectF(-0.5, -0.5, cols, rows))
            self.plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
            for name, count in (("bottom", cols), ("left", rows)):
                step = index_tick_step(count)
                self.plot.getAxis(name).setTickSpacing(step, step)
