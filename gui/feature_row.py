"""The row of input features (TF Playground's x1, x2, x1², x2², x1x2, sin x1, sin x2).

Each feature is a check box; the ticked ones, in the engine's order, become the network's
``InputFeatures`` layer at the next Reset (model/features.py). Ticking only x1 and x2 means
the raw coordinates: no features layer at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QWidget

from model.features import FEATURES, RAW_FEATURES, features_for

TITLES = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}
OBJECT_NAMES = {
    "x1": "feature_x1",
    "x2": "feature_x2",
    "x1^2": "feature_x1_squared",
    "x2^2": "feature_x2_squared",
    "x1*x2": "feature_x1_times_x2",
    "sin(x1)": "feature_sin_x1",
    "sin(x2)": "feature_sin_x2",
}
PER_LINE = 4
TIP = (
    "What the network is fed, as in TensorFlow Playground. x₁ and x₂ alone are the raw "
    "coordinates; tick x₁² and x₂² and even a network with no hidden layer separates the "
    "circles. sin x means sin(π·x): our data spans about -1..1, where sin x would be nearly "
    "a straight line. At least one input stays ticked. Applies at Reset."
)


class FeatureRow(QWidget):
    """Check boxes for the input features. ``changed`` fires when the user ticks one."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feature_row")
        self.setToolTip(TIP)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, name in enumerate(FEATURES):
            box = QCheckBox(TITLES[name])
            box.setObjectName(OBJECT_NAMES[name])
            box.setToolTip(f"{TITLES[name]}: {FEATURES[name][1]}.\n{TIP}")
            box.setChecked(name in RAW_FEATURES)
            box.toggled.connect(self._on_toggled)
            grid.addWidget(box, i // PER_LINE, i % PER_LINE)
            self.boxes[name] = box
        self.message = QLabel("Keep at least one input ticked.")
        self.message.setObjectName("feature_message")
        self.message.setStyleSheet("color: #B00020;")
        self.message.setVisible(False)
        grid.addWidget(self.message, 2, 0, 1, PER_LINE)
        self._n_inputs = 2

    def features(self) -> list[str] | None:
        """The ticked features in the engine's order; None when they are the raw coordinates."""
        chosen = [name for name, box in self.boxes.items() if box.isChecked() and box.isEnabled()]
        return None if tuple(chosen) == RAW_FEATURES[: self._n_inputs] else chosen

    @staticmethod
    def titles(names: Sequence[str]) -> list[str]:
        return [TITLES[name] for name in names]

    def set_features(self, names: Sequence[str] | None) -> None:
        """Tick ``names`` (None: the raw coordinates) without emitting ``changed``."""
        wanted = set(RAW_FEATURES if names is None else names)
        for name, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(name in wanted)
            box.blockSignals(False)
        self.message.setVisible(False)
        self._keep_one()

    def set_n_inputs(self, n_inputs: int) -> None:
        """Data with one column (the sine) offers only the features of x₁."""
        self._n_inputs = n_inputs
        offered = features_for(n_inputs)
        for name, box in self.boxes.items():
            box.setEnabled(name in offered)
        self._keep_one()

    def _keep_one(self) -> None:
        if not any(box.isChecked() and box.isEnabled() for box in self.boxes.values()):
            first = self.boxes["x1"]
            first.blockSignals(True)
            first.setChecked(True)
            first.blockSignals(False)

    @Slot(bool)
    def _on_toggled(self, checked: bool) -> None:
        box = self.sender()
        if not checked and not any(b.isChecked() and b.isEnabled() for b in self.boxes.values()):
            box.blockSignals(True)
            box.setChecked(True)  # the last input stays: a network needs one
            box.blockSignals(False)
            self.message.setVisible(True)
            return
        self.message.setVisible(False)
        self.changed.emit()
