"""The Optimizer group: the update rule, its hyperparameters, batch size and epoch limit.

Hyperparameters apply to the running training at once (between two epochs). Switching
the optimizer type applies at once too: a new optimizer of that type, with fresh state
(its momentums or caches start at zero); the weights stay.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from gui.fields import NumberField
from model.config import OptimizerConfig, TrainingConfig
from model.optimizers import HYPERPARAMETER_RANGES, OPTIMIZERS

#: (label, tooltip) per hyperparameter; the allowed values are the engine's
#: (``model.optimizers.HYPERPARAMETER_RANGES``), so a configuration the engine accepts opens
#: with every field valid.
HYPERPARAMETERS: dict[str, tuple[str, str]] = {
    "learning_rate": (
        "learning rate",
        "Step size: how far each update moves the weights against the gradient. "
        "Applies at once, even while training.",
    ),
    "decay": (
        "decay",
        "Learning-rate decay: lr / (1 + decay · iterations). Applies at once.",
    ),
    "momentum": (
        "momentum",
        "SGD momentum: the share of the previous update carried into the next. Applies at once.",
    ),
    "epsilon": (
        "epsilon",
        "Small number added to the denominator so no division by zero. Applies at once.",
    ),
    "rho": (
        "rho",
        "RMSprop cache decay: how fast old squared gradients are forgotten. Applies at once.",
    ),
    "beta_1": ("beta 1", "Adam's momentum decay (first moment). Applies at once."),
    "beta_2": ("beta 2", "Adam's cache decay (second moment). Applies at once."),
}
_TITLES = {
    "learning_rate": "Learning rate",
    "decay": "Decay",
    "momentum": "Momentum",
    "epsilon": "Epsilon",
    "rho": "Rho",
    "beta_1": "Beta 1",
    "beta_2": "Beta 2",
}


def optimizer_defaults(kind: str) -> dict[str, float]:
    """The book's defaults of optimizer ``kind``'s hyperparameters."""
    cls = OPTIMIZERS[kind]
    signature = inspect.signature(cls.__init__).parameters
    return {name: signature[name].default for name in cls.hyperparameters}


class OptimizerPanel(QGroupBox):
    """Optimizer type and hyperparameters (live), batch size (live) and epoch limit (live)."""

    #: One hyperparameter changed: (name, value). Applies at once.
    hyperparameter_changed = Signal(str, float)
    #: The optimizer type changed: the new optimizer's config dict. Applies at once.
    optimizer_changed = Signal(object)
    #: Batch size changed: 0 means full batch.
    batch_size_changed = Signal(int)
    epoch_limit_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Optimizer", parent)
        self.setObjectName("optimizer_group")
        self.setToolTip(
            "How the weights are updated. Everything here applies at once, even while "
            "training; a new optimizer type starts with fresh state."
        )
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form = form
        self.optimizer_combo = QComboBox()
        self.optimizer_combo.setObjectName("optimizer_combo")
        for name in OPTIMIZERS:
            self.optimizer_combo.addItem(name, name)
        self.optimizer_combo.setToolTip(
            "The update rule: SGD (with momentum), Adagrad, RMSprop or Adam. Switching applies "
            "at once with a fresh optimizer state (the weights stay)."
        )
        form.addRow("Optimizer", self.optimizer_combo)

        self.fields: dict[str, NumberField] = {}
        self.labels: dict[str, QLabel] = {}
        for name, (label, tip) in HYPERPARAMETERS.items():
            allowed = HYPERPARAMETER_RANGES[name]
            field = NumberField(
                f"{name}_input", 0.001, minimum=allowed.low, maximum=allowed.high,
                min_inclusive=allowed.low_inclusive, max_inclusive=allowed.high_inclusive,
                label=label, tooltip=tip,
            )  # fmt: skip
            field.value_changed.connect(
                lambda value, name=name: self.hyperparameter_changed.emit(name, value)
            )
            self.fields[name] = field
            self.labels[name] = QLabel(_TITLES[name])
            form.addRow(self.labels[name], field)
        self.learning_rate_input = self.fields["learning_rate"].edit

        self.batch_size_input = QSpinBox()
        self.batch_size_input.setObjectName("batch_size_input")
        self.batch_size_input.setRange(0, 1_000_000)
        self.batch_size_input.setSpecialValueText("full batch")
        self.batch_size_input.setToolTip(
            "Samples per update (1 to 1,000,000); 0 = full batch (every sample in one step, "
            "as the book's early chapters). Applies at once."
        )
        form.addRow("Batch size", self.batch_size_input)
        self.epoch_limit_input = QSpinBox()
        self.epoch_limit_input.setObjectName("epoch_limit_input")
        self.epoch_limit_input.setRange(1, 10_000_000)
        self.epoch_limit_input.setValue(10_001)
        self.epoch_limit_input.setGroupSeparatorShown(True)
        self.epoch_limit_input.setToolTip(
            "Training stops by itself at this epoch (1 to 10,000,000). Applies at once."
        )
        form.addRow("Epoch limit", self.epoch_limit_input)

        self.optimizer_combo.currentIndexChanged.connect(self._on_type_changed)
        self.batch_size_input.valueChanged.connect(self.batch_size_changed)
        self.epoch_limit_input.valueChanged.connect(self.epoch_limit_changed)
        self._show_fields(self.kind(), optimizer_defaults(self.kind()))

    # --- state ------------------------------------------------------------------------
    def kind(self) -> str:
        return self.optimizer_combo.currentData()

    def hyperparameters(self) -> dict[str, float]:
        return {name: self.fields[name].value() for name in OPTIMIZERS[self.kind()].hyperparameters}

    def section(self) -> dict[str, Any]:
        """The ``optimizer`` section of a run configuration."""
        return {"type": self.kind(), **self.hyperparameters()}

    def batch_size(self) -> int | None:
        value = self.batch_size_input.value()
        return None if value == 0 else value

    def training_section(self) -> dict[str, Any]:
        return {"epochs": self.epoch_limit_input.value(), "batch_size": self.batch_size()}

    def set_section(self, optimizer: OptimizerConfig, training: TrainingConfig) -> None:
        """Show a configuration without emitting any change."""
        for widget in (self.optimizer_combo, self.batch_size_input, self.epoch_limit_input):
            widget.blockSignals(True)
        try:
            self.optimizer_combo.setCurrentIndex(self.optimizer_combo.findData(optimizer.type))
            self.batch_size_input.setValue(min(training.batch_size or 0, 1_000_000))
            self.epoch_limit_input.setValue(training.epochs)
        finally:
            for widget in (self.optimizer_combo, self.batch_size_input, self.epoch_limit_input):
                widget.blockSignals(False)
        self._show_fields(optimizer.type, optimizer.hyperparameters())

    def fields_valid(self) -> bool:
        names = OPTIMIZERS[self.kind()].hyperparameters
        return all(self.fields[name].is_valid() for name in names)

    # --- reactions --------------------------------------------------------------------
    def _show_fields(self, kind: str, values: dict[str, float]) -> None:
        """Show only ``kind``'s hyperparameters, with ``values``."""
        own = OPTIMIZERS[kind].hyperparameters
        for name, field in self.fields.items():
            visible = name in own
            self._form.setRowVisible(field, visible)
            if visible:
                value = values.get(name)
                field.set_value(value if value is not None and math.isfinite(value) else 0.0)

    @Slot(int)
    def _on_type_changed(self, _index: int) -> None:
        kind = self.kind()
        defaults = optimizer_defaults(kind)
        self._show_fields(kind, defaults)
        self.optimizer_changed.emit({"type": kind, **defaults})
