"""Part 3 of the walkthrough: one training sample's backward pass through the whole
network, one layer per stage, from the loss at the top down to the inputs.

The window computes the trace with ``model.walkthrough.sample_trace`` in the thread that owns
the network and hands over copies; this view only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Slot

from gui.colors import PLOT_BACKGROUND, PLOT_FOREGROUND, REFERENCE_LINE_COLOR
from gui.inspector_heatmaps import Heatmap, index_tick_step
from gui.plot_items import plain_axes
from gui.walkthrough_common import (
    FORWARD_COLOR,
    GRADIENT_COLOR,
    INACTIVE_COLOR,
    StagedView,
    StageText,
    fmt,
)
from model.walkthrough import LayerTrace

PLACEHOLDER = (
    "No sample yet: pick a training point (click it on the boundary plot, or type its index "
    "above) to follow its gradient back through the network."
)
DWEIGHTS_TIP = (
    "This sample's contribution to the layer's dweights: its inputs (rows) times the "
    "dvalues arriving at each neuron (columns). Red positive, blue negative, scale "
    "symmetric around 0. Summed over all samples these give the batch's dweights."
)
TICK_POINTS = 8


def _bar_plot(title: str) -> pg.PlotItem:
    plot = pg.PlotItem()
    plain_axes(plot)
    plot.setTitle(title, size="9pt", color=PLOT_FOREGROUND)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    font = QtGui.QFont()
    font.setPointSize(TICK_POINTS)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.setPen(pg.mkPen(PLOT_FOREGROUND))
        axis.setTextPen(pg.mkPen(PLOT_FOREGROUND))
    plot.getAxis("left").setWidth(52)
    # A long title must not make the plot wider than its view: let it be clipped instead.
    plot.titleLabel.setSizePolicy(
        QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed
    )
    plot.addLine(y=0, pen=pg.mkPen(REFERENCE_LINE_COLOR, width=1))
    return plot


def _vector(values: np.ndarray, limit: int = 8) -> str:
    """``[0.12, -0.5, …]``: the first ``limit`` entries of a gradient vector."""
    shown = ", ".join(fmt(v, 3) for v in values[:limit])
    return f"[{shown}{', …' if len(values) > limit else ''}]"


class TraceView(StagedView):
    """The layer stack (current layer highlighted), the gradients in and out as bars, and
    the layer's per-sample dweights as a heatmap."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkthrough_trace")
        self.traces: list[LayerTrace] = []
        self.sample_index: int | None = None
        self.x: np.ndarray | None = None
        self.label: int | None = None

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.header = QtWidgets.QLabel(PLACEHOLDER)
        self.header.setObjectName("walkthrough_trace_header")
        self.header.setWordWrap(True)
        layout.addWidget(self.header)

        body = QtWidgets.QHBoxLayout()
        left = QtWidgets.QVBoxLayout()
        stack_title = QtWidgets.QLabel("<b>Layers</b> (backward: top to bottom)")
        left.addWidget(stack_title)
        self.layer_list = QtWidgets.QListWidget()
        self.layer_list.setObjectName("walkthrough_layer_list")
        self.layer_list.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.layer_list.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)

        self.layer_list.setToolTip("Click a layer to jump to it.")
        self.layer_list.itemClicked.connect(self._on_layer_clicked)
        left.addWidget(self.layer_list, 0)
        self.explain = StageText("walkthrough_trace_explain")
        left.addWidget(self.explain, 1)
        left_box = QtWidgets.QWidget()
        left_box.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)
        left_box.setFixedWidth(280)
        body.addWidget(left_box, 0)

        self.bars_view = pg.GraphicsLayoutWidget()
        self.bars_view.setBackground(PLOT_BACKGROUND)
        self.bars_view.setObjectName("walkthrough_trace_bars")
        self.arriving_plot = _bar_plot("dvalues arriving")
        self.sent_plot = _bar_plot("dinputs sent on")
        self.arriving_bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.sent_bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.arriving_plot.addItem(self.arriving_bars)
        self.sent_plot.addItem(self.sent_bars)
        self.bars_view.addItem(self.arriving_plot, row=0, col=0)
        self.bars_view.addItem(self.sent_plot, row=1, col=0)
        body.addWidget(self.bars_view, 3)

        self.heatmap_view = pg.GraphicsLayoutWidget()
        self.heatmap_view.setBackground(PLOT_BACKGROUND)
        self.heatmap_view.setObjectName("walkthrough_trace_heatmap")
        self.dweights_map = Heatmap(self.heatmap_view.ci, 0, "dweights", DWEIGHTS_TIP)
        self.no_weights_label = QtWidgets.QLabel()
        self.no_weights_label.setObjectName("walkthrough_no_weights_label")
        self.no_weights_label.setWordWrap(True)
        self.no_weights_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.no_weights_label.setStyleSheet(f"color: {REFERENCE_LINE_COLOR}; font-size: 11pt;")
        self.right = QtWidgets.QStackedWidget()
        self.right.addWidget(self.heatmap_view)
        self.right.addWidget(self.no_weights_label)
        body.addWidget(self.right, 3)
        layout.addLayout(body, 1)
        self._show_stage()

    # ----------------------------------------------------------------- public API
    @property
    def stage_count(self) -> int:
        return max(1, len(self.traces))

    @property
    def dweights_image(self) -> pg.ImageItem:
        return self.dweights_map.image

    def stage_title(self) -> str:
        return self.traces[self.stage].name if self.traces else ""

    def current_trace(self) -> LayerTrace | None:
        return self.traces[self.stage] if self.traces else None

    def set_network_trace(
        self,
        traces: Sequence[LayerTrace],
        sample_index: int,
        x: np.ndarray,
        label,
    ) -> None:
        """Show a sample's trace (``sample_trace``'s list, top first). The stage is kept
        when the network has as many layers as before, else it starts at the top."""
        same_shape = len(traces) == len(self.traces)
        self.traces = list(traces)
        self.sample_index = int(sample_index)
        self.x = np.asarray(x).reshape(-1)
        self.label = label
        self.layer_list.clear()
        self.layer_list.addItems(_display_names(self.traces))
        rows = self.layer_list.sizeHintForRow(0) * len(self.traces) if self.traces else 0
        self.layer_list.setFixedHeight(min(rows + 2 * self.layer_list.frameWidth() + 4, 260))
        self.set_stage(self.stage if same_shape else 0)

    def clear(self) -> None:
        self.traces = []
        self.sample_index = self.x = self.label = None
        self.layer_list.clear()
        self.set_stage(0)

    def arriving_heights(self) -> np.ndarray:
        return np.asarray(self.arriving_bars.opts.get("height", []))

    def sent_heights(self) -> np.ndarray:
        return np.asarray(self.sent_bars.opts.get("height", []))

    # ----------------------------------------------------------------- drawing
    def _show_stage(self) -> None:
        trace = self.current_trace()
        if trace is None:
            self.header.setText(PLACEHOLDER)
            self._set_bars(self.arriving_bars, np.zeros(0), [])
            self._set_bars(self.sent_bars, np.zeros(0), [])
            self.dweights_map.show(None)
            self.no_weights_label.setText("")
            self.right.setCurrentWidget(self.no_weights_label)
            self.explain.show_stage("", "", "")
            return
        x_text = ", ".join(fmt(v, 3) for v in self.x)
        self.header.setText(
            f"<b>Sample {self.sample_index}</b> · x = ({x_text}) · {_target_text(self.label)} · "
            "its backward pass, from the loss (top) to the inputs (bottom)"
        )
        names = _display_names(self.traces)
        for row in range(self.layer_list.count()):
            item = self.layer_list.item(row)
            current = row == self.stage
            item.setText(("▶ " if current else "   ") + names[row])
            font = item.font()
            font.setBold(current)
            item.setFont(font)
            item.setBackground(QtGui.QColor("#FBE3D6" if current else "#FFFFFF"))
        self.layer_list.scrollToItem(self.layer_list.item(self.stage))
        self._draw_trace(trace)
        title = f"Layer {self.stage + 1} of {len(self.traces)} · {names[self.stage]}"
        last = self.stage == len(self.traces) - 1
        self.explain.show_stage(title, *_stage_text(trace, last, is_top=self.stage == 0))

    def _draw_trace(self, trace: LayerTrace) -> None:
        arriving = np.asarray(trace.dvalues, dtype=float)
        sent = np.asarray(trace.dinputs, dtype=float)
        if trace.kind == "Softmax+loss":
            self.arriving_plot.setTitle(
                f"softmax outputs s of the {len(arriving)} classes", size="9pt"
            )
            colors = [FORWARD_COLOR] * len(arriving)
        elif trace.mask is not None:
            alive = int(np.count_nonzero(trace.mask))
            self.arriving_plot.setTitle(
                f"dvalues arriving (grey: {len(arriving) - alive} stopped by ReLU)",
                size="9pt",
            )
            colors = [GRADIENT_COLOR if m else INACTIVE_COLOR for m in trace.mask]
        else:
            self.arriving_plot.setTitle(
                f"dvalues arriving at the {len(arriving)} outputs", size="9pt"
            )
            colors = [GRADIENT_COLOR] * len(arriving)
        self._set_bars(self.arriving_bars, arriving, colors)
        self.sent_plot.setTitle(f"dinputs sent on ({len(sent)} values)", size="9pt")
        self._set_bars(self.sent_bars, sent, [GRADIENT_COLOR] * len(sent))
        for plot, values in ((self.arriving_plot, arriving), (self.sent_plot, sent)):
            top = float(np.max(np.abs(values))) if values.size else 1.0
            top = top if top > 0 else 1.0
            plot.setYRange(-top * 1.05, top * 1.05, padding=0)
            plot.setXRange(-0.6, max(len(values), 1) - 0.4, padding=0)
            step = index_tick_step(max(len(values), 1))
            plot.getAxis("bottom").setTickSpacing(step, step)  # whole indices: no "1.5"
        if trace.dweights is not None:
            n_in, n_out = trace.dweights.shape
            self.dweights_map.set_title(f"this sample's dweights ({n_in}×{n_out})")
            self.dweights_map.show(np.asarray(trace.dweights))
            self.right.setCurrentWidget(self.heatmap_view)
        else:
            self.dweights_map.show(None)
            self.no_weights_label.setText(_no_weights_text(trace))
            self.right.setCurrentWidget(self.no_weights_label)

    @staticmethod
    def _set_bars(bars: pg.BarGraphItem, values: np.ndarray, colors: list[str]) -> None:
        bars.setOpts(
            x=np.arange(len(values)),
            height=values,
            brushes=[pg.mkBrush(c) for c in colors],
            pen=pg.mkPen(None),
            pens=None,  # a list of pens breaks pyqtgraph 0.14 when it is empty
        )

    @Slot(QtWidgets.QListWidgetItem)
    def _on_layer_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        self.set_stage(self.layer_list.row(item))


