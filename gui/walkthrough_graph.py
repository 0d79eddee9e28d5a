"""The chapter's neuron drawn as a computational graph: inputs and weights into three
multiplications, their sum with the bias, ReLU, and the output.

Every edge carries two labels: its forward value above (blue) and its gradient below
(vermillion). The graph only draws text it is given; ``NeuronView`` decides what to show.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from gui.colors import PLOT_BACKGROUND, PLOT_FOREGROUND
from gui.walkthrough_common import FORWARD_COLOR, GRADIENT_COLOR, INACTIVE_COLOR

#: Edge names, as the chapter names the values they carry.
INPUT_EDGES = ("x0", "w0", "x1", "w1", "x2", "w2")
PRODUCT_EDGES = ("xw0", "xw1", "xw2")
EDGES = (*INPUT_EDGES, "b", *PRODUCT_EDGES, "z", "y")

LABEL_POINTS = 14
NODE_POINTS = 15
NOTE_POINTS = 12
EDGE_WIDTH = 2.0
ACTIVE_EDGE_WIDTH = 4.0
ARROW_SIZE = 10.0

# Scene layout (scene units): inputs on the left, output on the right.
_INPUT_X, _BEND_X, _MUL_X, _BEND2_X = 40.0, 215.0, 280.0, 445.0
_SUM_X, _RELU_X, _OUT_X = 520.0, 702.0, 900.0
_BOX_W, _BOX_H, _MUL_R, _SUM_R = 52.0, 36.0, 24.0, 28.0
_RELU_W, _RELU_H = 84.0, 44.0
_SUM_Y = 255.0


def _node_positions() -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    for i in range(3):
        top = 40.0 + 170.0 * i
        pos[f"x{i}"] = (_INPUT_X, top)
        pos[f"w{i}"] = (_INPUT_X, top + 90.0)
        pos[f"mul{i}"] = (_MUL_X, top + 45.0)
    pos["b"] = (_INPUT_X, 560.0)
    pos["sum"] = (_SUM_X, _SUM_Y)
    pos["relu"] = (_RELU_X, _SUM_Y)
    pos["out"] = (_OUT_X, _SUM_Y)
    return pos


def _font(points: int, *, bold: bool = False, italic: bool = False) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setPointSize(points)
    font.setBold(bold)
    font.setItalic(italic)
    return font


class _Edge:
    """A line (bent once, optionally) with an arrowhead and its two labels, which sit on
    the first segment: a bent edge keeps its labels on its horizontal part."""

    def __init__(self, scene: QtWidgets.QGraphicsScene, start, end, bend=None) -> None:
        self.points = [QtCore.QPointF(*start)]
        if bend is not None:
            self.points.append(QtCore.QPointF(*bend))
        self.points.append(QtCore.QPointF(*end))
        path = QtGui.QPainterPath(self.points[0])
        for point in self.points[1:]:
            path.lineTo(point)
        self.line = scene.addPath(path)
        self.head = scene.addPolygon(self._arrowhead())
        self.value = scene.addSimpleText("")
        self.gradient = scene.addSimpleText("")
        for label, color in ((self.value, FORWARD_COLOR), (self.gradient, GRADIENT_COLOR)):
            label.setFont(_font(LABEL_POINTS))
            label.setBrush(QtGui.QColor(color))
            label.setZValue(2)
        self.set_active(None)

    def _arrowhead(self) -> QtGui.QPolygonF:
        start, tip = self.points[-2], self.points[-1]
        dx, dy = tip.x() - start.x(), tip.y() - start.y()
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        back = QtCore.QPointF(tip.x() - ARROW_SIZE * ux, tip.y() - ARROW_SIZE * uy)
        side = QtCore.QPointF(-uy * ARROW_SIZE * 0.5, ux * ARROW_SIZE * 0.5)
        return QtGui.QPolygonF([tip, back + side, back - side])

    def set_active(self, color: str | None) -> None:
        """Draw the edge thick in ``color`` (part of the current stage), or thin grey."""
        qcolor = QtGui.QColor(color or INACTIVE_COLOR)
        width = ACTIVE_EDGE_WIDTH if color else EDGE_WIDTH
        self.line.setPen(QtGui.QPen(qcolor, width))
        self.head.setPen(QtGui.QPen(qcolor, 1))
        self.head.setBrush(qcolor)

    def set_texts(self, value: str, gradient: str, *, bold_value: bool, bold_gradient: bool):
        for label, text, bold in (
            (self.value, value, bold_value),
            (self.gradient, gradient, bold_gradient),
        ):
            label.setText(text)
            label.setFont(_font(LABEL_POINTS, bold=bold))
        self._place(self.value, above=True)
        self._place(self.gradient, above=False)

    def _place(self, label: QtWidgets.QGraphicsSimpleTextItem, *, above: bool) -> None:
        # Centre the label on the first segment's middle, pushed along its normal just far
        # enough that the label's box clears the line, whatever the slope.
        start, end = self.points[0], self.points[1]
        mid_x = (start.x() + end.x()) / 2
        mid_y = (start.y() + end.y()) / 2
        dx, dy = end.x() - start.x(), end.y() - start.y()
        length = math.hypot(dx, dy)
        nx, ny = -dy / length, dx / length
        if ny > 0:  # the normal that points up the screen
            nx, ny = -nx, -ny
        if not above:
            nx, ny = -nx, -ny
        rect = label.boundingRect()
        w, h = rect.width(), rect.height()
        distance = abs(nx) * w / 2 + abs(ny) * h / 2 + 2
        label.setPos(mid_x + nx * distance - w / 2, mid_y + ny * distance - h / 2)


class NeuronGraph(QtWidgets.QGraphicsView):
    """The neuron's computational graph, scaled to fit the view."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkthrough_neuron_graph")
        self.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
        self.setBackgroundBrush(QtGui.QColor(PLOT_BACKGROUND))
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.setMinimumSize(420, 300)
        self.setToolTip(
            "The neuron as a computational graph. Blue above an edge: the value the forward "
            "pass sends along it. Vermillion below: the gradient the backward pass sends back."
        )
        self._scene = QtWidgets.QGraphicsScene(self)
        self.setScene(self._scene)
        self._pos = _node_positions()
        self._nodes: dict[str, QtWidgets.QGraphicsItem] = {}
        self._notes: dict[str, QtWidgets.QGraphicsSimpleTextItem] = {}
        self.edges: dict[str, _Edge] = {}
        self._build()
        self._scene.setSceneRect(self._scene.itemsBoundingRect().adjusted(-10, -30, 10, 30))

    # ----------------------------------------------------------------- construction
    def _build(self) -> None:
        p = self._pos
        for i in range(3):
            self._add_box(f"x{i}", f"x{i}")
            self._add_box(f"w{i}", f"w{i}")
            self._add_circle(f"mul{i}", "×", _MUL_R)
        self._add_box("b", "b")
        self._add_circle("sum", "+", _SUM_R)
        self._add_rounded("relu", "ReLU")
        self._add_box("out", "y")
        for i in range(3):
            mul = p[f"mul{i}"]
            for name in (f"x{i}", f"w{i}"):
                bend = (_BEND_X, p[name][1])
                self._edge(name, self._right_of(name), self._toward(mul, bend, _MUL_R), bend)
            bend = (_BEND2_X, mul[1])
            self._edge(
                f"xw{i}", (mul[0] + _MUL_R, mul[1]), self._toward(p["sum"], bend, _SUM_R), bend
            )
        bend = (_BEND2_X, p["b"][1])
        self._edge("b", self._right_of("b"), self._toward(p["sum"], bend, _SUM_R), bend)
        self._edge("z", (p["sum"][0] + _SUM_R, _SUM_Y), (p["relu"][0] - _RELU_W / 2, _SUM_Y))
        self._edge("y", (p["relu"][0] + _RELU_W / 2, _SUM_Y), (p["out"][0] - _BOX_W / 2, _SUM_Y))
        for name, anchor in (("relu", p["relu"]), ("sum", p["sum"])):
            note = self._scene.addSimpleText("")
            note.setFont(_font(NOTE_POINTS, italic=True))
            note.setBrush(QtGui.QColor(GRADIENT_COLOR))
            note.setData(0, anchor)
            self._notes[name] = note

    def _right_of(self, name: str) -> tuple[float, float]:
        x, y = self._pos[name]
        return x + _BOX_W / 2, y

    @staticmethod
    def _toward(center, other, radius: float) -> tuple[float, float]:
        """The point on a circle of ``radius`` around ``center`` facing ``other``."""
        dx, dy = other[0] - center[0], other[1] - center[1]
        length = math.hypot(dx, dy)
        return center[0] + radius * dx / length, center[1] + radius * dy / length

    def _edge(self, name: str, start, end, bend=None) -> None:
        self.edges[name] = _Edge(self._scene, start, end, bend)

    def _pen(self) -> QtGui.QPen:
        return QtGui.QPen(QtGui.QColor(PLOT_FOREGROUND), 1.5)

    def _add_label(self, name: str, text: str, *, bold: bool = True) -> None:
        x, y = self._pos[name]
        label = self._scene.addSimpleText(text)
        label.setFont(_font(NODE_POINTS, bold=bold))
        label.setBrush(QtGui.QColor(PLOT_FOREGROUND))
        rect = label.boundingRect()
        label.setPos(x - rect.width() / 2, y - rect.height() / 2)
        label.setZValue(1)

    def _add_box(self, name: str, text: str) -> None:
        x, y = self._pos[name]
        rect = QtCore.QRectF(x - _BOX_W / 2, y - _BOX_H / 2, _BOX_W, _BOX_H)
        self._nodes[name] = self._scene.addRect(rect, self._pen(), QtGui.QColor("#EEF2F7"))
        self._add_label(name, text)

    def _add_circle(self, name: str, text: str, radius: float) -> None:
        x, y = self._pos[name]
        rect = QtCore.QRectF(x - radius, y - radius, 2 * radius, 2 * radius)
        self._nodes[name] = self._scene.addEllipse(rect, self._pen(), QtGui.QColor("#FFFFFF"))
        self._add_label(name, text)

    def _add_rounded(self, name: str, text: str) -> None:
        x, y = self._pos[name]
        path = QtGui.QPainterPath()
        path.addRoundedRect(x - _RELU_W / 2, y - _RELU_H / 2, _RELU_W, _RELU_H, 10, 10)
        self._nodes[name] = self._scene.addPath(path, self._pen(), QtGui.QColor("#FFFFFF"))
        self._add_label(name, text)

    # ----------------------------------------------------------------- drawing
    def set_edge(
        self,
        name: str,
        value: str = "",
        gradient: str = "",
        *,
        active: str | None = None,
    ) -> None:
        """Show ``value`` above edge ``name`` and ``gradient`` below it.

        active : ``"forward"`` or ``"backward"`` draws the edge thick in that pass's colour
            and its newest label in bold (the current stage); None draws it grey.
        """
        edge = self.edges[name]
        color = {"forward": FORWARD_COLOR, "backward": GRADIENT_COLOR}.get(active or "")
        edge.set_active(color)
        edge.set_texts(
            value,
            gradient,
            bold_value=active == "forward",
            bold_gradient=active == "backward",
        )

    def set_note(self, node: str, text: str) -> None:
        """A small italic gradient note under a node (``"relu"`` or ``"sum"``)."""
        note = self._notes[node]
        note.setText(text)
        x, y = note.data(0)
        rect = note.boundingRect()
        if node == "relu":  # under the ReLU box
            note.setPos(x - rect.width() / 2, y + _RELU_H / 2 + 4)
        else:  # above and right of the sum, where no edge runs
            note.setPos(x + _SUM_R * 0.3, y - _SUM_R - rect.height() - 6)

    def edge_text(self, name: str) -> str:
        """The forward value written on edge ``name`` ("" when not shown yet)."""
        return self.edges[name].value.text()

    def edge_gradient(self, name: str) -> str:
        """The gradient written under edge ``name`` ("" when not shown yet)."""
        return self.edges[name].gradient.text()

    def note_text(self, node: str) -> str:
        return self._notes[node].text()

    def edge_is_active(self, name: str) -> bool:
        return self.edges[name].line.pen().widthF() == ACTIVE_EDGE_WIDTH

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self._scene.sceneRect(), QtCore.Qt.AspectRatioMode.KeepAspectRatio)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        self.fitInView(self._scene.sceneRect(), QtCore.Qt.AspectRatioMode.KeepAspectRatio)
