"""Part 2 of the walkthrough: one sample's softmax + cross-entropy gradient, by the full
Jacobian and by the fused shortcut ``(probs - onehot) / n``, and the time each road takes.

The numbers come from ``model.walkthrough.softmax_two_ways`` and ``time_softmax_paths``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Slot

from gui.colors import PLOT_BACKGROUND, PLOT_FOREGROUND, class_color
from gui.plot_items import plain_axes
from gui.walkthrough_common import (
    GRADIENT_COLOR,
    HeatmapTable,
    StagedView,
    StageText,
    fit_table,
    fmt,
    monospace_font,
)
from gui.walkthrough_softmax_text import STAGE_TITLES, digits17, stage_text
from model.walkthrough import PathTimings, SoftmaxTwoWays, softmax_two_ways, time_softmax_paths

#: The columns of the gradient table; the last two are the two roads.
COLUMNS = ("s (softmax)", "onehot", "dL/ds", "J @ dL/ds", "(s − onehot) / n", "difference")
_TITLE_STYLE = "QGroupBox::title { subcontrol-origin: margin; left: 8px; }"
BOX_STYLE = (
    "QGroupBox { border: 1px solid #C8CCD2; border-radius: 4px; margin-top: 1.2em; } "
    + _TITLE_STYLE
)
#: The section the current stage talks about.
ACTIVE_BOX_STYLE = (
    f"QGroupBox {{ border: 2px solid {GRADIENT_COLOR}; border-radius: 4px; margin-top: 1.2em; }} "
    + _TITLE_STYLE
)
PLACEHOLDER = (
    "No sample yet. This part shows a sample of a classification network whose output is "
    "softmax + categorical cross-entropy; the window sends the selected point here."
)


def _section(title: str, object_name: str) -> tuple[QtWidgets.QGroupBox, QtWidgets.QVBoxLayout]:
    box = QtWidgets.QGroupBox(title)
    box.setObjectName(object_name)
    layout = QtWidgets.QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    return box, layout


class SoftmaxView(StagedView):
    """Softmax outputs, the Jacobian heatmap, the two gradients side by side, timings."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkthrough_softmax")
        self.result: SoftmaxTwoWays | None = None
        self.timings: PathTimings | None = None
        self.sample_index: int | None = None
        self.n_samples = 1
        self.class_names: list[str] = []
        self._dataset: tuple[np.ndarray, np.ndarray] | None = None

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.header = QtWidgets.QLabel(PLACEHOLDER)
        self.header.setObjectName("walkthrough_softmax_header")
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.header)

        top = QtWidgets.QHBoxLayout()
        self.probs_box, probs_layout = _section("1. Softmax outputs s", "walkthrough_probs_box")
        probs_layout.addWidget(self._build_bars())
        self.jacobian_box, jac_layout = _section(
            "2. Jacobian J = diag(s) − s·sᵀ",
            "walkthrough_jacobian_box",
        )
        self.jacobian_table = HeatmapTable("walkthrough_jacobian_table")
        self.jacobian_table.setToolTip(
            "∂s_i/∂z_j: how softmax output i moves when logit j moves. Diagonal s_i(1 − s_i) "
            "is positive, the rest −s_i·s_j negative; red positive, blue negative."
        )
        jac_layout.addStretch(1)
        jac_layout.addWidget(self.jacobian_table, 0, QtCore.Qt.AlignmentFlag.AlignHCenter)
        jac_note = QtWidgets.QLabel("row i, column j: ∂s_i/∂z_j")
        jac_note.setAlignment(QtCore.Qt.AlignmentFlag.AlignHCenter)
        jac_layout.addWidget(jac_note)
        jac_layout.addStretch(1)
        self.explain = StageText("walkthrough_softmax_explain")
        self.explain.setMinimumWidth(240)
        top.addWidget(self.probs_box, 2)
        top.addWidget(self.jacobian_box, 0)
        top.addWidget(self.explain, 2)
        layout.addLayout(top, 1)

        self.gradient_box, grad_layout = _section(
            "3-5. The gradient dL/dz (z = logits) two ways", "walkthrough_gradient_box"
        )
        self.gradient_table = self._build_gradient_table()
        grad_layout.addWidget(self.gradient_table)
        self.difference_label = QtWidgets.QLabel()
        self.difference_label.setObjectName("walkthrough_difference_label")
        self.difference_label.setFont(monospace_font(10))
        grad_layout.addWidget(self.difference_label)
        layout.addWidget(self.gradient_box, 0)
        layout.addWidget(self._build_timing())
        self._boxes = (
            self.probs_box,
            self.jacobian_box,
            self.gradient_box,
            self.gradient_box,
            self.gradient_box,
        )
        self._show_stage()

    # ----------------------------------------------------------------- construction
    def _build_bars(self) -> pg.PlotWidget:
        self.bars_plot = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.bars_plot.setObjectName("walkthrough_probs_plot")
        self.bars_plot.setMinimumSize(200, 160)
        item = self.bars_plot.getPlotItem()
        plain_axes(item)
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(PLOT_FOREGROUND))
            axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
        item.invertY(True)
        item.setXRange(0, 1.3, padding=0)
        item.getAxis("bottom").setTicks([[(v, f"{v:g}") for v in (0, 0.5, 1.0)]])
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7)
        item.addItem(self.bars)
        self._bar_texts: list[pg.TextItem] = []
        return self.bars_plot

    def _build_gradient_table(self) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(COLUMNS))
        table.setObjectName("walkthrough_gradient_table")
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setFont(monospace_font(9))
        table.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents
        )
        table.setToolTip(
            "dL/ds: cross-entropy's backward for this sample (−1/(s·n) at the correct class). "
            "J @ dL/ds: the chain rule through softmax's Jacobian (the chapter's "
            "Activation_Softmax.backward). (s − onehot)/n: the fused shortcut. Both printed "
            "with 17 significant digits."
        )
        return table

    def _build_timing(self) -> QtWidgets.QGroupBox:
        box, layout = _section("Both roads on the whole dataset", "walkthrough_timing_box")
        row = QtWidgets.QHBoxLayout()
        self.time_button = QtWidgets.QPushButton("Time both paths")
        self.time_button.setObjectName("walkthrough_time_button")
        self.time_button.setToolTip(
            "Compute dL/dz for every sample of the current dataset by the per-sample "
            "Jacobian loop, by the vectorised Softmax.backward, and by the fused shortcut "
            "(best of 5 runs each)."
        )
        self.time_button.setEnabled(False)
        self.time_button.clicked.connect(self.time_paths)
        row.addWidget(self.time_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        self.timing_label = QtWidgets.QLabel("Needs the network's logits for the dataset.")
        self.timing_label.setObjectName("walkthrough_timing_label")
        self.timing_label.setFont(monospace_font(10))
        self.timing_label.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        row.addWidget(self.timing_label, 1)
        layout.addLayout(row)
        return box

    # ----------------------------------------------------------------- public API
    @property
    def stage_count(self) -> int:
        return len(STAGE_TITLES)

    def stage_title(self) -> str:
        return STAGE_TITLES[self.stage]

    def set_sample(
        self,
        logits_row: np.ndarray,
        label: int,
        n_samples: int = 1,
        class_names: list[str] | None = None,
        *,
        sample_index: int | None = None,
    ) -> None:
        """Show one sample: its logits (shape (k,)), its class, the batch size n."""
        logits_row = np.asarray(logits_row, dtype=np.float64).reshape(-1)
        k = len(logits_row)
        if k < 2:
            raise ValueError(f"softmax needs at least 2 logits (classes), got {k}")
        if not 0 <= int(label) < k:
            raise ValueError(f"label must be a class in 0..{k - 1}, got {label}")
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be at least 1, got {n_samples}")
        self.result = softmax_two_ways(logits_row, int(label), int(n_samples))
        self.n_samples = int(n_samples)
        self.sample_index = sample_index
        names = list(class_names or [])[:k]
        self.class_names = names + [f"class {i}" for i in range(len(names), k)]
        self._draw()

    def set_dataset_logits(
        self, logits: np.ndarray, y: np.ndarray, class_names: list[str] | None = None
    ) -> None:
        """The network's logits for the whole dataset, shape (n, k), and labels (n,): for
        the timings, and to show any sample without asking the window again."""
        logits = np.array(logits, dtype=np.float64, copy=True)
        y = np.array(y, copy=True).reshape(-1)
        if logits.ndim != 2 or len(logits) != len(y) or len(y) == 0:
            raise ValueError(
                f"need logits of shape (n, k) and n labels, got {logits.shape} and {y.shape}"
            )
        self._dataset = (logits, y)
        if class_names is not None:
            self.class_names = list(class_names)
        self.time_button.setEnabled(True)
        self.timing_label.setText("Press the button to time the three roads.")
        self.timings = None
        index = self.sample_index if self.sample_index is not None else 0
        self.show_dataset_sample(min(index, len(y) - 1))

    def dataset_size(self) -> int:
        return 0 if self._dataset is None else len(self._dataset[1])

    def show_dataset_sample(self, index: int) -> bool:
        """Show sample ``index`` of the dataset given to ``set_dataset_logits``.

        Returns False (nothing shown) when there is no such dataset sample.
        """
        if self._dataset is None or not 0 <= index < len(self._dataset[1]):
            return False
        logits, y = self._dataset
        self.set_sample(logits[index], int(y[index]), len(y), self.class_names, sample_index=index)
        return True

    def clear(self) -> None:
        """Forget the sample and dataset (a new run)."""
        self.result = self.timings = self._dataset = None
        self.sample_index = None
        self.time_button.setEnabled(False)
        self.timing_label.setText("Needs the network's logits for the dataset.")
        self._draw()

    @Slot()
    def time_paths(self) -> None:
        """Time the three roads on the whole dataset (``time_softmax_paths``)."""
        if self._dataset is None:
            return
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
        try:
            self.timings = time_softmax_paths(*self._dataset)
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        t = self.timings
        rows = (
            ("Per-sample Jacobian loop (chapter)", t.jacobian_loop_us, ""),
            (
                "Vectorised s·(d − Σ s·d)",
                t.vectorised_us,
                f"{t.jacobian_loop_us / max(t.vectorised_us, 1e-3):,.0f}× faster than the loop",
            ),
            (
                "Fused shortcut (s − onehot)/n",
                t.fused_us,
                f"{t.jacobian_loop_us / max(t.fused_us, 1e-3):,.0f}× faster than the loop",
            ),
        )
        lines = [f"{name:<36}{us:>12,.1f} µs   {speed}" for name, us, speed in rows]
        lines.append(
            f"on {t.n_samples:,} samples; largest difference loop vs shortcut: "
            f"{t.max_difference:.1e}"
        )
        self.timing_label.setText("\n".join(lines))

    def jacobian_text(self, row: int, col: int) -> str:
        return self.jacobian_table.cell_text(row, col)

    def gradient_text(self, row: int, column: str) -> str:
        """The text of the gradient table at class ``row``, column named as in COLUMNS."""
        item = self.gradient_table.item(row, COLUMNS.index(column))
        return "" if item is None else item.text()

    # ----------------------------------------------------------------- drawing
    def _draw(self) -> None:
        r = self.result
        if r is None:
            self.header.setText(PLACEHOLDER)
            self.bars.setOpts(x0=[], y=[], width=[])
            self.jacobian_table.setRowCount(0)
            self.gradient_table.setRowCount(0)
            self.difference_label.setText("")
            self._show_stage()
            return
        names = self.class_names
        which = "" if self.sample_index is None else f"Sample {self.sample_index} · "
        self.header.setText(
            f"<b>{which}correct class: {names[r.label]}</b> · batch of n = {self.n_samples} "
            f"· logits z = [{', '.join(fmt(v, 4) for v in r.logits)}]"
        )
        self._draw_bars(r, names)
        short = [n if len(n) <= 10 else n[:9] + "…" for n in names]
        self.jacobian_table.set_matrix(r.jacobian, short, short)
        self._fill_gradient_table(r, names)
        self.difference_label.setText(
            f"max |difference| = {r.max_difference:.1e}: the two roads are equal to float64 "
            "precision (~16 digits; the 17th may differ by rounding)"
        )
        self._show_stage()

    def _draw_bars(self, r: SoftmaxTwoWays, names: list[str]) -> None:
        # Horizontal bars, class 0 on top: the class names stay readable for 8 classes.
        k = len(r.probs)
        brushes = [pg.mkBrush(class_color(i)) for i in range(k)]
        pens = [
            pg.mkPen(PLOT_FOREGROUND, width=3) if i == r.label else pg.mkPen(None) for i in range(k)
        ]
        self.bars.setOpts(
            x0=np.zeros(k), y=np.arange(k), width=r.probs, height=0.7, brushes=brushes, pens=pens
        )
        plot = self.bars_plot.getPlotItem()
        for text in self._bar_texts:
            plot.removeItem(text)
        self._bar_texts = []
        for i, p in enumerate(r.probs):
            text = pg.TextItem(f"{p:.3f}", color=PLOT_FOREGROUND, anchor=(0.0, 0.5))
            text.setPos(float(p) + 0.02, i)
            plot.addItem(text)
            self._bar_texts.append(text)
        ticks = [(i, ("★ " if i == r.label else "") + names[i]) for i in range(k)]
        plot.getAxis("left").setTicks([ticks])
        plot.setYRange(-0.6, k - 0.4, padding=0)

    def _fill_gradient_table(self, r: SoftmaxTwoWays, names: list[str]) -> None:
        k = len(r.probs)
        onehot = np.zeros(k)
        onehot[r.label] = 1.0
        columns = (r.probs, onehot, r.dloss, r.via_jacobian, r.shortcut)
        table = self.gradient_table
        table.setRowCount(k)
        table.setVerticalHeaderLabels(names)
        bold = QtGui.QFont(monospace_font(9))
        bold.setBold(True)
        right = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        for i in range(k):
            texts = [fmt(columns[0][i]), fmt(columns[1][i])]
            texts += [digits17(values[i]) for values in columns[2:]]
            difference = r.via_jacobian[i] - r.shortcut[i]
            texts.append("0" if difference == 0 else f"{difference:.1e}")
            for j, text in enumerate(texts):
                item = QtWidgets.QTableWidgetItem(text)
                item.setTextAlignment(right)
                if j in (3, 4):
                    item.setForeground(QtGui.QColor(GRADIENT_COLOR))
                if i == r.label:
                    item.setFont(bold)
                table.setItem(i, j, item)
        fit_table(table)

    def _show_stage(self) -> None:
        stage = self.stage
        current = self._boxes[stage]
        for box in (self.probs_box, self.jacobian_box, self.gradient_box):
            box.setStyleSheet(ACTIVE_BOX_STYLE if box is current else BOX_STYLE)
        title = f"Step {stage + 1} of {self.stage_count} · {STAGE_TITLES[stage]}"
        self.explain.show_stage(title, *stage_text(self.result, stage, self.n_samples))