def _display_names(traces: Sequence[LayerTrace]) -> list[str]:
    """Layer names for the list: an activation is named after the Dense layer it follows
    in the forward pass (the next one down in the trace), e.g. "ReLU after Dense 2"."""
    names = []
    for i, trace in enumerate(traces):
        below = traces[i + 1] if i + 1 < len(traces) else None
        if trace.kind not in ("Dense", "Softmax+loss") and below is not None:
            names.append(f"{trace.name} after {below.name.split(' (')[0]}")
        else:
            names.append(trace.name)
    return names


def _no_weights_text(trace: LayerTrace) -> str:
    if trace.kind == "Softmax+loss":
        return (
            "Softmax and the loss have no weights.\n\nTheir gradient goes to the last Dense "
            "layer's outputs (the logits): press Next."
        )
    return (
        f"{trace.kind} has no weights: it only shapes the gradient on its way down.\n\n"
        "The next Dense layer turns it into dweights: press Next."
    )


def _target_text(label) -> str:
    """ "class 2" for a class label, "target 0.841" for a regression target."""
    values = np.asarray(label).reshape(-1)
    if values.size == 1 and np.issubdtype(values.dtype, np.integer):
        return f"class {int(values[0])}"
    return "target " + ", ".join(fmt(v, 3) for v in values)


