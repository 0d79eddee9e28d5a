"""TensorBoard's "distributions": a layer's weights and dweights over time, as bands.

Each epoch the engine reports nine percentiles of a layer's weights and of its dweights
(``LayerStats.weights_quantiles``: min, -1.5σ, -1σ, -½σ, median, +½σ, +1σ, +1.5σ, max of a
normal distribution). Drawn against the epoch as nested shaded bands, they show at a glance
what norms alone hide: weights that spread out or collapse, a gradient whose median drifts
from zero, a few outliers that run away from the rest.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from gui.colors import PLOT_BACKGROUND, PLOT_FOREGROUND
from gui.plot_base import LiveLayoutWidget
from gui.plot_items import compact_plot

#: Bands drawn, outermost first: pairs of percentile indices into the nine values.
BANDS = ((0, 8), (1, 7), (2, 6), (3, 5))
MEDIAN = 4
#: Opacity (0-255) of each band, outermost first: inner bands stack darker.
BAND_ALPHA = (45, 60, 75, 90)
WEIGHTS_COLOR = "#0072B2"
DWEIGHTS_COLOR = "#D55E00"
WEIGHTS_DISTRIBUTION_TIP = (
    "The selected layer's weights over the epochs, as TensorBoard draws distributions: the "
    "darkest band holds the middle 38% of the weights (±½σ of a normal distribution), the "
    "next ones 68% (±1σ) and 87% (±1.5σ), the palest runs from the smallest to the largest "
    "weight; the line is the median. Weights that spread out are learning; bands that stop "
    "moving mean the layer has settled (or stalled)."
)
DWEIGHTS_DISTRIBUTION_TIP = (
    "The selected layer's dweights over the epochs, as bands (see the weights plot). Near a "
    "minimum the bands shrink towards 0; bands that collapse early in the first layers point "
    "to vanishing gradients, bands that blow up to exploding ones."
)


class BandHistory:
    """A bounded record of (epoch, nine percentiles) for one layer and one array.

    It keeps at most ``capacity`` rows: when full it drops every other row and from then on
    keeps every 2nd (then 4th...) epoch that arrives, so a million epochs still span the
    whole run evenly. The latest epoch is always shown, kept or not.
    """

    def __init__(self, capacity: int = 500) -> None:
        if capacity < 4:
            raise ValueError(f"capacity must be at least 4, got {capacity}")
        self.capacity = int(capacity)
        self._epochs = np.empty(self.capacity, dtype=np.int64)
        self._values = np.empty((self.capacity, 9), dtype=np.float64)
        self._n = 0
        self._stride = 1
        self._arrivals = 0
        self._last: tuple[int, np.ndarray] | None = None

    def __len__(self) -> int:
        return self._n

    def append(self, epoch: int, values: np.ndarray) -> None:
        """Record ``values`` (shape (9,), smallest first) of ``epoch``."""
        values = np.asarray(values, dtype=np.float64).reshape(9)
        self._last = (int(epoch), values)
        keep = self._arrivals % self._stride == 0
        self._arrivals += 1
        if not keep:
            return
        if self._n == self.capacity:
            half = self._n // 2
            self._epochs[:half] = self._epochs[0 : self._n : 2][:half]
            self._values[:half] = self._values[0 : self._n : 2][:half]
            self._n = half
            self._stride *= 2
            if (self._arrivals - 1) % self._stride:
                return
        self._epochs[self._n] = epoch
        self._values[self._n] = values
        self._n += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Epochs, shape (n,), and their percentiles, shape (n, 9): copies, latest included."""
        epochs, values = self._epochs[: self._n], self._values[: self._n]
        if self._last is not None and (self._n == 0 or epochs[-1] != self._last[0]):
            epochs = np.append(epochs, self._last[0])
            values = np.vstack([values, self._last[1]])
        return epochs.copy(), values.copy()

    def clear(self) -> None:
        self._n, self._stride, self._arrivals, self._last = 0, 1, 0, None


