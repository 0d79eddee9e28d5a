"""The window's side of the Walkthrough tab: its layout, the chosen sample, and drawing
what the worker computed for it.

While the tab is shown, the boundary plot moves beside the walkthrough (the docks step
aside to make room; Start and Step sit under the plot) and a click on it picks the nearest
training point instead of adding one. The sample's trace and the dataset's logits are
computed by the worker, in the thread that owns the network, and arrive as copies
(``SampleTrace``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, QTimer, Signal, Slot

from gui.snapshot import RunInfo, SampleTrace

if TYPE_CHECKING:
    from gui.main_window import MainWindow

MARKER_COLOR = "#000000"
MARKER_SIZE = 22
WALKTHROUGH_TAB = 1
#: The walkthrough's width beside the plot (more if its numbers need it).
PANEL_WIDTH = 960
NOT_SOFTMAX = (
    "<b>Not available for this run.</b> This part follows a sample through softmax + "
    "categorical cross-entropy, and this network ends in {ending}. {fix} and press Reset to "
    "see it; parts 1 and 3 work for every network."
)
ENDINGS = {
    "binary": ("a sigmoid with binary cross-entropy", "Set Output to Automatic (softmax)"),
    "regression": (
        "a linear output with mean squared error (the data is regression)",
        "Choose a classification dataset",
    ),
}


class WalkthroughLink(QObject):
    """Connects the Walkthrough panel to the window, the boundary plot and the worker."""

    #: A sample's trace was drawn in the panel: its index.
    sample_shown = Signal(int)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.panel = window.walkthrough_panel
        #: The training sample of parts 2 and 3 (the first by default).
        self.sample = 0
        self._active = False
        self._not_softmax = ""  # why part 2 does not apply to this run ("" when it does)
        self._dock_state: QByteArray | None = None
        self._window_size: QSize | None = None
        self._splitter_sizes: list[int] | None = None
        self.marker = pg.ScatterPlotItem(
            size=MARKER_SIZE, brush=pg.mkBrush(None), pen=pg.mkPen(MARKER_COLOR, width=3)
        )
        self.marker.setZValue(15)
        self.marker.hide()
        window.boundary_plot.plot_item.addItem(self.marker)
        window.center_tabs.currentChanged.connect(self._on_tab_changed)
        self.panel.sample_requested.connect(self.pick)
        # The panel's tables grow with the numbers: refit when its layout changes.
        self.panel.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.panel and event.type() == QEvent.Type.LayoutRequest and self._active:
            QTimer.singleShot(0, self, self._fit_panel)  # once the layout has been redone
        return super().eventFilter(watched, event)

    @property
    def active(self) -> bool:
        """Whether the Walkthrough tab is the one shown."""
        return self._active

    # --- the tab ------------------------------------------------------------------------
    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if index == WALKTHROUGH_TAB and not self._active:
            self._enter()
        elif index != WALKTHROUGH_TAB and self._active:
            self._leave()

    def _enter(self) -> None:
        w = self.window
        self._active = True
        self._splitter_sizes = w.plot_splitter.sizes()
        self._dock_state = w.saveState()
        self._window_size = w.size()
        # The walkthrough needs the width: the docks step aside while it is shown (the
        # picker column has Start and Step).
        docks = (w.controls_dock, w.inspector_dock, w.neurons_dock, w.hidden_space_dock)
        for dock in (*docks, w.network_graph_dock):
            dock.hide()
        w.picker_layout.insertWidget(1, w.boundary_plot, 1)
        self._fit_panel()
        w.boundary_plot.class_label.hide()
        w.boundary_plot.clear_overlay()
        self._place_marker()
        self.marker.show()
        if getattr(w, "worker_thread", None) is not None:
            w.worker.show_sample(self.sample)
            w.request_explanation()

    def _leave(self) -> None:
        w = self.window
        self._active = False
        self._fit_panel()
        w.plot_splitter.insertWidget(0, w.boundary_plot)
        if self._splitter_sizes:
            w.plot_splitter.setSizes(self._splitter_sizes)
        if self._dock_state is not None:
            w.restoreState(self._dock_state)
        # The docks come back at their widths beside a central area still as wide as the
        # walkthrough made it, and the window grows past the screen once the layout
        # settles: give it back its size then (the link as context: no call after the window).
        QTimer.singleShot(0, self, self._restore_window_size)
        w.boundary_plot.class_label.show()
        self.marker.hide()
        if getattr(w, "worker_thread", None) is not None:
            w.worker.show_sample(None)

    @Slot()
    def _restore_window_size(self) -> None:
        w = self.window
        if self._active:
            return
        if self._window_size is not None and not (w.isMaximized() or w.isFullScreen()):
            w.resize(self._window_size)
        if self._dock_state is not None:  # again, now that they have the room they had
            w.restoreState(self._dock_state)

    @Slot()
    def _fit_panel(self) -> None:
        """While shown, the walkthrough has at least its natural size and the plot gets
        the rest; otherwise its holder may shrink, so the Training tab and its docks never
        pay for the walkthrough's width."""
        holder = self.window.walkthrough_page.widget(1)
        if not self._active:
            holder.setMinimumSize(1, 1)
            return
        # At least its minimum, its tabs unscrolled, and one width for every run, so the
        # plot does not jump when a run without softmax numbers comes along.
        tabs = self.panel.tabs
        width = max(
            self.panel.minimumSizeHint().width(),
            tabs.tabBar().sizeHint().width() + tabs.cornerWidget().sizeHint().width() + 24,
            PANEL_WIDTH,
        )
        need = QSize(width, self.panel.minimumSizeHint().height())
        holder.setMinimumSize(need)
        page = self.window.walkthrough_page
        sizes = page.sizes()
        if sizes[1] < need.width():  # the plot gives way (it gets what the window has beyond)
            page.setSizes([max(sum(sizes) - need.width(), 1), need.width()])

    def show_training(self) -> None:
        """Back to the Training tab (the window does this before saving its layout)."""
        self.window.center_tabs.setCurrentIndex(0)

    # --- the sample ---------------------------------------------------------------------
    @Slot(float, float, int)
    def on_plot_clicked(self, x: float, y: float, k: int) -> None:
        """A click on the boundary plot: beside the walkthrough it picks the training point
        there; otherwise it adds a point of class ``k``."""
        if self._active:
            self.pick_at(x, y)
        else:
            self.window.points.add(x, y, k)

    @Slot(int)
    def on_plot_ctrl_clicked(self, index: int) -> None:
        """Ctrl+click removes a training point, except beside the walkthrough."""
        if not self._active:
            self.window.points.remove(index)

    def pick_at(self, x: float, y: float) -> None:
        """A click on the boundary plot at (x, y): pick the training point there."""
        index = self.window.boundary_plot.nearest_training_point(x, y)
        if index is None:
            self.window.statusBar().showMessage(
                "No training point there: click on a filled point to follow it.", 4000
            )
            return
        self.pick(index)

    @Slot(int)
    def pick(self, index: int) -> None:
        """Show training sample ``index`` in parts 2 and 3 (the worker computes its trace)."""
        info = self.window.info
        if info is None or not 0 <= index < len(info.X_train):
            return
        self.sample = int(index)
        self._place_marker()
        w = self.window
        if getattr(w, "worker_thread", None) is not None and self._active:
            w.worker.show_sample(self.sample)
            w.request_explanation()

    def show(self, traced: SampleTrace) -> None:
        """Draw what the worker computed for the sample (ignored when stale)."""
        info = self.window.info
        if not self._active or info is None or traced.index >= len(info.X_train):
            return
        if traced.index != self.sample and self.sample < len(info.X_train):
            return  # computed before the learner picked another sample
        panel = self.panel
        if traced.logits is not None:
            n = len(traced.logits)
            if n != len(info.X_train):
                return  # computed on points since edited
            if panel.softmax.dataset_size() != n:
                panel.set_dataset_logits(traced.logits, traced.labels)
            else:  # keeps the timings shown; the panel's dataset serves typed indices at once
                row = traced.index
                panel.set_sample(traced.logits[row], int(traced.labels[row]), n, sample_index=row)
        panel.set_network_trace(list(traced.traces), traced.index, traced.x, traced.label)
        if traced.index != self.sample:
            self.sample = traced.index
            self._place_marker()
        self.sample_shown.emit(traced.index)

    def reset(self, info: RunInfo) -> None:
        """A new run (Reset, a loaded model): forget what was shown, keep the sample if it
        still exists; the worker sends the new network's numbers."""
        self._not_softmax = ""
        if not info.softmax_output:
            ending, fix = ENDINGS.get(info.task, ("another output", "Choose a classification run"))
            self._not_softmax = NOT_SOFTMAX.format(ending=ending, fix=fix)
        self.data_changed()

    def data_changed(self) -> None:
        """The training points changed: forget the trace until the worker sends a new one."""
        self.panel.clear()
        if self._not_softmax:
            self.panel.softmax.header.setText(self._not_softmax)
        info = self.window.info
        if info is not None and self.sample >= len(info.X_train):
            self.sample = 0  # the worker falls back to the first sample too
            w = self.window
            if self._active and getattr(w, "worker_thread", None) is not None:
                w.worker.show_sample(0)
        self._place_marker()

    def _place_marker(self) -> None:
        info = self.window.info
        if info is None or not 0 <= self.sample < len(info.X_train):
            self.marker.setData([], [])
            return
        x = info.X_train[self.sample]
        if info.task == "regression":
            point = (float(x[0]), float(np.asarray(info.y_train[self.sample]).reshape(-1)[0]))
        else:
            point = (float(x[0]), float(x[1]))
        self.marker.setData([point[0]], [point[1]])
