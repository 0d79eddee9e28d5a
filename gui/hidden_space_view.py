"""The hidden space: the plane as one hidden layer sees it (ConvNetJS's transformed view).

The engine maps the training points and the straight lines of a grid over the input
plane through the network up to the chosen hidden layer (``model.hidden_space``); this
view draws them on two of that layer's neurons. The worker computes the mapping with the
inspector's throttle while this view is shown; the view only draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.colors import CLASS_COLORS, PLOT_BACKGROUND, PLOT_FOREGROUND, POINT_OUTLINE_COLOR
from gui.plot_items import plain_axes
from model.hidden_space import HiddenSpace

LINE_COLOR = "#9A9A9A"
POINT_SIZE = 7
TIP = (
    "Where one hidden layer puts every point: its x axis is one neuron's output, its y axis "
    "another's (after the activation). Grey: the straight lines of a grid over the input "
    "plane, mapped the same way; they bend and fold as the network learns. Classes that "
    "wind around each other in the plane come apart here, until the layers after this one "
    "can cut them with straight lines. 'Next pair' steps through the layer's neurons."
)
DEAD_COLOR = "#B35900"
EMPTY_TEXT = (
    "No hidden layers: the output layer reads the inputs directly. Add a hidden layer "
    "under Network and press Reset to see how it transforms the plane."
)


class HiddenSpaceView(QWidget):
    """Two neurons of one hidden layer as axes; points and grid lines mapped onto them."""

    #: The learner chose (hidden layer, neuron on x, neuron on y); None: nothing to show.
    selection_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hidden_space_view")
        self.setToolTip(TIP)
        self._sizes: list[int] = []
        self._labels: np.ndarray | None = None
        self._task = "classification"
        self._brushes: list | None = None
        self._palette = [pg.mkBrush(color) for color in CLASS_COLORS]
        self._single_brush = self._palette[0]
        self._labelled: tuple[int, int] | None = None
        self._dead_said: tuple[int, ...] = ()  # the dead neurons the view names now
        self.space: HiddenSpace | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        title = QLabel("<b>Hidden space</b>")
        title.setMinimumWidth(1)  # the dock's title says it too: narrow, the choices keep room
        bar.addWidget(title)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("hidden_space_layer_combo")
        self.layer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.layer_combo.setMinimumContentsLength(8)
        self.layer_combo.setToolTip("The hidden layer whose space is drawn.")
        self.x_input = self._neuron_box("hidden_space_x_input", "x")
        self.y_input = self._neuron_box("hidden_space_y_input", "y")
        self.next_button = QPushButton("Next pair")
        self.next_button.setObjectName("hidden_space_next_button")
        self.next_button.setToolTip("Show the layer's next two neurons.")
        bar.addWidget(self.layer_combo, 1)
        # Short labels: the plot's axes name the neurons ("neuron 3"), the boxes' tooltips too,
        # and a narrow bar lets the window fit a 1280-pixel screen (the dock is tabbed with
        # the neuron views, and the widest tab sets the column's width).
        for label, box in (("x:", self.x_input), ("y:", self.y_input)):
            bar.addWidget(QLabel(label))
            bar.addWidget(box)
        bar.addWidget(self.next_button)
        layout.addLayout(bar)
        # A dead ReLU outputs 0 for every input: its axis collapses to a line, which
        # looks like a broken plot unless the view says why.
        self.dead_label = QLabel()
        self.dead_label.setObjectName("hidden_space_dead_label")
        self.dead_label.setWordWrap(True)
        self.dead_label.setStyleSheet(f"color: {DEAD_COLOR};")
        self.dead_label.setVisible(False)
        layout.addWidget(self.dead_label)

        self.plot_widget = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.plot_widget.setObjectName("hidden_space_plot")
        self.plot = self.plot_widget.getPlotItem()
        plain_axes(self.plot)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setTextPen(pg.mkPen(PLOT_FOREGROUND))
        self.lines = pg.PlotCurveItem(pen=pg.mkPen(LINE_COLOR, width=1), connect="finite")
        self.points = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(POINT_OUTLINE_COLOR))
        self.plot.addItem(self.lines)
        self.plot.addItem(self.points)
        layout.addWidget(self.plot_widget, 1)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setObjectName("hidden_space_empty_label")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_label.setVisible(False)
        layout.addWidget(self.empty_label, 1)

        self.layer_combo.currentIndexChanged.connect(self._on_layer_changed)
        self.x_input.valueChanged.connect(self._emit_selection)
        self.y_input.valueChanged.connect(self._emit_selection)
        self.next_button.clicked.connect(self.next_pair)

    @staticmethod
    def _neuron_box(name: str, axis: str) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setToolTip(f"The neuron whose output is the {axis} axis (0 = the layer's first).")
        return box

    # --- what the window tells it -------------------------------------------------------
    def set_run(
        self,
        layer_names: Sequence[str],
        layer_sizes: Sequence[int],
        labels: np.ndarray,
        task: str,
    ) -> None:
        """A new run: its hidden layers (names and widths) and the training labels."""
        self._sizes = [int(n) for n in layer_sizes]
        self._labels = np.asarray(labels).reshape(len(labels), -1)[:, 0]
        self._task = task
        # The class brushes are made once: new brushes for every drawing made pyqtgraph
        # render every point's symbol again (~15 ms a drawing for 300 points).
        self._brushes = (
            None if task == "regression" else [self._palette[int(k)] for k in self._labels]
        )
        self.space = None
        self.lines.setData([], [])
        self.points.setData([])
        self._say_dead(())
        has_hidden = bool(self._sizes)
        self.plot_widget.setVisible(has_hidden)
        self.empty_label.setVisible(not has_hidden)
        for widget in (self.layer_combo, self.x_input, self.y_input, self.next_button):
            widget.setEnabled(has_hidden)
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems([str(name) for name in layer_names])
        self.layer_combo.blockSignals(False)
        self._fit_neurons(reset=True)
        self._emit_selection()

    def selection(self) -> tuple[int, int, int] | None:
        """(hidden layer, neuron on x, neuron on y), or None without hidden layers."""
        if not self._sizes:
            return None
        return self.layer_combo.currentIndex(), self.x_input.value(), self.y_input.value()

    @Slot(object)
    def show_space(self, space: HiddenSpace | None) -> None:
        """Draw ``space`` if it is the current selection (a late answer is dropped)."""
        if space is None or (space.layer, *space.neurons) != self.selection():
            return
        self.space = space
        lines = space.lines
        gaps = np.full((lines.shape[0], 1, 2), np.nan)
        path = np.concatenate([lines, gaps], axis=1).reshape(-1, 2)
        self.lines.setData(path[:, 0], path[:, 1])
        brushes = self._brushes
        if brushes is None or len(brushes) != len(space.points):
            brushes = self._single_brush
        self.points.setData(pos=space.points, brush=brushes)
        columns = zip(space.neurons, space.points.T, strict=True)
        self._say_dead(tuple(n for n, column in columns if not column.any()))
        if space.neurons != self._labelled:  # laying out an axis label costs ~0.3 ms
            self._labelled = space.neurons
            self.plot.setLabel("bottom", f"neuron {space.neurons[0]}")
            self.plot.setLabel("left", f"neuron {space.neurons[1]}")

    def _say_dead(self, dead: tuple[int, ...]) -> None:
        """Name the shown neurons that output 0 for every training point (``dead``)."""
        if dead == self._dead_said:
            return
        self._dead_said = dead
        if not dead:
            self.dead_label.setVisible(False)
            return
        neurons = sorted(set(dead))
        names = " and ".join(f"neuron {n}" for n in neurons)
        what = (
            "is 0 for every point (a dead ReLU): its axis is flat"
            if len(neurons) == 1
            else "are 0 for every point (dead ReLUs): their axes are flat"
        )
        self.dead_label.setText(f"{names} {what}. 'Next pair' shows other neurons.")
        self.dead_label.setVisible(True)

    def dead_neurons(self) -> tuple[int, ...]:
        """The shown neurons the view currently names as dead."""
        return self._dead_said

    # --- the learner's choices ----------------------------------------------------------
    @Slot()
    def next_pair(self) -> None:
        """The next two neurons of the layer (wrapping around), as ConvNetJS cycles them."""
        width = self._width()
        if width < 2:
            return
        a = (self.x_input.value() + 2) % width
        self.x_input.blockSignals(True)
        self.x_input.setValue(a)
        self.x_input.blockSignals(False)
        self.y_input.setValue((a + 1) % width)
        self._emit_selection()

    def _width(self) -> int:
        i = self.layer_combo.currentIndex()
        return self._sizes[i] if 0 <= i < len(self._sizes) else 0

    def _fit_neurons(self, *, reset: bool) -> None:
        width = max(self._width(), 1)
        for box, start in ((self.x_input, 0), (self.y_input, min(1, width - 1))):
            box.blockSignals(True)
            box.setRange(0, width - 1)
            if reset:
                box.setValue(start)
            box.blockSignals(False)

    @Slot(int)
    def _on_layer_changed(self, _index: int) -> None:
        self._fit_neurons(reset=True)
        self._emit_selection()

    @Slot()
    def _emit_selection(self) -> None:
        self.selection_changed.emit(self.selection())
