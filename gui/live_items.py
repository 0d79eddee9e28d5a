"""Plot items Qt paints and measures in C++ alone, so a repaint beside the training thread
does not take the GIL: Qt asks every item in a repainted area for its bounds (and paints
it), and pyqtgraph's items answered in Python.

``LiveAxis`` and ``LiveLabel`` keep pyqtgraph's bounds as Qt's own; ``PixmapImage`` is an
RGBA image scaled by Qt.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPixmap, QTextCursor, QTransform
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsWidget


class LiveAxis(pg.AxisItem):
    """A ``pg.AxisItem`` whose bounds are Qt's own.

    Qt asks every item in a repainted area for its bounding rectangle; pyqtgraph's axes
    answer in Python, so each repaint of a live plot took the GIL from the training thread
    once per axis (measured: ~500 such calls a second while training, the most frequent way
    into Python). Here Qt's C++ ``boundingRect`` answers: the widget's rectangle grown by
    its window-frame margins, which are kept equal to what pyqtgraph adds (ticks pointing
    into the plot, labels passing the ends, the plot's area when the axis draws a grid).
    """

    boundingRect = QGraphicsWidget.boundingRect

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self._update_margins()

    def setStyle(self, **kwargs) -> None:
        super().setStyle(**kwargs)
        self._update_margins()

    def setGrid(self, grid) -> None:
        super().setGrid(grid)
        self._update_margins()

    def linkedViewChanged(self, view=None, newRange=None) -> None:
        super().linkedViewChanged(view, newRange)
        if self.grid is not False:
            self._update_margins()

    def resizeEvent(self, event=None) -> None:
        super().resizeEvent(event)
        self._update_margins()

    def _update_margins(self) -> None:
        """Window-frame margins (left, top, right, bottom) giving ``pg.AxisItem``'s bounds."""
        if not hasattr(self, "_linkedView"):
            return  # called by Qt while pyqtgraph's __init__ runs; done again at its end
        rect = self.rect()
        view = self.linkedView()
        if view is not None and self.grid is not False:
            union = rect | view.mapRectToItem(self, view.boundingRect())
            margins = (
                rect.left() - union.left(),
                rect.top() - union.top(),
                union.right() - rect.right(),
                union.bottom() - rect.bottom(),
            )
        else:
            hide = self.style["hideOverlappingLabels"]
            m = 0 if hide is True else 15 if hide is False else int(hide)
            inward = -min(0, self.style["tickLength"])
            margins = {
                "left": (0, m, inward, m),
                "right": (inward, m, 0, m),
                "top": (m, 0, m, inward),
                "bottom": (m, inward, m, 0),
            }[self.orientation]
        if margins != getattr(self, "_margins", None):
            self._margins = margins
            self.prepareGeometryChange()
            self.setWindowFrameMargins(*margins)


class LiveLabel(pg.LabelItem):
    """A ``pg.LabelItem`` whose bounds are Qt's own (its rectangle), as ``LiveAxis``:
    labels beside live plots were asked for them ~100 times a second, each time in Python.

    A new text of the same style that is no taller and no wider than the widest shown so
    far only replaces the words: pyqtgraph measures the text again, moves it and asks the
    layout to lay out anew (its items answering Qt's size queries in Python), all for the
    same place and size, at each of the inspector's updates. ``set_fields`` replaces only
    the changing words of a text whose markup stays the same.
    """

    boundingRect = QGraphicsWidget.boundingRect

    def setText(self, text: str, **args) -> None:
        self._template = None  # the fields' places are unknown in a text set whole
        if args or not hasattr(self, "_span_style"):
            super().setText(text, **args)
            self._span_style = None  # computed again below, from the new options
            self._laid_out = self.itemRect().size()
            return
        if self._span_style is None:
            self._span_style = _span_style(self.opts)
        self.text = text
        self.item.setHtml(f"<span style='{self._span_style}'>{text}</span>")
        self._fit()

    def set_fields(self, template: str, fields: Sequence[str]) -> None:
        """Show ``template`` (rich text, one ``{}`` per field) with ``fields`` (plain text)
        in place of its ``{}``.

        Called again with the same template, only the fields whose words changed are
        replaced in the laid-out text, each in the format it has: the same pixels as
        ``setText`` of the whole, for a third of its cost (parsing the rich text was most
        of it). An empty field is set whole, as ``setText`` does.
        """
        fields = tuple(fields)
        if not all(fields):
            self.setText(template.format(*fields))
            return
        if template != getattr(self, "_template", None):
            markers = tuple(chr(0xE000 + i) for i in range(len(fields)))
            self.setText(template.format(*markers))
            plain = self.item.toPlainText()
            self._starts = [_utf16_len(plain[: plain.index(m)]) for m in markers]
            self._fields = markers
            self._template = template
            self._cursor = QTextCursor(self.item.document())
        old_fields, starts, cursor = self._fields, self._starts, self._cursor
        if fields == old_fields:
            return
        cursor.beginEditBlock()  # one layout for all the fields
        for i in range(len(fields) - 1, -1, -1):  # from the end: earlier places stay put
            if fields[i] != old_fields[i]:
                cursor.setPosition(starts[i])
                cursor.setPosition(starts[i] + _utf16_len(old_fields[i]), _KEEP_ANCHOR)
                cursor.insertText(fields[i])  # in the format of the words it replaces
        cursor.endEditBlock()
        shift = 0
        for i, (old, new) in enumerate(zip(old_fields, fields, strict=True)):
            starts[i] += shift
            shift += _utf16_len(new) - _utf16_len(old)
        self._fields = fields
        self.text = template.format(*fields)
        self._fit()

    def _fit(self) -> None:
        """Lay the label out again if its text grew wider or changed height."""
        size = self.itemRect().size()
        if size.height() != self._laid_out.height() or size.width() > self._laid_out.width():
            self.updateMin()
            self.resizeEvent(None)
            self.updateGeometry()
            self._laid_out = size


_KEEP_ANCHOR = QTextCursor.MoveMode.KeepAnchor


class ClippedLabel(LiveLabel):
    """A ``LiveLabel`` that may be narrower than its text, which is cut at its edge.

    pyqtgraph makes a label's text width its minimum width at every text change and
    resize, whatever its size policy: in a layout, a long label widened its column past
    the view (the inspector's rows at 1280 px lost their last column).
    """

    #: The clip is its rectangle, from Qt's C++ (pyqtgraph answers in Python, at each paint).
    shape = QGraphicsWidget.shape

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)

    def updateMin(self) -> None:
        super().updateMin()
        self.setMinimumWidth(1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        bounds, rect = self.itemRect(), self.rect()
        if bounds.width() > rect.width():  # cut: show the text's start, not its middle
            self.item.moveBy(rect.left() - bounds.left(), 0)


def _utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, as Qt counts positions in a document."""
    return len(text.encode("utf-16-le")) // 2


def _span_style(opts: dict) -> str:
    """The CSS ``pg.LabelItem.setText`` puts around its text, for these options."""
    color = opts["color"]
    if color is None:
        color = pg.getConfigOption("foreground")
    styles = ["color: " + pg.mkColor(color).name(QColor.NameFormat.HexArgb)]
    if "family" in opts:
        styles.append("font-family: " + opts["family"])
    if "size" in opts:
        styles.append("font-size: " + opts["size"])
    if opts.get("bold") in (True, False):
        styles.append("font-weight: " + ("bold" if opts["bold"] else "normal"))
    if opts.get("italic") in (True, False):
        styles.append("font-style: " + ("italic" if opts["italic"] else "normal"))
    return "; ".join(styles)


class PixmapImage(QGraphicsPixmapItem):
    """An RGBA image over a rectangle of the plot, painted by Qt's C++ alone.

    pyqtgraph's ``ImageItem`` paints from Python, so scaling its picture to the screen
    (~1 ms for 200 x 200 pixels over ~500) held the GIL the training thread needs, at every
    boundary frame. Here Python only converts the array once per new image (~0.1 ms); Qt
    scales it with bilinear filtering whenever the plot repaints. The part of
    ``ImageItem``'s interface the plots use: ``image``, ``setImage``, ``setRect``, ``clear``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.image: np.ndarray | None = None
        self._rect = QRectF(0, 0, 1, 1)
        self._placed: tuple | None = None  # (w, h, rect) the transform was made for

    def setImage(self, rgba: np.ndarray, autoLevels: bool = False) -> None:
        """Show ``rgba``: shape (H, W, 4) uint8, row 0 at the bottom of the rectangle."""
        rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
        if rgba.ndim != 3 or rgba.shape[2] != 4:
            raise ValueError(f"need an RGBA image of shape (H, W, 4), got {rgba.shape}")
        h, w = rgba.shape[:2]
        image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
        self.image = rgba
        self.setPixmap(QPixmap.fromImage(image))  # a copy: ``rgba`` may go
        self._place()

    def setRect(self, rect: QRectF) -> None:
        """Stretch the image over ``rect`` (data coordinates)."""
        self._rect = QRectF(rect)
        self._place()

    def clear(self) -> None:
        """Show nothing until the next ``setImage``."""
        self.image = None
        self.setPixmap(QPixmap())

    def _place(self) -> None:
        """Scale and move the picture over the rectangle, unless it already lies there."""
        if self.image is None:
            return
        h, w = self.image.shape[:2]
        rect = self._rect
        placed = (w, h, rect.x(), rect.y(), rect.width(), rect.height())
        if placed == self._placed:
            return
        self._placed = placed
        self.setTransform(QTransform.fromScale(rect.width() / w, rect.height() / h))
        self.setPos(rect.x(), rect.y())


class LiveScatter(pg.ScatterPlotItem):
    """A ``pg.ScatterPlotItem`` that answers Qt's bounds queries from a cache.

    Qt asks every item of a repainted area for its bounds; pyqtgraph's scatter computes them
    afresh each time from the view's pixel size, making Qt objects (transforms, points)
    whose deallocation releases and retakes the GIL, at each boundary frame (measured with
    perf: the most frequent way the GUI thread took the GIL back from the training
    thread). The bounds change only when pyqtgraph forgets its data bounds (new points,
    new sizes, a new view transform: every such path sets ``bounds``), so the rectangle is
    kept until then.
    """

    @property
    def bounds(self) -> list:
        return self._bounds

    @bounds.setter
    def bounds(self, value: list) -> None:
        self._bounds = value
        self._rect = None

    def boundingRect(self) -> QRectF:
        if self._rect is None:
            self._rect = super().boundingRect()
        return self._rect
