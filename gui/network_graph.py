"""The network as a graph, as TensorFlow Playground draws it: every weight a line.

Columns of nodes (the inputs, then each Dense layer's neurons), and between two columns a
line per weight: red where the weight is positive, blue where negative, thicker and darker
the larger it is against the layer's largest. Watching it while training shows which
connections the network strengthens and which it lets fade. Wide layers show their first
``MAX_NODES`` neurons and say how many more there are.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.colors import PLOT_BACKGROUND, PLOT_FOREGROUND
from gui.feature_row import TITLES
from gui.plot_base import on_screen

MAX_NODES = 16  # neurons drawn per column
LEVELS = 16  # strengths a line can be drawn in, per sign
NODE_RADIUS = 7.0
MAX_WIDTH = 4.0  # pixels of the line of a layer's largest weight
POSITIVE = QColor("#B2182B")
NEGATIVE = QColor("#2166AC")
NODE_FILL = QColor("#F2F2F2")
TIP = (
    "The network as a graph: inputs on the left, each Dense layer's neurons in a column, one "
    "line per weight. Red: positive, blue: negative; the thicker and darker, the larger the "
    "weight against the largest of its layer. Wide layers show their first "
    f"{MAX_NODES} neurons."
)


def edge_style(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per weight, its line's width in pixels and opacity (0-255), both growing with
    ``|w|`` against the layer's largest ``|w|`` (all thin and faint when every w is 0), in
    ``LEVELS`` steps so that the graph draws each step with one pen."""
    magnitude = np.abs(np.asarray(weights, dtype=float))
    top = float(magnitude.max()) if magnitude.size else 0.0
    share = magnitude / top if top > 0 else np.zeros_like(magnitude)
    strength = np.round(share * (LEVELS - 1)) / (LEVELS - 1)
    return 0.3 + (MAX_WIDTH - 0.3) * strength, (30 + 225 * strength).astype(int)


