"""The thumbnails of one hidden layer, and how activations become their colours.

A ``ThumbnailGrid`` paints a layer's thumbnails from ``uint32`` buffers that its
``QImage``s share: an update writes the buffers with numpy (one colour lookup for the whole
layer) and asks for one repaint, so nothing is built per update.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from gui.colors import MISCLASSIFIED_COLOR, PLOT_BACKGROUND, PLOT_FOREGROUND, diverging_colormap

MAX_SHOWN = 32  # thumbnails drawn per layer; the rest are summed up as "+N more"
THUMB = 48  # thumbnail side on screen, pixels
GAP = 6
CELL = THUMB + GAP
DEAD_COLOR = MISCLASSIFIED_COLOR
SELECTED_COLOR = PLOT_FOREGROUND
HOVER_COLOR = "#0072B2"
FRAME_COLOR = "#C8C8C8"
LUT_SIZE = 255  # odd, so that 0 falls exactly on the white middle entry
LUT_MID = (LUT_SIZE - 1) // 2

SCALE_TIP = (
    "Each thumbnail is one hidden neuron's output at every point of the input plane (the "
    "same area as the decision boundary). White = 0, red = positive, blue = negative.\n"
    "Colours are scaled per neuron: the deepest colour is that neuron's own largest |output|, "
    "so every neuron shows its pattern however small its outputs. Tick 'one scale per "
    "layer' to compare the neurons of a layer by strength instead."
)
DEAD_TIP = (
    "Dead ReLU: this neuron outputs 0 for every input, because its weighted sum w·x + b is "
    "negative everywhere.\nReLU's derivative is 0 there, so backpropagation sends no "
    "gradient to its weights and bias: gradient descent can never move it back, and it "
    "stays dead for the rest of training. Common causes: a learning rate too high, or a "
    "large negative bias. He initialisation and a lower learning rate help."
)
HELP_TIP = "Hover a neuron to see it large in the decision-boundary plot; click to keep it."

# Built once: a repaint of 64 thumbnails built them afresh for every thumbnail.
_FRAME_PENS = {
    (color, width): QPen(QColor(color), width)
    for color, width in ((SELECTED_COLOR, 3), (HOVER_COLOR, 2), (DEAD_COLOR, 2), (FRAME_COLOR, 1))
}
_AXIS_PEN = QPen(QColor(FRAME_COLOR), 1)
_BACKGROUND = QColor(PLOT_BACKGROUND)
_DEAD_VEIL = QColor(225, 225, 225, 215)
_DEAD_TEXT = QColor(DEAD_COLOR)


def colour_table() -> np.ndarray:
    """The diverging map as ``0xFFRRGGBB`` words (QImage.Format_RGB32), shape (255,)."""
    rgb = diverging_colormap().getLookupTable(0.0, 1.0, LUT_SIZE, alpha=False).astype(np.uint32)
    return np.uint32(0xFF000000) | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]


def symmetric_levels(values: np.ndarray) -> np.ndarray:
    """The colour-scale limit of each neuron: its largest |activation|, 1 where that is 0
    (a neuron silent everywhere). ``values`` shape (n_neurons, n_points) -> (n_neurons,)."""
    if values.shape[1] == 0:
        return np.ones(values.shape[0], dtype=np.float32)
    level = np.maximum(values.max(axis=1), -values.min(axis=1)).astype(np.float32)
    level[~(level > 0)] = 1.0
    return level


def lut_indices(
    values: np.ndarray, levels: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Entries of the colour table, shape (n_neurons, n_points), for ``values`` of that
    shape (float32, overwritten) scaled so that ``-level..level`` spans the table.

    Written into ``out`` (uint8, the same shape) when given: the table has 255 entries, and
    reusing one small buffer spares the 8-byte index array a fresh allocation at every
    update (measured with the layer's other steps, 64 neurons on 48 x 48: 2.2 -> 0.4 ms).
    """
    values *= np.float32(LUT_MID) / levels[:, None]
    values += np.float32(LUT_MID)
    if not np.isfinite(values).all():  # rare (the worker sends finite maps): skip the pass
        np.nan_to_num(values, copy=False, nan=LUT_MID, posinf=LUT_SIZE - 1, neginf=0)
    np.clip(values, 0, LUT_SIZE - 1, out=values)
    np.rint(values, out=values)
    if out is None:
        return values.astype(np.intp)
    np.copyto(out, values, casting="unsafe")
    return out


