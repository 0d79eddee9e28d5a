"""What every plot panel of the window shares: a themed pyqtgraph plot and PNG export."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gui.colors import GRID_ALPHA, PLOT_BACKGROUND, PLOT_FOREGROUND

# Exports of a panel too small to read (e.g. never shown) are scaled up to this width.
MIN_EXPORT_WIDTH = 800


class PlotPanel(QWidget):
    """A QWidget around one ``pg.PlotWidget`` drawn in the app's light theme.

    Subclasses add their plot items once in ``__init__`` and only ``setData`` later.
    """

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.plot_widget = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.plot_widget.setObjectName(f"{object_name}_view")
        plot_item = self.plot_widget.getPlotItem()
        for name in ("left", "bottom"):
            axis = plot_item.getAxis(name)
            axis.setPen(pg.mkPen(PLOT_FOREGROUND))
            axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
        plot_item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
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
