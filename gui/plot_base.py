"""What every plot panel of the window shares: a themed pyqtgraph plot and PNG export, drawn
by views that paint without holding Python's GIL (``LivePlotWidget``, ``LiveLayoutWidget``)."""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QDockWidget, QGraphicsItem, QGraphicsView, QVBoxLayout, QWidget

from gui.colors import GRID_ALPHA, PLOT_BACKGROUND, PLOT_FOREGROUND
from gui.plot_items import LivePlotItem, needs_prepare

# Exports of a panel too small to read (e.g. never shown) are scaled up to this width.
MIN_EXPORT_WIDTH = 800


def cache_axes(plot: pg.PlotItem, names: tuple[str, ...] = ("left", "bottom")) -> None:
    """Keep the axes of ``plot`` (and the grid lines they draw) as cached pixmaps.

    A curve's update repaints everything under it, grid-carrying axes included; cached,
    they are copied in C++ instead of replaying their text and lines from Python.
    """
    for name in names:
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class _PrepareForPaint(QObject):
    """Event filter on a view's viewport: pyqtgraph's per-paint bookkeeping (pending
    auto-ranges, view transforms), which ``pg.GraphicsView.paintEvent`` would otherwise do."""

    def __init__(self, view: pg.GraphicsView) -> None:
        super().__init__(view)
        self._view = weakref.ref(view)  # its child: a strong reference would be a cycle

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # isinstance, not event.type(): making the enum costs ~1 us at every event.
        if isinstance(event, QPaintEvent):
            view = self._view()
            if view is not None:
                scene = view.scene()
                if needs_prepare(scene):  # else a signal to each view box, in Python, for nothing
                    scene.prepareForPaint()
        return False


def _paint_in_cpp(view: pg.GraphicsView) -> None:
    view.viewport().installEventFilter(_PrepareForPaint(view))


# pyqtgraph's GraphicsView.paintEvent is a Python method that calls the C++ one, so the
# whole scene, text and images included, was rasterised while holding the GIL, and the
# training thread stood still meanwhile (measured: a 1.5 s paint left a busy Python thread
# 1% of its speed; with the C++ paintEvent, 65-80%). Naming the C++ method in the subclass
# lets PySide call it directly, without the GIL; only items with a Python ``paint`` take it.
class LivePlotWidget(pg.PlotWidget):
    """A ``pg.PlotWidget`` whose scene is painted by Qt without holding Python's GIL."""

    paintEvent = QGraphicsView.paintEvent

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _paint_in_cpp(self)


class LiveLayoutWidget(pg.GraphicsLayoutWidget):
    """A ``pg.GraphicsLayoutWidget`` whose scene is painted by Qt without the GIL."""

    paintEvent = QGraphicsView.paintEvent

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _paint_in_cpp(self)


class PlotPanel(QWidget):
    """A QWidget around one ``pg.PlotWidget`` drawn in the app's light theme.

    Subclasses add their plot items once in ``__init__`` and only ``setData`` later.
    """

    def __init__(
        self,
        object_name: str,
        parent: QWidget | None = None,
        *,
        view_box: pg.ViewBox | None = None,
        axis_items: dict[str, pg.AxisItem] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.plot_widget = LivePlotWidget(
            background=PLOT_BACKGROUND,
            plotItem=LivePlotItem(viewBox=view_box, axisItems=axis_items),
        )
        self.plot_widget.setObjectName(f"{object_name}_view")
        plot_item = self.plot_widget.getPlotItem()
        for name in ("left", "bottom"):
            axis = plot_item.getAxis(name)
            axis.setPen(pg.mkPen(PLOT_FOREGROUND))
            axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
        plot_item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        cache_axes(plot_item)
        plot_item.setMenuEnabled(True)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._layout.addWidget(self.plot_widget, 1)

    @property
    def plot_item(self) -> pg.PlotItem:
        return self.plot_widget.getPlotItem()

    def getViewBox(self) -> pg.ViewBox:
        """The plot's ViewBox (data <-> scene coordinates), named as in pyqtgraph."""
        return self.plot_item.getViewBox()

    def export_png(self, path: str | os.PathLike[str]) -> None:
        """Write the plot (axes, legend and all) as a PNG image, atomically.

        Raises OSError naming the path if the image cannot be written.
        """
        exporter = pyqtgraph.exporters.ImageExporter(self.plot_item)
        if exporter.parameters()["width"] < MIN_EXPORT_WIDTH:
            exporter.parameters()["width"] = MIN_EXPORT_WIDTH
        image = exporter.export(toBytes=True)
        target = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".png", dir=target.parent)
        os.close(fd)
        try:
            if not image.save(tmp, "PNG"):
                raise OSError(f"could not write a PNG image to {str(target)!r}")
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)


def on_screen(widget: QWidget) -> bool:
    """Whether any part of ``widget`` can be seen now. A dock that is a tab behind another
    one still answers True to ``isVisible()``; only its empty visible region tells."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def dock_on_screen(dock: QDockWidget) -> bool:
    """Whether ``dock``'s widget can be seen. The dock is asked too: while it hides, its
    widget still answers True to ``isVisible()``."""
    return dock.isVisible() and on_screen(dock.widget())


def watch_dock(dock: QDockWidget, receiver: QObject, slot: Callable[[], None]) -> None:
    """Call ``slot`` whenever ``dock`` may have come on or gone off screen (shown, hidden,
    its tab raised or covered): at once when it hides, and once the layout has settled
    when it shows (only then does its visible region tell)."""

    def changed(visible: bool) -> None:
        if visible:
            QTimer.singleShot(0, receiver, slot)
        else:
            slot()

    dock.visibilityChanged.connect(changed)