class NetworkGraph(QWidget):
    """Columns of nodes and a line per weight, redrawn when new weights arrive."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("network_graph")
        self.setToolTip(TIP)
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._sizes: list[int] = []  # nodes of each column, inputs first
        self._titles: list[str] = []
        self._inputs: list[str] = []
        self._weights: tuple[np.ndarray, ...] | None = None

    def set_architecture(
        self, layer_sizes: Sequence[int], input_names: Sequence[str], titles: Sequence[str]
    ) -> None:
        """``input_names`` name the first column (x₁, x₂ or the chosen features);
        ``layer_sizes`` are the Dense layers' widths, ``titles`` their column titles."""
        self._inputs = [str(name) for name in input_names]
        self._sizes = [len(self._inputs), *(int(n) for n in layer_sizes)]
        self._titles = ["inputs", *(str(t) for t in titles)]
        self._weights = None
        self.update()

    def set_weights(self, weights: Sequence[np.ndarray] | None) -> None:
        """One array per Dense layer, shape (n_inputs, n_neurons) (copies; kept, not read
        again until the next call)."""
        self._weights = None if weights is None else tuple(np.asarray(w) for w in weights)
        if on_screen(self):  # a tab behind another is painted when it is raised
            self.update()

    @property
    def weights(self) -> tuple[np.ndarray, ...] | None:
        """The weights drawn now, one array per Dense layer."""
        return self._weights

    @property
    def input_names(self) -> list[str]:
        return list(self._inputs)

    def shown_nodes(self, column: int) -> int:
        return min(self._sizes[column], MAX_NODES) if column < len(self._sizes) else 0

    def node_center(self, column: int, index: int) -> QPointF:
        """Where node ``index`` of ``column`` is drawn (widget coordinates)."""
        columns = max(len(self._sizes), 1)
        margin_x, top, bottom = 40.0, 34.0, 26.0
        x = margin_x + (self.width() - 2 * margin_x) * (column / max(columns - 1, 1))
        n = self.shown_nodes(column)
        height = self.height() - top - bottom
        y = top + height * ((index + 0.5) / max(n, 1))
        return QPointF(x, y)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(PLOT_BACKGROUND))
        if not self._sizes:
            return
        if self._weights is not None and len(self._weights) == len(self._sizes) - 1:
            for column, weights in enumerate(self._weights):
                self._paint_edges(painter, column, weights)
        painter.setPen(QPen(QColor(PLOT_FOREGROUND), 1))
        for column in range(len(self._sizes)):
            self._paint_column(painter, column)
        painter.end()

    def _paint_edges(self, painter: QPainter, column: int, weights: np.ndarray) -> None:
        """The lines between two columns: one pen and one ``drawLines`` call per group of
        like lines (a pen per line cost ~5 ms a picture)."""
        for pen, lines in self.edge_groups(column, weights):
            painter.setPen(pen)
            painter.drawLines(lines)

    def edge_groups(self, column: int, weights: np.ndarray) -> list[tuple[QPen, list[QLineF]]]:
        """The lines from ``column`` to the next, grouped by sign and by ``LEVELS``
        strengths: each group's pen and its lines (node to node)."""
        n_in, n_out = self.shown_nodes(column), self.shown_nodes(column + 1)
        shown = np.asarray(weights)[:n_in, :n_out]
        widths, alphas = edge_style(shown)
        starts = [self.node_center(column, i) for i in range(n_in)]
        ends = [self.node_center(column + 1, j) for j in range(n_out)]
        groups = []
        for positive, base in ((True, POSITIVE), (False, NEGATIVE)):
            sign = shown >= 0 if positive else shown < 0
            for alpha in np.unique(alphas[sign]).tolist():
                rows, cols = np.nonzero(sign & (alphas == alpha))
                color = QColor(base)
                color.setAlpha(alpha)
                lines = [
                    QLineF(starts[i], ends[j])
                    for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
                ]
                groups.append((QPen(color, float(widths[rows[0], cols[0]])), lines))
        return groups

    def _paint_column(self, painter: QPainter, column: int) -> None:
        n = self.shown_nodes(column)
        painter.setBrush(NODE_FILL)
        for i in range(n):
            painter.drawEllipse(self.node_center(column, i), NODE_RADIUS, NODE_RADIUS)
        top = self.node_center(column, 0)
        title = QRectF(top.x() - 60, 4, 120, 18)
        painter.drawText(title, Qt.AlignmentFlag.AlignCenter, self._titles[column])
        if column == 0:
            for i, name in enumerate(self._inputs[:n]):
                at = self.node_center(0, i)
                painter.drawText(
                    QRectF(at.x() - 40, at.y() - 9, 30, 18),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    name,
                )
        more = self._sizes[column] - n
        if more > 0:
            bottom = self.node_center(column, n - 1)
            painter.drawText(
                QRectF(bottom.x() - 40, bottom.y() + 8, 80, 16),
                Qt.AlignmentFlag.AlignCenter,
                f"+{more} more",
            )


def graph_labels(info) -> tuple[list[int], list[str], list[str]]:
    """For a ``RunInfo``: the Dense layers' widths, the input names (x₁, x₂ or the chosen
    features) and the column titles ("Dense 1"..., "output")."""
    sizes = list(info.layer_sizes)
    features = getattr(getattr(info.config, "network", None), "features", None)
    n_inputs = int(info.X_train.shape[1]) if info.X_train.ndim == 2 else 1
    names = [TITLES[f] for f in features] if features else ["x₁", "x₂"][:n_inputs]
    weights = getattr(info.initial, "weights", None)
    if weights and len(names) != weights[0].shape[0]:  # e.g. a loaded model's own features
        names = [f"in {i + 1}" for i in range(weights[0].shape[0])]
    titles = [name.split(" (")[0] for name in info.layer_names]
    if titles:
        titles[-1] = "output"
    return sizes, names, titles
