"""The top of the control column: Start, Stop, Step, Reset, the epoch and the presets."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QWidget,
)

from model.run import PRESET_DESCRIPTIONS, PRESETS

PRESET_PLACEHOLDER = "Load a preset…"
BANNER_STYLE = (
    "QLabel { background: #fff3c4; color: #5a4500; border: 1px solid #e0c060; "
    "border-radius: 3px; padding: 4px 8px; }"
)
ERROR_BANNER_STYLE = (
    "QLabel { background: #fde0e0; color: #7a1010; border: 1px solid #e08080; "
    "border-radius: 3px; padding: 4px 8px; }"
)


class RunControls(QGroupBox):
    """The buttons that drive training, and the book's presets one click away."""

    preset_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.setObjectName("run_group")
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(4)

        self.start_button = QPushButton("▶ Start")
        self.start_button.setObjectName("start_button")
        self.start_button.setToolTip("Train until stopped or the epoch limit (Space).")
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setObjectName("stop_button")
        self.stop_button.setToolTip("Stop after the current epoch; the weights are kept (Space).")
        self.step_button = QPushButton("Step")
        self.step_button.setObjectName("step_button")
        self.step_button.setToolTip("Train exactly one epoch and show everything (Ctrl+E).")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setObjectName("reset_button")
        self.reset_button.setToolTip(
            "New weights from the current settings; curves cleared. Data and network changes "
            "apply here (Ctrl+R)."
        )
        for col, button in enumerate(
            (self.start_button, self.stop_button, self.step_button, self.reset_button)
        ):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            grid.addWidget(button, 0, col)

        self.epoch_label = QLabel("Epoch 0")
        self.epoch_label.setObjectName("epoch_label")
        self.epoch_label.setToolTip("Epochs trained since the last Reset.")
        self.epoch_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        grid.addWidget(self.epoch_label, 1, 0, 1, 2)
        self.state_label = QLabel("idle")
        self.state_label.setObjectName("state_label")
        self.state_label.setToolTip("What the trainer is doing.")
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.state_label, 1, 2, 1, 2)

        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("preset_combo")
        self.preset_combo.addItem(PRESET_PLACEHOLDER, None)
        for name in PRESETS:
            self.preset_combo.addItem(PRESET_DESCRIPTIONS.get(name, name), name)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1,
                PRESET_DESCRIPTIONS.get(name, name),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.preset_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.preset_combo.setMinimumContentsLength(24)
        self.preset_combo.setToolTip(
            "The book's runs, one click away: choosing one sets every control and resets."
        )
        grid.addWidget(self.preset_combo, 2, 0, 1, 4)
        self.preset_combo.activated.connect(self._on_preset)

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        if name:
            self.preset_chosen.emit(name)

    def show_preset(self, name: str | None) -> None:
        """Show ``name`` as the current preset (None: the placeholder)."""
        index = self.preset_combo.findData(name) if name else 0
        self.preset_combo.setCurrentIndex(max(index, 0))

    def set_state(self, running: bool, stopping: bool = False) -> None:
        """Enable the buttons that make sense now."""
        self.start_button.setEnabled(not running)
        self.step_button.setEnabled(not running)
        self.stop_button.setEnabled(running and not stopping)
        self.state_label.setText("stopping…" if stopping else "training" if running else "idle")


class _Banner(QLabel):
    """A message strip; the red one hides when clicked."""

    def __init__(self, dismissable: bool) -> None:
        super().__init__()
        self._dismissable = dismissable

    def mousePressEvent(self, event) -> None:
        if self._dismissable:
            self.hide()
        super().mousePressEvent(event)


def banner(object_name: str, error: bool = False) -> QLabel:
    """A hidden, word-wrapped message strip (yellow, or red for ``error``, click to hide)."""
    label = _Banner(dismissable=error)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_BANNER_STYLE if error else BANNER_STYLE)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.hide()
    return label
