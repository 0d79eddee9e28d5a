"""Part 1 of the walkthrough: the chapter's single ReLU neuron, forward then backward, one
operation per stage, then gradient descent on it.

All numbers come from ``model.walkthrough`` (``neuron_pass``, ``neuron_update``,
``neuron_descent``); this file only lays them out.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Slot

from gui.colors import GRID_ALPHA, PLOT_BACKGROUND, PLOT_FOREGROUND
from gui.plot_items import plain_axes
from gui.walkthrough_common import FORWARD_COLOR, GRADIENT_COLOR, StagedView, StageText, fmt
from gui.walkthrough_graph import NeuronGraph
from gui.walkthrough_neuron_text import (
    FIRST_BACKWARD,
    N_STAGES,
    STAGE_TITLES,
    edge_labels,
    equation,
    relu_note,
    sentence,
    sum_note,
    update_summary,
)
from model.walkthrough import (
    CHAPTER_B,
    CHAPTER_W,
    CHAPTER_X,
    NeuronPass,
    neuron_descent,
    neuron_pass,
    neuron_update,
)

ERROR_COLOR = "#C62828"
VALUE_LIMIT = 1000.0
LEARNING_RATE = 0.001
MAX_LEARNING_RATE = 10.0
DESCENT_STEPS = 100
DESCENT_HINT = f"Press Run {DESCENT_STEPS} steps to plot y over {DESCENT_STEPS} updates"
#: Stage shown after an Update: the forward pass repeated, up to the output.
AFTER_UPDATE_STAGE = FIRST_BACKWARD - 1


class _Field:
    """One number the learner may type; ``problem`` says why a text is refused."""

    def __init__(self, name: str, value: float, low: float, high: float, *, open_low: bool):
        self.name = name
        self.low, self.high, self.open_low = low, high, open_low
        self.value = float(value)
        self.edit = QtWidgets.QLineEdit(fmt(value))
        self.edit.setObjectName(f"walkthrough_{name}_input")
        self.edit.setMaximumWidth(80)
        self.edit.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight)

    def allowed(self) -> str:
        bracket = "(" if self.open_low else "["
        return f"a number in {bracket}{fmt(self.low)}, {fmt(self.high)}]"

    def problem(self, text: str) -> str | None:
        try:
            number = float(text)
        except ValueError:
            return f"{self.name}: '{text}' is not a number; allowed: {self.allowed()}"
        too_low = number <= self.low if self.open_low else number < self.low
        if not math.isfinite(number) or too_low or number > self.high:
            return f"{self.name} = {text} is refused; allowed: {self.allowed()}"
        return None

    def show(self, value: float) -> None:
        self.value = float(value)
        self.edit.setText(fmt(value))
        self.edit.setStyleSheet("")


class NeuronView(StagedView):
    """The neuron's graph, its inputs, the current stage explained, Update and descent."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkthrough_neuron")
        self.updates_done = 0
        self.fields: dict[str, _Field] = {}
        self._problems: dict[str, str | None] = {}
        for i in range(3):
            self._add_field(f"x{i}", CHAPTER_X[i])
        for i in range(3):
            self._add_field(f"w{i}", CHAPTER_W[i])
        self._add_field("b", CHAPTER_B)
        self._add_field("lr", LEARNING_RATE, low=0.0, high=MAX_LEARNING_RATE, open_low=True)
        self._pass = self._compute()

        self.graph = NeuronGraph()
        self.explain = StageText("walkthrough_neuron_explain")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._build_inputs())
        self.message = QtWidgets.QLabel()
        self.message.setObjectName("walkthrough_neuron_message")
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        body = QtWidgets.QHBoxLayout()
        left = QtWidgets.QVBoxLayout()
        left.addWidget(self.graph, 5)
        legend = QtWidgets.QLabel(
            f"<span style='color:{FORWARD_COLOR}'>■ forward value</span> (above an edge)"
            f"&nbsp;&nbsp;&nbsp;<span style='color:{GRADIENT_COLOR}'>■ gradient</span> "
            "(below an edge)&nbsp;&nbsp;&nbsp;thick edges: this step"
        )
        legend.setObjectName("walkthrough_neuron_legend")
        left.addWidget(legend)
        left.addWidget(self._build_descent_plot(), 2)
        body.addLayout(left, 5)
        side = QtWidgets.QVBoxLayout()
        side.addWidget(self.explain)
        side.addLayout(self._build_update_row())
        self.update_label = QtWidgets.QLabel()
        self.update_label.setObjectName("walkthrough_update_label")
        self.update_label.setWordWrap(True)
        self.update_label.setStyleSheet("font-size: 10pt;")
        self.update_label.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        side.addWidget(self.update_label)
        side.addStretch(1)
        body.addLayout(side, 3)
        layout.addLayout(body, 1)
        self._show_stage()

    # ----------------------------------------------------------------- construction
    def _add_field(self, name, value, *, low=-VALUE_LIMIT, high=VALUE_LIMIT, open_low=False):
        field = _Field(name, value, low, high, open_low=open_low)
        what = {"x": "input", "w": "weight", "b": "bias", "l": "learning rate"}[name[0]]
        field.edit.setToolTip(f"The neuron's {what} {name}. Allowed: {field.allowed()}.")
        if name == "lr":
            field.edit.setToolTip(
                f"Learning rate of the Update step: w = w - lr·dw. Allowed: {field.allowed()}."
            )
        field.edit.textEdited.connect(lambda text, f=field: self._on_edited(f, text))
        field.edit.editingFinished.connect(lambda f=field: self._on_finished(f))
        self.fields[name] = field

    def _build_inputs(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        for name, field in self.fields.items():
            label = QtWidgets.QLabel("learning rate" if name == "lr" else name)
            label.setBuddy(field.edit)
            if name in ("w0", "b", "lr"):
                row.addSpacing(12)
            row.addWidget(label)
            row.addWidget(field.edit)
        row.addSpacing(12)
        self.chapter_button = QtWidgets.QPushButton("Chapter values")
        self.chapter_button.setObjectName("walkthrough_chapter_button")
        self.chapter_button.setToolTip("Back to x = [1, -2, 3], w = [-3, -1, 2], b = 1.")
        self.chapter_button.clicked.connect(self.reset_to_chapter)
        row.addWidget(self.chapter_button)
        row.addStretch(1)
        return row

    def _build_update_row(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        self.update_button = QtWidgets.QPushButton("Update (w -= lr·dw)")
        self.update_button.setObjectName("walkthrough_update_button")
        self.update_button.setToolTip(
            "One step of gradient descent (the engine's SGD): w = w - lr·dw, b = b - lr·db, "
            "then the forward pass again with the new weights."
        )
        self.update_button.clicked.connect(self.apply_update)
        self.descent_button = QtWidgets.QPushButton(f"Run {DESCENT_STEPS} steps")
        self.descent_button.setObjectName("walkthrough_descent_button")
        self.descent_button.setToolTip(
            f"Plot the output y over {DESCENT_STEPS} Update steps from the current values "
            "(the fields are left as they are)."
        )
        self.descent_button.clicked.connect(self.run_descent)
        row.addWidget(self.update_button)
        row.addWidget(self.descent_button)
        row.addStretch(1)
        return row

    def _build_descent_plot(self) -> pg.PlotWidget:
        self.descent_plot = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.descent_plot.setObjectName("walkthrough_descent_plot")
        self.descent_plot.setMinimumHeight(150)
        item = self.descent_plot.getPlotItem()
        plain_axes(item)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(PLOT_FOREGROUND))
            axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
        item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
        item.setLabel("bottom", "update step")
        item.setLabel("left", "output y")
        item.setTitle(DESCENT_HINT, size="9pt", color=PLOT_FOREGROUND)
        item.hideButtons()
        self.descent_curve = item.plot(
            pen=pg.mkPen(FORWARD_COLOR, width=2),
            symbol="o",
            symbolSize=3,
            symbolPen=None,
            symbolBrush=FORWARD_COLOR,
        )
        return self.descent_plot

    # ----------------------------------------------------------------- public API
    @property
    def stage_count(self) -> int:
        return N_STAGES

    @property
    def current_pass(self) -> NeuronPass:
        """The forward and backward values shown (``model.walkthrough.NeuronPass``)."""
        return self._pass

    @property
    def learning_rate(self) -> float:
        return self.fields["lr"].value

    def edge_text(self, name: str) -> str:
        """The forward value on edge ``name`` as shown, e.g. ``"xw0 = -3"`` ("" if hidden)."""
        return self.graph.edge_text(name)

    def edge_gradient(self, name: str) -> str:
        """The gradient under edge ``name`` as shown, e.g. ``"dw1 = -2"`` ("" if hidden)."""
        return self.graph.edge_gradient(name)

    def stage_title(self) -> str:
        return STAGE_TITLES[self.stage]

    def set_inputs(self, x, w, b: float) -> None:
        """Put new inputs, weights and bias in the fields and recompute every stage."""
        for i in range(3):
            self.fields[f"x{i}"].show(x[i])
            self.fields[f"w{i}"].show(w[i])
        self.fields["b"].show(b)
        for name in [*self._problems]:
            if name != "lr":
                self._show_problem(self.fields[name], None)
        self._recompute()

    def set_learning_rate(self, value: float) -> None:
        self.fields["lr"].show(value)
        self._show_problem(self.fields["lr"], None)

    @Slot()
    def reset_to_chapter(self) -> None:
        """The chapter's values, learning rate 0.001, stage 0, no update history."""
        self.updates_done = 0
        self.update_label.setText("")
        self.descent_curve.setData([], [])
        self.descent_plot.getPlotItem().setTitle(DESCENT_HINT, size="9pt", color=PLOT_FOREGROUND)
        self.set_learning_rate(LEARNING_RATE)
        self.set_inputs(CHAPTER_X, CHAPTER_W, CHAPTER_B)
        self.set_stage(0)

    @Slot()
    def apply_update(self) -> None:
        """One SGD step on w and b (``neuron_update``), then the forward pass again."""
        before = self._pass
        w, b = neuron_update(before.x, before.w, before.b, self.learning_rate)
        self.updates_done += 1
        self.set_inputs(before.x, w, b)
        self.update_label.setText(
            update_summary(before, self._pass, self.learning_rate, self.updates_done)
        )
        self.set_stage(AFTER_UPDATE_STAGE)

    @Slot()
    def run_descent(self) -> None:
        """Plot y over ``DESCENT_STEPS`` updates from the current values (``neuron_descent``)."""
        p = self._pass
        outputs = neuron_descent(p.x, p.w, p.b, self.learning_rate, DESCENT_STEPS)
        self.descent_curve.setData(np.arange(len(outputs)), outputs)
        self.descent_plot.getPlotItem().setTitle(
            f"y: {fmt(outputs[0])} → {fmt(outputs[-1])} after {DESCENT_STEPS} updates "
            f"(lr = {fmt(self.learning_rate)})",
            size="9pt",
            color=PLOT_FOREGROUND,
        )

    # ----------------------------------------------------------------- internals
    def _compute(self) -> NeuronPass:
        f = self.fields
        x = [f[f"x{i}"].value for i in range(3)]
        w = [f[f"w{i}"].value for i in range(3)]
        return neuron_pass(x, w, f["b"].value)

    def _recompute(self) -> None:
        self._pass = self._compute()
        self._show_stage()

    def _show_stage(self) -> None:
        stage, p = self.stage, self._pass
        for name, labels in edge_labels(p, stage).items():
            self.graph.set_edge(name, labels.value, labels.gradient, active=labels.active)
        self.graph.set_note("relu", relu_note(p, stage))
        self.graph.set_note("sum", sum_note(stage))
        direction = "forward" if stage < FIRST_BACKWARD else "backward"
        color = FORWARD_COLOR if direction == "forward" else GRADIENT_COLOR
        self.explain.show_stage(
            f"Step {stage + 1} of {N_STAGES} · "
            f"<span style='color:{color}'>{STAGE_TITLES[stage]}</span>",
            equation(p, stage),
            sentence(p, stage),
        )

    def _on_edited(self, field: _Field, text: str) -> None:
        self._show_problem(field, field.problem(text) if text else None)

    def _on_finished(self, field: _Field) -> None:
        text = field.edit.text()
        problem = field.problem(text)
        self._show_problem(field, problem)
        if problem is not None:
            return
        value = float(text)
        if value != field.value:
            field.value = value
            if field.name != "lr":
                self._recompute()

    def _show_problem(self, field: _Field, problem: str | None) -> None:
        self._problems[field.name] = problem
        field.edit.setStyleSheet("" if problem is None else f"border: 1px solid {ERROR_COLOR};")
        shown = [p for p in self._problems.values() if p]
        self.message.setText("\n".join(shown))
        self.message.setVisible(bool(shown))
