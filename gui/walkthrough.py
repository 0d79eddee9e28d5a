"""The Walkthrough tab: backpropagation step by step, in three parts.

1. *One neuron*: the chapter's ReLU neuron forward then backward, one operation per stage.
2. *Softmax + cross-entropy*: one sample's gradient by the Jacobian and by the shortcut.
3. *One sample through the network*: its backward pass, one layer per stage.

Next / Back (and the → / ← keys) step through the visible part. The panel only draws: the
window gives it the current network's logits and a sample's trace, computed in the thread
that owns the network, and hears ``sample_requested`` when the learner picks a sample here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Signal, Slot

from gui.walkthrough_common import StagedView
from gui.walkthrough_neuron import NeuronView
from gui.walkthrough_softmax import SoftmaxView
from gui.walkthrough_trace import TraceView
from model.walkthrough import LayerTrace

PART_NAMES = ("One neuron", "Softmax + cross-entropy", "One sample through the network")


class WalkthroughPanel(QtWidgets.QWidget):
    """Three step-by-step views of backpropagation sharing one pair of Next / Back buttons."""

    #: The learner chose sample ``index`` in the panel: the window should send its logits
    #: (``set_sample`` / ``set_dataset_logits``) and its trace (``set_network_trace``).
    sample_requested = Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkthrough_panel")
        # A click anywhere in the panel gives it the focus, so the arrow keys step.
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.ClickFocus)
        self.neuron = NeuronView()
        self.softmax = SoftmaxView()
        self.trace = TraceView()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("walkthrough_tabs")
        self.tabs.setDocumentMode(True)
        for view, name in zip(self.views, PART_NAMES, strict=True):
            self.tabs.addTab(view, name)
            view.stage_changed.connect(self._update_buttons)
        self.tabs.setTabToolTip(0, "The chapter's single ReLU neuron, forward then backward.")
        self.tabs.setTabToolTip(
            1, "One sample's softmax + cross-entropy gradient, by the Jacobian and by the shortcut."
        )
        self.tabs.setTabToolTip(2, "One sample's backward pass through the current network.")
        self.tabs.setCornerWidget(self._build_navigation(), QtCore.Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(self._update_buttons)
        layout.addWidget(self.tabs, 1)

        # Arrow keys step wherever the focus is in the panel, except in a text field, which
        # keeps them for its cursor. Space is left alone: the window uses it for start/stop.
        for key, slot in (
            (QtCore.Qt.Key.Key_Right, self.next),
            (QtCore.Qt.Key.Key_Left, self.back),
        ):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._update_buttons()

    def _build_navigation(self) -> QtWidgets.QWidget:
        bar = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(bar)
        row.setContentsMargins(4, 0, 4, 2)
        sample_label = QtWidgets.QLabel("Sample")
        self.sample_input = QtWidgets.QSpinBox()
        self.sample_input.setObjectName("walkthrough_sample_input")
        self.sample_input.setRange(0, 0)
        self.sample_input.setKeyboardTracking(False)
        self.sample_input.setEnabled(False)
        self.sample_input.setToolTip(
            "Index of the training sample shown in parts 2 and 3 (or click a point on the "
            "boundary plot)."
        )
        self.sample_input.valueChanged.connect(self._on_sample_typed)
        sample_label.setBuddy(self.sample_input)
        self.stage_label = QtWidgets.QLabel()
        self.stage_label.setObjectName("walkthrough_stage_label")
        self.back_button = QtWidgets.QPushButton("◀ Back")
        self.back_button.setObjectName("walkthrough_back_button")
        self.back_button.setToolTip("The previous stage (← key).")
        self.back_button.clicked.connect(self.back)
        self.next_button = QtWidgets.QPushButton("Next ▶")
        self.next_button.setObjectName("walkthrough_next_button")
        self.next_button.setToolTip("The next stage (→ key).")
        self.next_button.clicked.connect(self.next)
        for widget in (sample_label, self.sample_input):
            row.addWidget(widget)
        row.addSpacing(16)
        for widget in (self.stage_label, self.back_button, self.next_button):
            row.addWidget(widget)
        return bar

    # ----------------------------------------------------------------- public API
    @property
    def views(self) -> tuple[StagedView, StagedView, StagedView]:
        return self.neuron, self.softmax, self.trace

    def current_view(self) -> StagedView:
        return self.views[self.tabs.currentIndex()]

    def show_part(self, index: int) -> None:
        """Show part ``index``: 0 one neuron, 1 softmax, 2 the trace."""
        if not 0 <= index < len(PART_NAMES):
            raise ValueError(f"part must be 0..{len(PART_NAMES) - 1}, got {index}")
        self.tabs.setCurrentIndex(index)

    @Slot()
    def next(self) -> None:
        """One stage forward in the visible part (nothing at the last stage)."""
        self.current_view().next_stage()

    @Slot()
    def back(self) -> None:
        """One stage back in the visible part (nothing at the first stage)."""
        self.current_view().previous_stage()

    def sample_index(self) -> int | None:
        """The sample shown in parts 2 and 3, or None before the window sent one."""
        return self.sample_input.value() if self.sample_input.isEnabled() else None

    def set_sample(
        self,
        logits_row: np.ndarray,
        label: int,
        n_samples: int,
        class_names: Sequence[str] | None = None,
        *,
        sample_index: int | None = None,
    ) -> None:
        """Part 2: one sample's logits, shape (k,), its class and the batch size n."""
        self.softmax.set_sample(
            logits_row, label, n_samples, list(class_names or []), sample_index=sample_index
        )
        self._set_sample_range(n_samples, sample_index)

    def set_dataset_logits(
        self, logits: np.ndarray, y: np.ndarray, class_names: Sequence[str] | None = None
    ) -> None:
        """Part 2: the network's logits for the dataset, shape (n, k), and labels (n,).

        The panel then shows any sample the learner picks without asking again, and can
        time both roads on the whole dataset.
        """
        names = None if class_names is None else list(class_names)
        self.softmax.set_dataset_logits(logits, y, names)
        self._set_sample_range(len(y), self.softmax.sample_index)

    def set_network_trace(
        self, traces: Sequence[LayerTrace], sample_index: int, x: np.ndarray, label
    ) -> None:
        """Part 3: ``model.walkthrough.sample_trace``'s result (copies) for one sample."""
        self.trace.set_network_trace(traces, sample_index, x, label)
        self._show_index(sample_index)
        if self.softmax.sample_index != sample_index:
            self.softmax.show_dataset_sample(sample_index)

    @Slot()
    def clear(self) -> None:
        """Forget the sample, the logits and the trace (a new run or a new dataset)."""
        self.softmax.clear()
        self.trace.clear()
        self.sample_input.blockSignals(True)
        self.sample_input.setRange(0, 0)
        self.sample_input.setEnabled(False)
        self.sample_input.blockSignals(False)

    # ----------------------------------------------------------------- internals
    def _set_sample_range(self, n_samples: int, index: int | None) -> None:
        self.sample_input.blockSignals(True)
        self.sample_input.setRange(0, max(int(n_samples) - 1, 0))
        self.sample_input.setEnabled(True)
        self.sample_input.blockSignals(False)
        if index is not None:
            self._show_index(index)

    def _show_index(self, index: int) -> None:
        self.sample_input.blockSignals(True)
        if index > self.sample_input.maximum():
            self.sample_input.setMaximum(index)
        self.sample_input.setEnabled(True)
        self.sample_input.setValue(int(index))
        self.sample_input.blockSignals(False)

    @Slot(int)
    def _on_sample_typed(self, index: int) -> None:
        self.softmax.show_dataset_sample(index)
        self.sample_requested.emit(index)

    @Slot()
    def _update_buttons(self, *_args) -> None:
        view = self.current_view()
        self.back_button.setEnabled(view.can_go_back())
        self.next_button.setEnabled(view.can_go_next())
        self.stage_label.setText(f"step {view.stage + 1} / {view.stage_count}")