class DistributionPlot:
    """One plot of bands over the epochs, for the weights or the dweights of a layer."""

    def __init__(
        self, layout: pg.GraphicsLayout, col: int, title: str, color: str, tooltip: str
    ) -> None:
        self.plot = compact_plot(title, tooltip)
        self.plot.setLabel("bottom", "epoch", **{"font-size": "8pt"})
        # Plain curves, not PlotDataItems: a PlotDataItem without a pen hands its curve no
        # data, and the bands between them would stay empty.
        self.curves = [pg.PlotCurveItem(pen=pg.mkPen(None)) for _ in range(9)]
        base = QtGui.QColor(color)
        self.fills = []
        for (low, high), alpha in zip(BANDS, BAND_ALPHA, strict=True):
            fill_color = QtGui.QColor(base)
            fill_color.setAlpha(alpha)
            fill = pg.FillBetweenItem(self.curves[low], self.curves[high], brush=fill_color)
            self.plot.addItem(fill)
            self.fills.append(fill)
        self.median = pg.PlotDataItem(pen=pg.mkPen(color, width=1.5))
        self.plot.addItem(self.median)
        layout.addItem(self.plot, row=0, col=col)

    def show(self, epochs: np.ndarray, values: np.ndarray) -> None:
        """Draw the bands of ``values`` (n, 9) over ``epochs`` (n,); nothing when n == 0."""
        if len(epochs) == 0:
            self.clear()
            return
        x = epochs.astype(np.float64)
        if len(x) == 1:  # one epoch: a sliver, so the bands are visible at all
            x = np.array([x[0] - 0.5, x[0] + 0.5])
            values = np.vstack([values, values])
        for i, curve in enumerate(self.curves):
            curve.setData(x, values[:, i])
        self.median.setData(x, values[:, MEDIAN])
        finite = values[np.isfinite(values)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            pad = (high - low) * 0.05 or max(abs(high), 1e-12) * 0.05
            self.plot.setYRange(low - pad, high + pad, padding=0)
        self.plot.setXRange(float(x[0]), float(x[-1]), padding=0.02)

    def clear(self) -> None:
        for curve in self.curves:
            curve.setData([], [])
        self.median.setData([], [])


class DistributionView(LiveLayoutWidget):
    """The selected layer's weights and dweights distributions, side by side.

    It records every layer's percentiles as they arrive (``record``) and draws one layer
    (``show_layer``), so switching layers shows their whole history at once.
    """

    def __init__(self, parent=None, *, capacity: int = 500) -> None:
        super().__init__(parent)
        self.setObjectName("inspector_distribution_view")
        self.setBackground(PLOT_BACKGROUND)
        self._capacity = capacity
        self.weights_plot = DistributionPlot(
            self.ci, 0, "weights", WEIGHTS_COLOR, WEIGHTS_DISTRIBUTION_TIP
        )
        self.dweights_plot = DistributionPlot(
            self.ci, 1, "dweights", DWEIGHTS_COLOR, DWEIGHTS_DISTRIBUTION_TIP
        )
        self.histories: list[tuple[BandHistory, BandHistory]] = []
        self._shown = 0

    def record(self, epoch: int, layers) -> None:
        """Append each layer's percentiles (``LayerStats`` in Dense order) of ``epoch``."""
        while len(self.histories) < len(layers):
            self.histories.append((BandHistory(self._capacity), BandHistory(self._capacity)))
        del self.histories[len(layers) :]
        for (weights, dweights), layer in zip(self.histories, layers, strict=True):
            weights.append(epoch, layer.weights_quantiles)
            dweights.append(epoch, layer.dweights_quantiles)

    def show_layer(self, index: int, name: str = "") -> None:
        """Draw layer ``index``'s history (empty plots when it has none yet)."""
        self._shown = index
        suffix = f" of {name}" if name else ""
        self.weights_plot.plot.setTitle(f"weights{suffix}", size="9pt", color=PLOT_FOREGROUND)
        self.dweights_plot.plot.setTitle(f"dweights{suffix}", size="9pt", color=PLOT_FOREGROUND)
        if index >= len(self.histories):
            self.weights_plot.clear()
            self.dweights_plot.clear()
            return
        weights, dweights = self.histories[index]
        self.weights_plot.show(*weights.arrays())
        self.dweights_plot.show(*dweights.arrays())

    def forget(self) -> None:
        """Drop every layer's history and empty the plots. (Not ``clear``: pyqtgraph's
        layout widget binds that name to removing every item from the layout.)"""
        self.histories.clear()
        self.weights_plot.clear()
        self.dweights_plot.clear()
