"""What the walkthrough's three parts share: colours, number formats, the stage text box,
the stepping protocol behind the shared Next / Back buttons, and a table drawn as a heatmap."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal

from gui.colors import PLOT_FOREGROUND, diverging_colormap

#: Forward values are drawn in the palette's blue, gradients in its vermillion.
FORWARD_COLOR = "#0072B2"
GRADIENT_COLOR = "#D55E00"
#: Edges and bars not part of the current stage, and units whose gradient is stopped.
INACTIVE_COLOR = "#B0B0B0"
#: Background of the box that explains the current stage.
EXPLAIN_BACKGROUND = "#F5F7FA"
MONOSPACE_POINTS = 10


def fmt(value: float, digits: int = 6) -> str:
    """A short number for a learner: 6, -3.001, 5.985, 1.2e-05; never "-0"."""
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def fmt_factor(value: float) -> str:
    """``fmt`` with negative numbers in parentheses, for products: ``1·(-3)``."""
    text = fmt(value)
    return f"({text})" if text.startswith("-") else text


def fmt_vector(values, digits: int = 6) -> str:
    """``[1, -2, 3]``."""
    return "[" + ", ".join(fmt(v, digits) for v in values) + "]"


def fmt_cell(value: float) -> str:
    """Three decimals for a table cell, scientific only for tiny non-zero values."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < 5e-4:
        return f"{value:.0e}"
    return f"{value:.3f}"


def monospace_font(points: int = MONOSPACE_POINTS) -> QtGui.QFont:
    font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(points)
    return font


class StageText(QtWidgets.QFrame):
    """The current stage: its title ("Step 3 of 8 · Forward: the sum"), its equation in a
    fixed-width font, and one sentence that explains it."""

    def __init__(self, object_name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"#{object_name} {{ background: {EXPLAIN_BACKGROUND}; border: 1px solid #D0D4DA; "
            "border-radius: 4px; }"
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.title = QtWidgets.QLabel()
        self.title.setObjectName(f"{object_name}_title")
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.title.setWordWrap(True)
        self.equation = QtWidgets.QLabel()
        self.equation.setObjectName(f"{object_name}_equation")
        self.equation.setFont(monospace_font())
        self.equation.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.equation.setWordWrap(True)
        self.sentence = QtWidgets.QLabel()
        self.sentence.setObjectName(f"{object_name}_sentence")
        self.sentence.setWordWrap(True)
        self.sentence.setStyleSheet("font-size: 10pt;")
        for label in (self.title, self.equation, self.sentence):
            layout.addWidget(label)
        layout.addStretch(1)

    def show_stage(self, title: str, equation: str, sentence: str) -> None:
        self.title.setText(title)
        self.equation.setText(equation)
        self.equation.setVisible(bool(equation))
        self.sentence.setText(sentence)


class StagedView(QtWidgets.QWidget):
    """A part of the walkthrough that the shared Next / Back buttons step through.

    ``stage`` runs over ``0 .. stage_count - 1``; ``next_stage`` at the last stage and
    ``previous_stage`` at the first do nothing. Subclasses draw the stage in ``_show_stage``.
    """

    #: The stage or the number of stages changed (the panel updates its buttons).
    stage_changed = Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._stage = 0

    @property
    def stage(self) -> int:
        return self._stage

    @property
    def stage_count(self) -> int:
        raise NotImplementedError

    def can_go_next(self) -> bool:
        return self._stage < self.stage_count - 1

    def can_go_back(self) -> bool:
        return self._stage > 0

    def next_stage(self) -> None:
        if self.can_go_next():
            self.set_stage(self._stage + 1)

    def previous_stage(self) -> None:
        if self.can_go_back():
            self.set_stage(self._stage - 1)

    def set_stage(self, stage: int) -> None:
        """Show ``stage`` (clamped to the stages there are)."""
        self._stage = max(0, min(int(stage), self.stage_count - 1))
        self._show_stage()
        self.stage_changed.emit(self._stage)

    def _show_stage(self) -> None:
        raise NotImplementedError


def fit_table(table: QtWidgets.QTableWidget, *, width: bool = False) -> None:
    """Fix the table's height (and width) to its contents: every row shows, no scrolling."""
    table.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    frame = 2 * table.frameWidth()
    table.setFixedHeight(
        table.horizontalHeader().height() + table.verticalHeader().length() + frame
    )
    if width:
        table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setFixedWidth(
            table.verticalHeader().width() + table.horizontalHeader().length() + frame
        )


class HeatmapTable(QtWidgets.QTableWidget):
    """A small matrix as a table: each cell shows its number on a diverging colour (blue
    negative, white zero, red positive; levels symmetric around 0). Read-only."""

    def __init__(self, object_name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.setFont(monospace_font(11))
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
            header.setStyleSheet(f"color: {PLOT_FOREGROUND};")
        self.horizontalHeader().setMinimumSectionSize(58)
        self.verticalHeader().setMinimumSectionSize(28)
        self._colormap = diverging_colormap()
        self.level = 1.0

    def set_matrix(
        self,
        matrix: np.ndarray,
        row_names: list[str],
        col_names: list[str],
        *,
        formatter=fmt_cell,
        level: float | None = None,
    ) -> None:
        """Show ``matrix``, shape (rows, cols); colours span ``(-level, level)`` (default
        the largest |value|)."""
        matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
        rows, cols = matrix.shape
        if level is None:
            finite = np.abs(matrix[np.isfinite(matrix)])
            level = float(finite.max()) if finite.size else 1.0
        self.level = level if level > 0 and math.isfinite(level) else 1.0
        self.setRowCount(rows)
        self.setColumnCount(cols)
        self.setVerticalHeaderLabels(row_names)
        self.setHorizontalHeaderLabels(col_names)
        scaled = np.clip((matrix + self.level) / (2 * self.level), 0, 1)
        colors = self._colormap.map(np.nan_to_num(scaled, nan=0.5).ravel())
        for i in range(rows):
            for j in range(cols):
                item = QtWidgets.QTableWidgetItem(formatter(matrix[i, j]))
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                r, g, b = (int(c) for c in colors[i * cols + j][:3])
                item.setBackground(QtGui.QColor(r, g, b))
                # Dark text on light cells, white on the saturated ends of the map.
                light = 0.299 * r + 0.587 * g + 0.114 * b > 140
                item.setForeground(QtGui.QColor("#202020" if light else "#FFFFFF"))
                item.setToolTip(f"{matrix[i, j]:.17g}")
                self.setItem(i, j, item)
        fit_table(self, width=True)

    def cell_text(self, row: int, col: int) -> str:
        item = self.item(row, col)
        return "" if item is None else item.text()
