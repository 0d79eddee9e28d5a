"""The Network group: hidden layers, their width, activation, dropout and regularization."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.feature_row import FeatureRow
from gui.fields import NumberField
from model.build import HIDDEN_ACTIVATIONS
from model.config import MAX_HIDDEN_LAYERS, MAX_WIDTH, NetworkConfig
from model.layers import WEIGHT_INITS

MAX_SEED = 2**31 - 1
_ACTIVATION_TITLES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}
_OUTPUT_NAMES = {"classification": "Softmax", "binary": "Sigmoid", "regression": "Linear"}
_LOSS_NAMES = {
    "classification": "cross-entropy",
    "binary": "binary cross-entropy",
    "regression": "mean squared error",
}


def _per_layer(value: Any, n: int) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


class _LayerRow:
    """The widgets of one hidden layer: width, activation, dropout, L1, L2."""

    def __init__(self, grid: QGridLayout, index: int, changed: Signal) -> None:
        n = index + 1
        self.label = QLabel(f"{n}")
        self.width = QSpinBox()
        self.width.setObjectName(f"neurons_input_{index}")
        self.width.setRange(1, MAX_WIDTH)
        self.width.setValue(64)
        self.width.setToolTip(f"Neurons in hidden layer {n} (1 to {MAX_WIDTH}).")
        self.activation = QComboBox()
        self.activation.setObjectName(f"activation_combo_{index}")
        for name in HIDDEN_ACTIVATIONS:
            self.activation.addItem(_ACTIVATION_TITLES.get(name, name), name)
        self.activation.setToolTip(f"Activation function after hidden layer {n}.")
        self.dropout = QDoubleSpinBox()
        self.dropout.setObjectName(f"dropout_input_{index}")
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.dropout.setDecimals(2)
        self.dropout.setToolTip(
            f"Dropout rate after hidden layer {n} (0 to 0.9): the share of its outputs "
            "zeroed at random in each training step (never when predicting)."
        )
        reg = "the weights (and biases, if ticked below) of hidden layer"
        self.l1 = NumberField(
            f"l1_input_{index}", 0.0, minimum=0.0, maximum=10.0, label="L1",
            tooltip=f"L1 penalty λ·Σ|w| on {reg} {n}.",
        )  # fmt: skip
        self.l2 = NumberField(
            f"l2_input_{index}", 0.0, minimum=0.0, maximum=10.0, label="L2",
            tooltip=f"L2 penalty λ·Σw² on {reg} {n}; the book uses 5e-4.",
        )  # fmt: skip
        for field in (self.l1, self.l2):
            field.edit.setFixedWidth(54)
        self.width.setFixedWidth(62)
        self.activation.setFixedWidth(84)
        self.dropout.setFixedWidth(60)
        row = index + 1
        for col, widget in enumerate(
            (self.label, self.width, self.activation, self.dropout, self.l1, self.l2)
        ):
            grid.addWidget(widget, row, col)
        self.width.valueChanged.connect(changed)
        self.activation.currentIndexChanged.connect(changed)
        self.dropout.valueChanged.connect(changed)
        self.l1.value_changed.connect(changed)
        self.l2.value_changed.connect(changed)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.label, self.width, self.activation, self.dropout, self.l1, self.l2)

    def set_visible(self, visible: bool) -> None:
        for widget in self.widgets():
            widget.setVisible(visible)


class NetworkPanel(QGroupBox):
    """Architecture settings. Changes apply at Reset."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Network", parent)
        self.setObjectName("network_group")
        self.setToolTip("The network's shape. Changes apply at Reset.")
        self._n_inputs, self._n_outputs, self._task = 2, 3, "classification"
        self._extra: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.feature_row = FeatureRow()
        form.addRow("Inputs", self.feature_row)
        self.hidden_layers_input = QSpinBox()
        self.hidden_layers_input.setObjectName("hidden_layers_input")
        self.hidden_layers_input.setRange(0, MAX_HIDDEN_LAYERS)
        self.hidden_layers_input.setValue(1)
        self.hidden_layers_input.setToolTip(
            f"Number of hidden layers (0 to {MAX_HIDDEN_LAYERS}). With 0 the network is a "
            "linear classifier: it can only draw straight boundaries."
        )
        form.addRow("Hidden layers", self.hidden_layers_input)
        layout.addLayout(form)

        grid = QGridLayout()
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        for col, (title, tip) in enumerate(
            (
                ("#", "Hidden layer number"),
                ("Neurons", "Neurons per layer (1 to 512)"),
                ("Activation", "Activation function"),
                ("Dropout", "Dropout rate (0 to 0.9)"),
                ("L1", "L1 regularization strength (≥ 0)"),
                ("L2", "L2 regularization strength (≥ 0)"),
            )
        ):
            header = QLabel(title)
            header.setToolTip(tip)
            header.setStyleSheet("color: #555;")
            grid.addWidget(header, 0, col)
        self.rows = [_LayerRow(grid, i, self.changed) for i in range(MAX_HIDDEN_LAYERS)]
        layout.addLayout(grid)

        options = QFormLayout()
        self.bias_reg_checkbox = QCheckBox("Regularize biases too")
        self.bias_reg_checkbox.setObjectName("bias_reg_checkbox")
        self.bias_reg_checkbox.setChecked(True)
        self.bias_reg_checkbox.setToolTip(
            "Apply each layer's L1/L2 strengths to its biases as well as its weights, as the "
            "book does."
        )
        options.addRow(self.bias_reg_checkbox)
        self.output_combo = QComboBox()
        self.output_combo.setObjectName("output_combo")
        self.output_combo.addItem("Automatic", None)
        self.output_combo.addItem("Sigmoid (binary)", "sigmoid")
        self.output_combo.setToolTip(
            "Output layer and loss. Automatic: softmax + cross-entropy for classes, linear + "
            "mean squared error for regression. Sigmoid + binary cross-entropy needs 2 classes "
            "(the book's chapter 16)."
        )
        options.addRow("Output", self.output_combo)
        self.init_combo = QComboBox()
        self.init_combo.setObjectName("init_combo")
        for name in WEIGHT_INITS:
            self.init_combo.addItem(name, name)
        self.init_combo.setToolTip(
            "Weight initialisation: nnfs (the book's 0.01·N(0,1)), he (for ReLU) or glorot."
        )
        options.addRow("Weight init", self.init_combo)
        self.weight_seed_input = QSpinBox()
        self.weight_seed_input.setObjectName("weight_seed_input")
        self.weight_seed_input.setRange(0, MAX_SEED)
        self.weight_seed_input.setToolTip(
            f"Seed of the initial weights, dropout masks and mini-batch order (0 to {MAX_SEED:,})."
        )
        options.addRow("Weight seed", self.weight_seed_input)
        layout.addLayout(options)

        self.summary_label = QLabel()
        self.summary_label.setObjectName("network_summary_label")
        self.summary_label.setWordWrap(True)
        self.summary_label.setToolTip("The architecture the next Reset builds, and its size.")
        layout.addWidget(self.summary_label)

        self.hidden_layers_input.valueChanged.connect(self._on_depth_changed)
        for widget in (self.output_combo, self.init_combo):
            widget.currentIndexChanged.connect(self.changed)
        self.bias_reg_checkbox.toggled.connect(self.changed)
        self.weight_seed_input.valueChanged.connect(self.changed)
        self.feature_row.changed.connect(self.changed)
        self.changed.connect(self._update_summary)
        self._on_depth_changed(self.hidden_layers_input.value())

    # --- state ------------------------------------------------------------------------
    def depth(self) -> int:
        return self.hidden_layers_input.value()

    def section(self) -> dict[str, Any]:
        """The ``network`` section of a run configuration, as the controls show it."""
        rows = self.rows[: self.depth()]
        l1 = [row.l1.value() for row in rows]
        l2 = [row.l2.value() for row in rows]
        bias = self.bias_reg_checkbox.isChecked()
        return {
            "hidden": [row.width.value() for row in rows],
            "activation": [row.activation.currentData() for row in rows],
            "dropout": [round(row.dropout.value(), 4) for row in rows],
            "weight_l1": l1,
            "weight_l2": l2,
            "bias_l1": l1 if bias else [0.0] * len(rows),
            "bias_l2": l2 if bias else [0.0] * len(rows),
            "init": self.init_combo.currentData(),
            "output": self.output_combo.currentData(),
            "features": self.feature_row.features(),
            **self._extra,
        }

    def training_seed(self) -> int:
        return self.weight_seed_input.value()

    def set_section(self, network: NetworkConfig, training_seed: int) -> None:
        """Show ``network`` without emitting ``changed``."""
        n = len(network.hidden)
        widgets = [self.hidden_layers_input, self.output_combo, self.init_combo]
        widgets += [self.bias_reg_checkbox, self.weight_seed_input]
        for row in self.rows:
            widgets += [row.width, row.activation, row.dropout]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.hidden_layers_input.setValue(n)
            values = {
                name: _per_layer(getattr(network, name), n)
                for name in (
                    "activation",
                    "dropout",
                    "weight_l1",
                    "weight_l2",
                    "bias_l1",
                    "bias_l2",
                )
            }
            for i, row in enumerate(self.rows[:n]):
                row.width.setValue(network.hidden[i])
                row.activation.setCurrentIndex(row.activation.findData(values["activation"][i]))
                row.dropout.setValue(values["dropout"][i])
                row.l1.set_value(values["weight_l1"][i])
                row.l2.set_value(values["weight_l2"][i])
            weights = values["weight_l1"] + values["weight_l2"]
            biases = values["bias_l1"] + values["bias_l2"]
            self.bias_reg_checkbox.setChecked(any(biases) or not any(weights))
            self.output_combo.setCurrentIndex(max(self.output_combo.findData(network.output), 0))
            self.init_combo.setCurrentIndex(self.init_combo.findData(network.init))
            self.weight_seed_input.setValue(min(training_seed, MAX_SEED))
            self.feature_row.set_features(network.features)
            self._extra = {"dtype": network.dtype}
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._show_rows()
        self._update_summary()

    def set_io(self, n_inputs: int, n_outputs: int, task: str) -> None:
        """The data decides the input and output sizes shown in the summary."""
        self._n_inputs, self._n_outputs, self._task = n_inputs, n_outputs, task
        self.feature_row.set_n_inputs(n_inputs)
        self._update_summary()

    def allow_sigmoid(self, allowed: bool) -> None:
        """Sigmoid output only makes sense for two classes."""
        item = self.output_combo.model().item(1)
        item.setEnabled(allowed)
        if not allowed and self.output_combo.currentIndex() == 1:
            self.output_combo.setCurrentIndex(0)

    def fields_valid(self) -> bool:
        return all(row.l1.is_valid() and row.l2.is_valid() for row in self.rows[: self.depth()])

    def summary(self) -> str:
        """``2 → 64 ReLU → 3 Softmax · cross-entropy · 387 parameters``."""
        task = "binary" if self.output_combo.currentData() == "sigmoid" else self._task
        parts = [str(self._n_inputs)]
        n_params = 0
        width_in = self._n_inputs
        chosen = self.feature_row.features()
        if chosen is not None:
            parts.append(f"[{', '.join(self.feature_row.titles(chosen))}]")
            width_in = len(chosen)
        for row in self.rows[: self.depth()]:
            width = row.width.value()
            text = f"{width} {row.activation.currentText()}"
            if row.dropout.value() > 0:
                text += f" (dropout {row.dropout.value():g})"
            parts.append(text)
            n_params += (width_in + 1) * width
            width_in = width
        n_out = 1 if task == "binary" else self._n_outputs
        n_params += (width_in + 1) * n_out
        parts.append(f"{n_out} {_OUTPUT_NAMES[task]}")
        return f"{' → '.join(parts)} · {_LOSS_NAMES[task]} · {n_params:,} parameters"

    # --- reactions --------------------------------------------------------------------
    @Slot(int)
    def _on_depth_changed(self, _depth: int) -> None:
        self._show_rows()
        self.changed.emit()

    def _show_rows(self) -> None:
        for i, row in enumerate(self.rows):
            row.set_visible(i < self.depth())

    @Slot()
    def _update_summary(self) -> None:
        self.summary_label.setText(self.summary())
