"""A large view of something else over the input plane, drawn on a plot of that plane.

The boundary plot uses it to show one hidden neuron's output where the probabilities are,
with the data points still on top and a caption saying what is shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gui.colors import PLOT_FOREGROUND
from model.grid import BoundaryGrid

CAPTION_FILL = (255, 255, 255, 225)


class PlaneOverlay:
    """An RGBA image placed over a ``BoundaryGrid`` and a caption in the view's corner."""

    def __init__(self, plot: pg.PlotItem, image: pg.ImageItem, z: float = -5.0) -> None:
        self.image = image
        self.image.setZValue(z)  # above the probabilities, below the points
        self.image.hide()
        plot.addItem(self.image)
        self.caption = pg.TextItem(
            color=PLOT_FOREGROUND, fill=pg.mkBrush(*CAPTION_FILL), anchor=(0, 0)
        )
        self.caption.setParentItem(plot.getViewBox())  # placed in view pixels, not data
        self.caption.setPos(6, 6)
        self.caption.setZValue(20)
        self.caption.hide()

    def show(self, rgba: np.ndarray, grid: BoundaryGrid, caption: str) -> None:
        """rgba : shape (len(ys), len(xs), 4) uint8, row i is ``grid.ys[i]``."""
        rgba = np.asarray(rgba)
        rows, cols = len(grid.ys), grid.resolution
        if rows < 2 or cols < 2:
            raise ValueError("an overlay needs a 2-D grid of at least 2 x 2 points")
        if rgba.dtype != np.uint8 or rgba.shape != (rows, cols, 4):
            raise ValueError(
                f"overlay must be uint8 of shape ({rows}, {cols}, 4) for this grid, "
                f"got {rgba.dtype} {rgba.shape}"
            )
        x0, x1, y0, y1 = grid.extent
        dx, dy = (x1 - x0) / (cols - 1), (y1 - y0) / (rows - 1)
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        # Grid points are pixel centres: the image reaches half a pixel beyond them.
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, dx * cols, dy * rows))
        self.image.show()
        self.caption.setText(caption)
        self.caption.show()

    def clear(self) -> None:
        self.image.hide()
        self.caption.hide()

    @property
    def shown(self) -> bool:
        return self.image.isVisible()

    @property
    def text(self) -> str:
        return self.caption.toPlainText() if self.shown else ""
