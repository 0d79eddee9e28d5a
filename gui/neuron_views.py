"""Neuron views: one thumbnail per hidden neuron, its activation over the input plane.

As TensorFlow Playground does: each hidden layer is a column of small images; neuron k's
image is its activation at every point of the boundary grid, blue below 0, white at 0, red
above. Hovering a thumbnail (or clicking it, to keep it) asks the window to show it large:
``activation_image`` / ``activation_rgba`` give the window the latest map of any neuron.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from gui.colors import PLOT_BACKGROUND
from gui.neuron_thumbnails import (
    CELL,
    HELP_TIP,
    MAX_SHOWN,
    SCALE_TIP,
    ThumbnailGrid,
    colour_table,
    lut_indices,
    symmetric_levels,
)

MIN_ROWS = 4
COLUMN_EXTRAS = 64  # pixels of a layer's column besides its thumbnails: title, "+N more"
LEGEND = (
    "<span style='color:#2166AC'>■</span> &lt; 0 &nbsp;"
    "<span style='color:#BBBBBB'>□</span> 0 &nbsp;"
    "<span style='color:#B2182B'>■</span> &gt; 0"
)


class NeuronViews(QWidget):
    """A column of thumbnails per hidden layer (at most ``MAX_SHOWN`` per layer).

    Signals carry (layer, neuron), both 0-based: ``layer`` indexes the hidden layers,
    ``neuron`` the layer's neurons. ``neuron_clicked`` selects the neuron (highlighted);
    clicking it again emits ``selection_cleared``. From the keyboard: the arrow keys move
    the selection (up/down within a layer, left/right across layers), Escape clears it.
    """

    neuron_hovered = Signal(int, int)
    neuron_left = Signal()
    neuron_clicked = Signal(int, int)
    selection_cleared = Signal()

    def __init__(self, parent: QWidget | None = None, *, max_shown: int = MAX_SHOWN) -> None:
        super().__init__(parent)
        self.setObjectName("neuron_views")
        self._max_shown = int(max_shown)
        self._lut = colour_table()
        self._sizes: list[int] = []
        self._grids: list[ThumbnailGrid] = []
        self._more: list[QLabel] = []
        self._maps: list[np.ndarray] | None = None
        self._dead: list[np.ndarray] = []
        self._resolution = 0
        self._selected: tuple[int, int] | None = None
        self._hovered: tuple[int, int] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        title = QLabel("<b>Neurons</b>")
        title.setToolTip(f"{SCALE_TIP}\n\n{HELP_TIP}")
        bar.addWidget(title)
        bar.addSpacing(8)
        legend = QLabel(LEGEND)
        legend.setObjectName("neuron_legend_label")
        legend.setToolTip(SCALE_TIP)
        bar.addWidget(legend)
        bar.addStretch(1)
        self.scale_checkbox = QCheckBox("one scale per layer")
        self.scale_checkbox.setObjectName("neuron_scale_checkbox")
        self.scale_checkbox.setToolTip(
            "Off: each thumbnail's colours span its own outputs (shows every neuron's "
            "pattern). On: one scale for the whole layer (shows which neurons are strong)."
        )
        self.scale_checkbox.toggled.connect(self._on_scale_toggled)
        bar.addWidget(self.scale_checkbox)
        layout.addLayout(bar)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("neuron_views_scroll")
        self.scroll.setWidgetResizable(True)
        self._content = QWidget()
        self._content.setObjectName("neuron_views_content")
        self._content.setAutoFillBackground(True)
        palette = self._content.palette()
        palette.setColor(self._content.backgroundRole(), QColor(PLOT_BACKGROUND))
        self._content.setPalette(palette)
        self._columns = QHBoxLayout(self._content)
        self._columns.setContentsMargins(6, 4, 6, 4)
        self._columns.setSpacing(14)
        self._columns.addStretch(1)
        self.empty_label = QLabel(
            "No hidden layers: the output layer reads the inputs directly, so there are no "
            "hidden neurons to show. Add a hidden layer under Network and press Reset."
        )
        self.empty_label.setObjectName("neuron_views_empty_label")
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #555;")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_label.setVisible(False)
        layout.addWidget(self.empty_label, 1)
        self.scroll.setWidget(self._content)
        layout.addWidget(self.scroll, 1)
        self.scroll.viewport().installEventFilter(self)

    # --- architecture -----------------------------------------------------------------
    def set_architecture(self, layer_sizes: Sequence[int], layer_names: Sequence[str]) -> None:
        """Build one thumbnail per hidden neuron: ``layer_sizes[l]`` neurons in hidden layer
        ``l``, titled ``layer_names[l]``. Clears the images and the selection."""
        sizes = [int(n) for n in layer_sizes]
        if len(sizes) != len(layer_names):
            raise ValueError(f"got {len(sizes)} layer sizes for {len(layer_names)} layer names")
        if any(n < 1 for n in sizes):
            raise ValueError(f"every layer needs at least one neuron, got sizes {sizes}")
        while self._columns.count() > 1:  # the last item is the stretch
            item = self._columns.takeAt(0)
            item.widget().deleteLater()
        self._sizes, self._grids, self._more = sizes, [], []
        self._maps, self._dead, self._resolution = None, [], 0
        had_selection, self._selected = self._selected is not None, None
        had_hover, self._hovered = self._hovered is not None, None
        for layer, (n, name) in enumerate(zip(sizes, layer_names, strict=True)):
            self._columns.insertWidget(layer, self._build_column(layer, n, str(name)))
        self.empty_label.setVisible(not sizes)
        self.scroll.setVisible(bool(sizes))
        self._fit_rows()
        if had_hover:
            self.neuron_left.emit()
        if had_selection:
            self.selection_cleared.emit()

    def _build_column(self, layer: int, n: int, name: str) -> QWidget:
        column = QWidget()
        column.setObjectName(f"neuron_column_{layer}")
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        text = f"<b>{html.escape(name)}</b><br><span style='color:#777'>{n} neurons</span>"
        title = QLabel(text)
        title.setObjectName(f"neuron_title_{layer}")
        box.addWidget(title)
        grid = ThumbnailGrid(layer, name, min(n, self._max_shown))
        grid.hovered.connect(self._on_hovered)
        grid.left.connect(self._on_left)
        grid.clicked.connect(self._on_clicked)
        box.addWidget(grid)
        more = QLabel(f"+{n - grid.n_shown} more")
        more.setObjectName(f"neuron_more_{layer}")
        more.setStyleSheet("color: #777;")
        more.setToolTip(
            f"Only the first {grid.n_shown} of this layer's {n} neurons are drawn, "
            "to keep the window fast."
        )
        more.setVisible(n > grid.n_shown)
        box.addWidget(more)
        box.addStretch(1)
        self._grids.append(grid)
        self._more.append(more)
        return column

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return super().eventFilter(watched, event)

    def _fit_rows(self) -> None:
        """As many thumbnails per column as fit the visible height, counted as if the
        horizontal scroll bar showed, so the layout never flips between two states."""
        bar = self.scroll.horizontalScrollBar()
        room = self.scroll.viewport().height() + (bar.height() if bar.isVisible() else 0)
        room -= bar.sizeHint().height() + COLUMN_EXTRAS
        for grid in self._grids:
            grid.set_rows(max(room // CELL, MIN_ROWS))

    # --- data -------------------------------------------------------------------------
    @Slot(object, int, object)
    def update_activations(
        self, maps: Sequence[np.ndarray], resolution: int, dead: Sequence[np.ndarray]
    ) -> None:
        """Colour the thumbnails.

        maps : one array per hidden layer, shape (resolution**2, n_neurons): the layer's
            activations on the boundary grid (row i * resolution + j is (xs[j], ys[i])), or
            shape (resolution, n_neurons) for 1-D inputs (drawn as curves). Kept, not copied.
        dead : one bool array per hidden layer, shape (n_neurons,): dead ReLU units.
        Arrays that no longer fit the architecture (a snapshot from before a Reset) are
        ignored.
        """
        res = int(resolution)
        if not self._fits(maps, res, dead):
            return
        self._maps, self._resolution = list(maps), res
        self._dead = [np.asarray(d, dtype=bool) for d in dead]
        self._recolour()

    def _fits(self, maps: Sequence[np.ndarray], res: int, dead: Sequence[np.ndarray]) -> bool:
        shapes = [np.shape(m) for m in maps]
        images = [(res * res, n) for n in self._sizes]
        curves = [(res, n) for n in self._sizes]
        return shapes in (images, curves) and [np.shape(d) for d in dead] == [
            (n,) for n in self._sizes
        ]

    def _recolour(self) -> None:
        if self._maps is None:
            return
        per_layer = self.scale_checkbox.isChecked()
        for grid, m, dead in zip(self._grids, self._maps, self._dead, strict=True):
            level = float(max(m.max(), -m.min())) if per_layer and m.size else None
            grid.draw(m, dead, self._resolution, self._lut, level)

    @Slot(bool)
    def _on_scale_toggled(self, _checked: bool) -> None:
        self._recolour()

    @Slot()
    def clear(self) -> None:
        """Forget the activations (thumbnails go blank); the architecture stays."""
        self._maps, self._dead, self._resolution = None, [], 0
        for grid in self._grids:
            grid.clear()

    # --- queries ----------------------------------------------------------------------
    @property
    def layer_sizes(self) -> list[int]:
        return list(self._sizes)

    @property
    def resolution(self) -> int:
        """The side of the latest activation maps (0 before the first update)."""
        return self._resolution

    @property
    def thumbnail_count(self) -> int:
        return sum(g.n_shown for g in self._grids)

    def shown_count(self, layer: int) -> int:
        return self._grids[layer].n_shown

    def more_label(self, layer: int) -> QLabel:
        return self._more[layer]

    def grid(self, layer: int) -> ThumbnailGrid:
        return self._grids[layer]

    def thumbnail_center(self, layer: int, neuron: int) -> QPoint:
        """Centre of a thumbnail in the coordinates of ``grid(layer)`` (for tests)."""
        return self._grids[layer].cell_rect(neuron).center()

    def thumbnail_image(self, layer: int, neuron: int) -> QImage:
        return self._grids[layer].images[neuron]

    def is_marked_dead(self, layer: int, neuron: int) -> bool:
        grid = self._grids[layer]
        return neuron < grid.n_shown and bool(grid.dead[neuron])

    @property
    def selected(self) -> tuple[int, int] | None:
        """The clicked (highlighted) neuron as (layer, neuron), or None."""
        return self._selected

    @property
    def hovered(self) -> tuple[int, int] | None:
        """The neuron under the mouse as (layer, neuron), or None."""
        return self._hovered

    def activation_image(self, layer: int, neuron: int) -> np.ndarray:
        """The latest activation of one neuron over the grid: shape (res, res), row i is
        ys[i] (as ``BoundaryPlot`` draws its image), or (res,) for 1-D inputs."""
        if self._maps is None:
            raise RuntimeError("no activations yet: call update_activations first")
        self._check(layer, neuron)
        column = self._maps[layer][:, neuron]
        res = self._resolution
        return column.reshape(res, res) if column.size == res * res else column.copy()

    def activation_rgba(self, layer: int, neuron: int) -> np.ndarray:
        """``activation_image`` coloured as its thumbnail: shape (res, res, 4) uint8 RGBA,
        row i is ys[i], ready for ``ImageItem.setImage`` over the boundary grid."""
        image = self.activation_image(layer, neuron)
        if image.ndim != 2:
            raise ValueError("1-D inputs have no activation image, only a curve")
        levels = self._grids[layer].levels
        if neuron < len(levels):
            level = levels[neuron : neuron + 1]
        elif self.scale_checkbox.isChecked():
            level = levels[:1]
        else:
            level = symmetric_levels(image.reshape(1, -1))
        values = image.astype(np.float32).reshape(1, -1)
        words = self._lut[lut_indices(values, level)].reshape(image.shape)
        rgba = np.empty((*image.shape, 4), dtype=np.uint8)
        for channel, shift in enumerate((16, 8, 0, 24)):
            rgba[..., channel] = (words >> shift) & 0xFF
        return rgba

    def _check(self, layer: int, neuron: int) -> None:
        if not 0 <= layer < len(self._sizes):
            raise IndexError(f"layer must be in 0..{len(self._sizes) - 1}, got {layer}")
        if not 0 <= neuron < self._sizes[layer]:
            raise IndexError(f"neuron must be in 0..{self._sizes[layer] - 1}, got {neuron}")

    # --- selection --------------------------------------------------------------------
    def set_selected(self, layer: int, neuron: int) -> None:
        """Highlight one thumbnail (no signal)."""
        self._check(layer, neuron)
        self._highlight((layer, neuron))

    def clear_selection(self) -> None:
        """Remove the highlight (no signal)."""
        self._highlight(None)

    def _highlight(self, target: tuple[int, int] | None) -> None:
        self._selected = target
        for grid in self._grids:
            grid.selected = target[1] if target and target[0] == grid.layer else None
            grid.update()

    @Slot(int, int)
    def _on_hovered(self, layer: int, neuron: int) -> None:
        self._hovered = (layer, neuron)
        self.neuron_hovered.emit(layer, neuron)

    @Slot()
    def _on_left(self) -> None:
        self._hovered = None
        self.neuron_left.emit()

    @Slot(int, int)
    def _on_clicked(self, layer: int, neuron: int) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)  # the arrow keys go on from here
        if self._selected == (layer, neuron):
            self._highlight(None)
            self.selection_cleared.emit()
        else:
            self._highlight((layer, neuron))
            self.neuron_clicked.emit(layer, neuron)

    def keyPressEvent(self, event) -> None:
        moves = {
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
        }
        key = event.key()
        if key == Qt.Key.Key_Escape and self._selected is not None:
            self._highlight(None)
            self.selection_cleared.emit()
        elif key in moves and self._grids:
            target = (0, 0)  # the first arrow press selects the first neuron
            if self._selected is not None:
                d_layer, d_neuron = moves[key]
                layer = min(max(self._selected[0] + d_layer, 0), len(self._grids) - 1)
                last = self._grids[layer].n_shown - 1
                target = (layer, min(max(self._selected[1] + d_neuron, 0), last))
            if target != self._selected:
                self._highlight(target)
                self.neuron_clicked.emit(*target)
        else:
            super().keyPressEvent(event)
            return
        event.accept()