def bars(idx: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """1-D inputs: per neuron a bar chart over x, from 0 (the middle row) to the value, in
    the value's colour. ``idx`` shape (n, res) from ``lut_indices``; returns (n, res, res)."""
    res = idx.shape[1]
    # The table entry at the centre of each pixel row, largest at the top.
    row_value = (LUT_SIZE - 1) * (1.0 - (np.arange(res) + 0.5) / res)
    v = idx[:, None, :]
    r = row_value[None, :, None]
    filled = ((r >= LUT_MID) & (r <= v)) | ((r <= LUT_MID) & (r >= v))
    return np.where(filled, lut[idx][:, None, :], lut[LUT_MID])


class ThumbnailGrid(QWidget):
    """One hidden layer's thumbnails, painted in columns of ``rows`` (neuron order runs
    down, then right). Emits the layer index with every neuron index."""

    hovered = Signal(int, int)
    left = Signal()
    clicked = Signal(int, int)

    def __init__(self, layer: int, name: str, n_shown: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"neuron_grid_{layer}")
        self.setMouseTracking(True)
        self.layer, self.name, self.n_shown = layer, name, n_shown
        self.rows = max(n_shown, 1)
        self.hover: int | None = None
        self.selected: int | None = None
        self.dead = np.zeros(n_shown, dtype=bool)
        self.levels = np.ones(n_shown, dtype=np.float32)
        self.per_layer = False  # the colours of all thumbnails share one scale
        self.curves = False  # 1-D inputs: each thumbnail is a curve, not an image
        self.buffer = np.zeros((n_shown, 1, 1), dtype=np.uint32)
        self.images: list[QImage] = []
        # Scratch arrays of ``draw``, kept between updates (neuron-major values, indices).
        self._values = np.zeros((0, 0), dtype=np.float32)
        self._indices = np.zeros((0, 0), dtype=np.uint8)
        # Thumbnails of THUMB pixels also copied, in their places, into one image of the
        # whole widget: a repaint is one drawImage, and the frames come from a cached image.
        self._atlas: np.ndarray | None = None
        self._atlas_image: QImage | None = None
        self._frames: QImage | None = None
        self._frames_key: tuple | None = None
        self.set_rows(self.rows)

    def set_rows(self, max_rows: int) -> None:
        """Lay the thumbnails out in as few columns of at most ``max_rows`` as possible,
        balanced (8 neurons and room for 7 make two columns of 4, not 7 + 1)."""
        n = max(self.n_shown, 1)
        cols = math.ceil(n / max(1, int(max_rows)))
        self.rows = math.ceil(n / cols)
        self.setFixedSize(cols * CELL, min(self.n_shown, self.rows) * CELL)
        if self._atlas is not None:
            self._fill_atlas()
        self.update()

    def resize_buffer(self, resolution: int) -> None:
        """(Re)allocate the pixel buffers for ``resolution`` x ``resolution`` images."""
        if self.buffer.shape[1:] == (resolution, resolution):
            return
        self.buffer = np.zeros((self.n_shown, resolution, resolution), dtype=np.uint32)
        fmt = QImage.Format.Format_RGB32
        self.images = [
            QImage(b.data, resolution, resolution, resolution * 4, fmt) for b in self.buffer
        ]

    def draw(
        self,
        maps: np.ndarray,
        dead: np.ndarray,
        res: int,
        lut: np.ndarray,
        layer_level: float | None = None,
    ) -> None:
        """Colour the thumbnails from the layer's ``maps``, shape (res * res, n_neurons) on
        the boundary grid or (res, n_neurons) for 1-D inputs; ``dead`` shape (n_neurons,);
        ``lut`` is ``colour_table()``. Colours span each neuron's largest |output|, or
        ``layer_level`` for all. Only the first ``n_shown`` neurons are drawn."""
        k = self.n_shown
        self.resize_buffer(res)
        # Neuron-major and contiguous, so the lookup runs on rows; into arrays kept from
        # the last update (fresh ones of ~1 MB cost more than the work).
        if self._values.shape != (k, maps.shape[0]):
            self._values = np.empty((k, maps.shape[0]), dtype=np.float32)
            self._indices = np.empty((k, maps.shape[0]), dtype=np.uint8)
        values = self._values
        np.copyto(values, maps[:, :k].T, casting="unsafe")
        self.per_layer = layer_level is not None
        self.dead = np.array(dead[:k], dtype=bool)
        self.curves = maps.shape[0] != res * res
        if layer_level is None:
            self.levels = symmetric_levels(values)
        else:
            self.levels = np.full(k, layer_level if layer_level > 0 else 1.0, np.float32)
        if layer_level is None and np.isfinite(self.levels).all():
            idx = self._scaled_indices()
        else:  # one scale for the layer, or NaN / infinite values: the general path
            idx = lut_indices(values, self.levels, out=self._indices)
        if self.curves:
            self.buffer[...] = bars(idx, lut)
        else:  # image row 0 is the top of the plane: the largest y, ys[-1]
            np.take(lut, idx.reshape(k, res, res)[:, ::-1, :], out=self.buffer, mode="clip")
        if self.curves or res != THUMB:
            self._atlas = self._atlas_image = None
        else:
            self._fill_atlas()
        self.update()

    def _fill_atlas(self) -> None:
        """Copy the thumbnails into the widget-sized image, each at its ``cell_rect``
        (column-major cells), with the background between them."""
        k, rows = self.n_shown, self.rows
        cols = math.ceil(k / rows)
        shape = (rows * CELL, cols * CELL)
        if self._atlas is None or self._atlas.shape != shape:
            self._atlas = np.full(shape, _BACKGROUND.rgb(), dtype=np.uint32)
            self._atlas_image = QImage(
                self._atlas.data, shape[1], shape[0], shape[1] * 4, QImage.Format.Format_RGB32
            )
        o = GAP // 2
        cells = self._atlas.reshape(rows, CELL, cols, CELL).transpose(2, 0, 1, 3)
        cells = cells[:, :, o : o + THUMB, o : o + THUMB]  # (cols, rows, THUMB, THUMB)
        full, rest = divmod(k, rows)
        if full:
            np.copyto(cells[:full], self.buffer[: full * rows].reshape(full, rows, THUMB, THUMB))
        if rest:
            np.copyto(cells[full, :rest], self.buffer[full * rows :])

    def _scaled_indices(self) -> np.ndarray:
        """``lut_indices`` of ``_values`` for their own (finite) levels, in three numpy calls
        instead of seven: every |value| is at most its level, so no clipping, and a NaN or
        an infinity would have made its level non-finite. The same float32 operations in
        the same order, so the same entries."""
        values = self._values
        values *= np.float32(LUT_MID) / self.levels[:, None]
        values += np.float32(LUT_MID)
        np.rint(values, out=self._indices, casting="unsafe")  # rounded, then cast
        return self._indices

    def clear(self) -> None:
        self.images = []
        self._atlas = self._atlas_image = None
        self.buffer = np.zeros((self.n_shown, 1, 1), dtype=np.uint32)
        self.dead = np.zeros(self.n_shown, dtype=bool)
        self.update()

    def cell_rect(self, k: int) -> QRect:
        """Where neuron ``k``'s thumbnail is drawn, in this widget's coordinates."""
        col, row = divmod(k, self.rows)
        return QRect(col * CELL + GAP // 2, row * CELL + GAP // 2, THUMB, THUMB)

    def neuron_at(self, pos: QPoint) -> int | None:
        col, row = pos.x() // CELL, pos.y() // CELL
        k = col * self.rows + row
        if 0 <= row < self.rows and 0 <= k < self.n_shown and self.cell_rect(k).contains(pos):
            return k
        return None

    # --- painting -------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        exposed = event.rect()
        if self._atlas_image is None or self.devicePixelRatioF() != 1.0:
            # Scaled: smoothly. Unscaled, the hint only costs (~0.1 ms for 32 thumbnails).
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        if self._atlas_image is not None:  # no Python per thumbnail
            painter.drawImage(exposed, self._atlas_image, exposed)
            if self.dead.any():
                cells = [(k, self.cell_rect(k)) for k in np.flatnonzero(self.dead)]
                self._paint_dead(painter, [(k, r) for k, r in cells if r.intersects(exposed)])
            painter.drawImage(0, 0, self._frames_image())
            painter.end()
            return
        cells = [(k, self.cell_rect(k)) for k in range(self.n_shown)]
        cells = [(k, rect) for k, rect in cells if rect.intersects(exposed)]
        images = self.images
        for k, rect in cells:
            if k < len(images):
                painter.drawImage(rect, images[k])
            else:
                painter.fillRect(rect, _BACKGROUND)
        if self.curves:
            painter.setPen(_AXIS_PEN)
            for _, rect in cells:
                mid = rect.top() + THUMB // 2
                painter.drawLine(rect.left(), mid, rect.right(), mid)
        self._paint_dead(painter, [(k, rect) for k, rect in cells if self.dead[k]])
        self._paint_frames(painter, cells)
        painter.end()

    def _paint_dead(self, painter: QPainter, marked: list[tuple[int, QRect]]) -> None:
        if not marked:
            return
        font = QFont(self.font())
        font.setPointSize(8)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(_DEAD_TEXT)
        for _, rect in marked:
            painter.fillRect(rect, _DEAD_VEIL)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "dead")

    def _paint_frames(self, painter: QPainter, cells: list[tuple[int, QRect]]) -> None:
        """Frames last, the plain ones in one call (most thumbnails: ~1 ms of Python saved
        per repaint of 64 thumbnails, each repaint holding the GIL the training needs)."""
        painter.setBrush(Qt.BrushStyle.NoBrush)
        dead = self.dead
        special = {self.selected, self.hover}
        plain = [rect for k, rect in cells if k not in special and not dead[k]]
        if plain:
            painter.setPen(_FRAME_PENS[FRAME_COLOR, 1])
            painter.drawRects(plain)
        for k, rect in cells:
            if k in special or dead[k]:
                self._frame(painter, k, rect)

    def _frames_image(self) -> QImage:
        """Every frame, opaque, on a transparent image of the widget (drawn again only when
        the layout, the selection, the hovered neuron or the dead ones change)."""
        dpr = self.devicePixelRatioF()
        key = (self.width(), self.height(), dpr, self.rows, self.selected, self.hover)
        key += (self.dead.tobytes(),)
        if key != self._frames_key:
            w, h = round(self.width() * dpr), round(self.height() * dpr)
            image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            self._paint_frames(painter, [(k, self.cell_rect(k)) for k in range(self.n_shown)])
            painter.end()
            self._frames, self._frames_key = image, key
        return self._frames

    def _frame(self, painter: QPainter, k: int, rect: QRect) -> None:
        if k == self.selected:
            color, width = SELECTED_COLOR, 3
        elif k == self.hover:
            color, width = HOVER_COLOR, 2
        elif self.dead[k]:
            color, width = DEAD_COLOR, 2
        else:
            color, width = FRAME_COLOR, 1
        painter.setPen(_FRAME_PENS[color, width])
        inset = width // 2
        painter.drawRect(
            rect.adjusted(-inset, -inset, inset - 1 + width % 2, inset - 1 + width % 2)
        )

    # --- mouse ----------------------------------------------------------------------
    def _set_hover(self, k: int | None) -> None:
        if k == self.hover:
            return
        old, self.hover = self.hover, k
        for j in (old, k):
            if j is not None:
                self.update(self.cell_rect(j).adjusted(-GAP // 2, -GAP // 2, GAP // 2, GAP // 2))
        if k is None:
            self.left.emit()
        else:
            self.hovered.emit(self.layer, k)

    def mouseMoveEvent(self, event) -> None:
        self._set_hover(self.neuron_at(event.position().toPoint()))

    def leaveEvent(self, event) -> None:
        self._set_hover(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event) -> None:
        k = self.neuron_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and k is not None:
            self.clicked.emit(self.layer, k)
            event.accept()
            return
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            k = self.neuron_at(event.pos())
            if k is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip(k), self, self.cell_rect(k))
            return True
        return super().event(event)

    def tooltip(self, k: int) -> str:
        head = f"{self.name}, neuron {k + 1}"
        if self.dead[k]:
            return f"{head}: dead.\n\n{DEAD_TIP}"
        scale = "the layer's" if self.per_layer else "this neuron's"
        return (
            f"{head}: its output over the input plane.\nWhite = 0, red = positive, blue = "
            f"negative; the deepest colour is ±{self.levels[k]:.3g}, {scale} largest |output|."
            f"\n{HELP_TIP}"
        )
