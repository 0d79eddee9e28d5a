"""The gradient inspector: how the gradients flow through every Dense layer, live.

``GradientPanel`` only draws: the window hands it copies of ``EpochStats`` and of the
weights and dweights (at the inspector throttle, ~5 Hz), and runs the numerical gradient
check in the worker when the panel asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Signal, Slot

from gui.colors import PLOT_BACKGROUND, darker
from gui.help import INSPECTOR_HELP
from gui.inspector_distributions import DistributionView
from gui.inspector_gradcheck import GradCheckView
from gui.inspector_heatmaps import DWEIGHTS_TIP, WEIGHTS_TIP, Heatmap, MatrixImage
from gui.inspector_rows import (
    DBIASES_COLOR,
    DEAD_COLOR,
    DEAD_TIP,
    DWEIGHTS_COLOR,
    HISTOGRAM_COLOR,
    HISTOGRAM_TIP,
    NORMS_TIP,
    RATIO_COLOR,
    RATIO_TIP,
    REFERENCE_COLOR,
    LayerRow,
)
from gui.live_items import ClippedLabel
from gui.metrics import LayerRows
from gui.plot_base import LiveLayoutWidget

#: Pixel height of one layer's row of plots (label included) and of the column headers.
ROW_HEIGHT = 130
HEADER_HEIGHT = 22


def _header(text: str, color: str) -> str:
    return f"<span style='color:{darker(color, 0.8)}'>{text}</span>"


class GradientPanel(QtWidgets.QWidget):
    """Live gradient statistics per Dense layer, heatmaps, and the gradient check."""

    #: The user pressed "Check gradients"; the window runs the check in the worker.
    gradcheck_requested = Signal()
    #: The layer shown in the heatmaps changed (index into the Dense layers).
    layer_selected = Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, capacity: int = 1000) -> None:
        super().__init__(parent)
        self.setObjectName("gradient_panel")
        self._capacity = capacity
        self._rows: list[LayerRow] = []
        self._latest: dict[int, object] = {}  # row -> its latest LayerStats, to draw later
        self._selected = 0
        self._shown_key: tuple | None = None  # what _rows_in_view's answer was found for
        self._shown: set[int] = set()
        self._weights: tuple[np.ndarray, ...] | None = None
        self._dweights: tuple[np.ndarray, ...] | None = None

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self._build_top_bar())

        self.help_label = QtWidgets.QLabel(INSPECTOR_HELP)
        self.help_label.setObjectName("inspector_help_label")
        self.help_label.setWordWrap(True)
        self.help_label.setVisible(False)
        layout.addWidget(self.help_label)
        self.help_button.toggled.connect(self.help_label.setVisible)

        self.gradcheck_view = GradCheckView()
        layout.addWidget(self.gradcheck_view)

        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_rows_view())
        splitter.addWidget(self._build_heatmaps())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([HEADER_HEIGHT + 3 * ROW_HEIGHT, 180])
        layout.addWidget(splitter, 1)

    # ----------------------------------------------------------------- construction
    def _build_top_bar(self) -> QtWidgets.QHBoxLayout:
        bar = QtWidgets.QHBoxLayout()
        title = QtWidgets.QLabel("<b>Gradient inspector</b>")
        title.setToolTip("How the gradients flow backwards through each Dense layer.")
        title.setMinimumWidth(1)  # the dock's title says it too: narrow, the buttons keep room
        bar.addWidget(title)
        bar.addStretch(1)
        self.help_button = QtWidgets.QToolButton()
        self.help_button.setObjectName("inspector_help_button")
        self.help_button.setText("What am I looking at?")
        self.help_button.setCheckable(True)
        self.help_button.setToolTip("Show or hide a short explanation of each view.")
        bar.addWidget(self.help_button)
        self.gradcheck_button = QtWidgets.QPushButton("Check gradients")
        self.gradcheck_button.setObjectName("gradcheck_button")
        self.gradcheck_button.setToolTip(
            "Compare backpropagation's dweights and dbiases with numerical gradients "
            "(central differences of the loss, float64) on the current weights. "
            "A relative error below 1e-6 passes."
        )
        self.gradcheck_button.clicked.connect(self.gradcheck_requested)
        bar.addWidget(self.gradcheck_button)
        return bar

    def _build_rows_view(self) -> QtWidgets.QScrollArea:
        self.rows_view = LiveLayoutWidget()
        self.rows_view.setBackground(PLOT_BACKGROUND)
        self.rows_view.setObjectName("inspector_rows_view")
        self.rows_view.ci.setContentsMargins(2, 2, 2, 2)
        self.rows_view.ci.setSpacing(2)
        self.rows_view.scene().sigMouseClicked.connect(self._on_rows_clicked)
        self.rows_view.setToolTip("Click a row to show that layer in the heatmaps.")
        self.rows_scroll = QtWidgets.QScrollArea()
        self.rows_scroll.setObjectName("inspector_rows_scroll")
        self.rows_scroll.setWidgetResizable(True)
        self.rows_scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rows_scroll.setWidget(self.rows_view)
        self.rows_scroll.verticalScrollBar().valueChanged.connect(self._draw_scrolled_in)
        self._add_headers()
        return self.rows_scroll

    def _add_headers(self) -> None:
        ci = self.rows_view.ci
        headers = (
            (
                _header("‖dweights‖", DWEIGHTS_COLOR) + " " + _header("‖dbiases‖", DBIASES_COLOR),
                NORMS_TIP,
            ),
            (
                _header("update ratio", RATIO_COLOR) + _header(" vs 1e-3", REFERENCE_COLOR),
                RATIO_TIP,
            ),
            (_header("dead ReLUs", DEAD_COLOR), DEAD_TIP),
            (_header("dweights histogram", HISTOGRAM_COLOR), HISTOGRAM_TIP),
        )
        for col, (text, tip) in enumerate(headers):
            label = ClippedLabel(text, size="9pt")
            ci.addItem(label, row=0, col=col)
            label.setToolTip(tip)
            label.setMaximumHeight(HEADER_HEIGHT)
            # Equal columns, whatever the length of the header or of the row labels; on a
            # narrow screen a header is cut at its column's edge (its tooltip says it all)
            # rather than widen the rows past the view, which cut off the last column.
            label.setSizePolicy(
                QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed
            )
            ci.layout.setColumnStretchFactor(col, 1)

    def _build_heatmaps(self) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        box_layout = QtWidgets.QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        chooser = QtWidgets.QHBoxLayout()
        chooser_label = QtWidgets.QLabel("Layer:")
        chooser.addWidget(chooser_label)
        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setObjectName("inspector_layer_combo")
        self.layer_combo.setToolTip(
            "The Dense layer whose dweights and weights are drawn below, as heatmaps or as "
            "distributions over time (or click its row above)."
        )
        self.layer_combo.currentIndexChanged.connect(self._on_combo_changed)
        chooser_label.setBuddy(self.layer_combo)
        chooser.addWidget(self.layer_combo, 1)
        box_layout.addLayout(chooser)
        self.heatmap_view = LiveLayoutWidget()
        self.heatmap_view.setBackground(PLOT_BACKGROUND)
        self.heatmap_view.setObjectName("inspector_heatmap_view")
        self.heatmap_view.setMinimumHeight(180)
        self.dweights_map = Heatmap(self.heatmap_view.ci, 0, "dweights", DWEIGHTS_TIP)
        self.weights_map = Heatmap(self.heatmap_view.ci, 1, "weights", WEIGHTS_TIP)
        self.distribution_view = DistributionView(capacity=self._capacity)
        self.views = QtWidgets.QTabWidget()
        self.views.setObjectName("inspector_views_tabs")
        self.views.setDocumentMode(True)
        self.views.addTab(self.heatmap_view, "Heatmaps")
        self.views.addTab(self.distribution_view, "Distributions")
        self.views.setTabToolTip(0, "The selected layer's dweights and weights, now.")
        self.views.setTabToolTip(
            1, "The selected layer's weights and dweights over the epochs, as TensorBoard's "
            "distributions: shaded percentile bands around the median."
        )  # fmt: skip
        self.views.currentChanged.connect(self._draw_heatmaps)
        box_layout.addWidget(self.views, 1)
        return box

    # ----------------------------------------------------------------- public API
    @property
    def rows(self) -> tuple[LayerRow, ...]:
        return tuple(self._rows)

    @property
    def dweights_image(self) -> MatrixImage:
        return self.dweights_map.image

    @property
    def weights_image(self) -> MatrixImage:
        return self.weights_map.image

    def row_count(self) -> int:
        return len(self._rows)

    def row_label(self, index: int) -> str:
        """The plain text of a row's label, e.g. ``"Dense 1 (2→64)  dweights 1.2e-02 ..."``."""
        return self._rows[index].label_text()

    def selected_layer(self) -> int:
        return self._selected

    def set_layers(self, names: Sequence[str], has_relu: Sequence[bool]) -> None:
        """One row per Dense layer; ``has_relu[i]``: a ReLU follows layer i. Clears history.

        The plot items are reused when the number of layers is unchanged.
        """
        if len(names) != len(has_relu):
            raise ValueError(
                f"set_layers needs one has_relu flag per layer name, got {len(names)} "
                f"names and {len(has_relu)} flags"
            )
        if len(names) != len(self._rows):
            ci = self.rows_view.ci
            ci.clear()
            self._add_headers()
            self._rows = [LayerRow(ci, 1 + 2 * i, self._capacity) for i in range(len(names))]
            self.rows_view.setMinimumHeight(HEADER_HEIGHT + ROW_HEIGHT * len(names))
            # With the header alone the layout shrank to the header's height; a view whose
            # size does not change would not stretch it again.
            ci.setGeometry(QtCore.QRectF(self.rows_view.rect()))
        self._latest.clear()
        self.distribution_view.forget()
        for row, name, relu in zip(self._rows, names, has_relu, strict=True):
            row.configure(str(name), bool(relu))
            row.show_epoch_axis(row is self._rows[-1])
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems([str(name) for name in names])
        self.layer_combo.blockSignals(False)
        self._weights = self._dweights = None
        self._select(min(self._selected, max(len(names) - 1, 0)), force=True)
        self.gradcheck_view.clear()

    @Slot(object, object, object)
    def update_stats(
        self,
        stats,
        weights: tuple[np.ndarray, ...] | None = None,
        dweights: tuple[np.ndarray, ...] | None = None,
        layer_rows: np.ndarray | None = None,
    ) -> None:
        """Append ``stats`` (an ``EpochStats`` with ``layers``) and redraw; arrays are copies.

        weights, dweights : one array per Dense layer, shape (n_inputs, n_neurons).
        layer_rows : the layers' numbers of earlier epochs since the last call
            (``gui.metrics.LayerRows.take``), drawn before ``stats``; rows not after the
            last epoch shown or not before ``stats`` are left out.
        """
        layers = stats.layers
        if not layers:  # no step yet (a new run): its weights, nothing else, can be shown
            if weights is not None:
                self._weights, self._dweights = weights, None
                self._draw_heatmaps()
            return
        if len(layers) != len(self._rows) or any(
            row.name != layer.name for row, layer in zip(self._rows, layers, strict=True)
        ):
            self.set_layers(
                [layer.name for layer in layers],
                [layer.dead_fraction is not None for layer in layers],
            )
        last = self._rows[0].last_epoch
        if last is not None and stats.epoch < last:  # a new run that was not cleared
            for row in self._rows:
                row.clear()
            self.distribution_view.forget()
            last = None
        earlier = _rows_between(layer_rows, last, stats.epoch, len(layers))
        shown = self._rows_in_view()
        for i, (row, layer) in enumerate(zip(self._rows, layers, strict=True)):
            if last is None or stats.epoch > last:  # the same epoch twice is drawn once
                if earlier is not None:
                    per = LayerRows.PER_LAYER
                    row.extend_scalars(earlier[:, 0], earlier[:, 1 + per * i : 1 + per * (i + 1)])
                row.record(stats.epoch, layer)
                if i == 0:
                    self.distribution_view.record(stats.epoch, layers)
            self._latest[i] = layer
            if i in shown:
                row.draw(layer)
            else:
                row.show_values()  # the label stays current; the plots wait
        self._weights, self._dweights = weights, dweights
        self._draw_heatmaps()

    def _rows_in_view(self) -> set[int]:
        """Indices of the rows the scroll area shows (all of them while the panel is hidden).

        Rows scrolled out of view keep recording (and their labels stay current) but their
        plots are drawn only when scrolled back in. The answer is kept until the scroll
        position, the viewport's height, the rows view's size or the rows change.
        """
        if not self.rows_view.isVisible():
            return set(range(len(self._rows)))
        viewport = self.rows_scroll.viewport()
        key = (
            self.rows_scroll.verticalScrollBar().value(),
            viewport.height(),
            self.rows_view.size(),
            tuple(map(id, self._rows)),
        )
        if key == self._shown_key:
            return self._shown
        top = self.rows_view.mapFrom(viewport, QtCore.QPoint(0, 0)).y()
        bottom = top + viewport.height()
        shown = set()
        for i, row in enumerate(self._rows):
            rect = self.rows_view.mapFromScene(row.scene_rect()).boundingRect()
            if rect.bottom() >= top and rect.top() <= bottom:
                shown.add(i)
        self._shown_key, self._shown = key, shown
        return shown

    @Slot()
    def _draw_scrolled_in(self) -> None:
        for i in self._rows_in_view():
            layer = self._latest.get(i)
            if layer is not None and self._rows[i].last_epoch is not None:
                self._rows[i].draw(layer)

    @Slot()
    def clear(self) -> None:
        """Forget every history, histogram, heatmap and gradient-check result."""
        self._latest.clear()
        for row in self._rows:
            row.clear()
        self.distribution_view.forget()
        self._weights = self._dweights = None
        self._draw_heatmaps()
        self.gradcheck_view.clear()

    @Slot(int)
    def select_layer(self, index: int) -> None:
        """Show Dense layer ``index`` in the heatmaps."""
        if not 0 <= index < len(self._rows):
            raise ValueError(f"layer index must lie in 0..{len(self._rows) - 1}, got {index}")
        self._select(index)

    @Slot(bool)
    def set_gradcheck_busy(self, busy: bool) -> None:
        """While the worker checks gradients: button disabled, "checking…" shown."""
        self.gradcheck_button.setEnabled(not busy)
        self.gradcheck_button.setText("checking…" if busy else "Check gradients")

    @Slot(object)
    def show_gradcheck(self, result) -> None:
        """Show a ``GradCheckResult``: per layer its relative error, green pass / red fail."""
        self.gradcheck_view.show_result(result)

    @property
    def gradcheck_labels(self) -> list[QtWidgets.QLabel]:
        """The per-layer error labels of the last check (``status`` "pass" or "fail")."""
        return self.gradcheck_view.error_labels

    # ----------------------------------------------------------------- internals
    def _select(self, index: int, *, force: bool = False) -> None:
        changed = index != self._selected
        self._selected = index
        for i, row in enumerate(self._rows):
            row.set_selected(i == index)
        if self.layer_combo.currentIndex() != index and index < self.layer_combo.count():
            self.layer_combo.blockSignals(True)
            self.layer_combo.setCurrentIndex(index)
            self.layer_combo.blockSignals(False)
        if changed or force:
            self._draw_heatmaps()
            if changed:
                self.layer_selected.emit(index)

    @Slot(int)
    def _on_combo_changed(self, index: int) -> None:
        if index >= 0:
            self._select(index)

    @Slot(object)
    def _on_rows_clicked(self, event) -> None:
        pos = event.scenePos()
        for i, row in enumerate(self._rows):
            if any(item.sceneBoundingRect().contains(pos) for item in row.items):
                self._select(i)
                return

    @Slot()
    def _draw_heatmaps(self) -> None:
        """Draw the selected layer in the tab on show: heatmaps, or its distributions."""
        i = self._selected
        name = self._rows[i].name if i < len(self._rows) else ""
        if self.views.currentWidget() is self.distribution_view:
            self.distribution_view.show_layer(i, name)
            return
        self.dweights_map.set_title(f"dweights of {name}" if name else "dweights")
        self.weights_map.set_title(f"weights of {name}" if name else "weights")
        weights = _pick(self._weights, i)
        self.dweights_map.show(_pick(self._dweights, i), None if weights is None else weights.shape)
        self.weights_map.show(weights)


def _pick(arrays: tuple[np.ndarray, ...] | None, index: int) -> np.ndarray | None:
    if arrays is None or index >= len(arrays):
        return None
    return np.asarray(arrays[index])


def _rows_between(
    table: np.ndarray | None, after: float | None, before: float, n_layers: int
) -> np.ndarray | None:
    """The rows of a ``LayerRows`` table for ``n_layers`` layers with ``after < epoch <
    before`` (``after`` None: no lower bound); None when there are none."""
    if table is None or not len(table) or table.shape[1] != 1 + LayerRows.PER_LAYER * n_layers:
        return None
    epochs = table[:, 0]
    keep = epochs < before
    if after is not None:
        keep &= epochs > after
    kept = table[keep]
    return kept if len(kept) else None