def _stage_text(trace: LayerTrace, is_first_layer: bool, *, is_top: bool) -> tuple[str, str]:
    """(equation, sentence) for one layer of the trace, with its numbers."""
    arriving = np.asarray(trace.dvalues)
    if trace.kind == "Softmax+loss":
        return (
            f"dinputs = (s − onehot) / n\ns = {_vector(arriving, 4)}",
            "The backward pass starts at the loss: softmax and cross-entropy together send "
            "back s − onehot, divided by the n samples of the batch. It pushes the correct "
            "class's logit up and the others down.",
        )
    if trace.kind == "Dense":
        n_in, n_out = trace.dweights.shape
        tail = (
            "These dinputs are the gradient with respect to the data point itself: no layer "
            "is left to use them."
            if is_first_layer
            else "It sends dinputs on to the layer below."
        )
        return (
            f"dweights = inputsᵀ·dvalues\n"
            f"         = ({n_in}×1)·(1×{n_out})\n"
            f"dbiases  = dvalues\n"
            f"dinputs  = dvalues·weightsᵀ",
            "A Dense layer uses the dvalues arriving at its neurons twice: times its inputs "
            "they give this sample's share of dweights (the heatmap), times its weights the "
            f"gradient on its inputs. {tail} In the heatmap, a white row is an input that "
            "was 0 for this sample; a white column, a neuron that got no gradient.",
        )
    if trace.mask is not None:
        alive = int(np.count_nonzero(trace.mask))
        return (
            f"dinputs = dvalues·(inputs > 0)\n{alive} of {len(trace.mask)} units pass",
            "ReLU's derivative is 1 where its input was positive for this sample and 0 "
            "elsewhere: the grey units send nothing back, so the weights that feed them get "
            "no gradient from this sample.",
        )
    top = (
        "The dvalues arriving here are the loss's gradient with respect to the network's "
        "output, divided by the n samples. "
        if is_top
        else ""
    )
    return (
        f"dinputs = dvalues · {trace.kind}'(inputs)",
        f"{top}{trace.kind} multiplies the arriving gradient by its derivative at this "
        "sample's input and sends the result on. It has no weights of its own.",
    )
