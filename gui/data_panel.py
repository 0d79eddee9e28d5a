"""The Data group of the control column: which dataset, how big, how noisy, the split."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gui.fields import NumberField
from model.config import CSV, DataConfig
from model.datasets import DATASETS

CSV_LABEL = "CSV file…"
MAX_SEED = 2**31 - 1  # QSpinBox holds a C int
_TITLES = {
    "spiral": "Spiral",
    "vertical": "Vertical clusters",
    "circles": "Circles",
    "xor": "XOR",
    "gaussian_blobs": "Gaussian blobs",
    "moons": "Moons",
    "sine": "Sine (regression)",
}


class DataPanel(QGroupBox):
    """Dataset settings. Changes apply at Reset (or Regenerate, which also resets)."""

    #: A setting changed (applies at the next Reset).
    changed = Signal()
    #: The user asked for a fresh sample of the data (new seed) and a reset.
    regenerate_requested = Signal()
    #: "CSV file…" was chosen: the window asks for a file.
    csv_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        self.setObjectName("data_group")
        self.setToolTip("The points the network learns from. Changes apply at Reset.")
        self._csv_path: str | None = None
        self._last_kind = "spiral"
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.dataset_combo = QComboBox()
        self.dataset_combo.setObjectName("dataset_combo")
        for name, spec in DATASETS.items():
            self.dataset_combo.addItem(_TITLES.get(name, name), name)
            self.dataset_combo.setItemData(
                self.dataset_combo.count() - 1, spec.description, Qt.ItemDataRole.ToolTipRole
            )
        self.dataset_combo.addItem(CSV_LABEL, CSV)
        self.dataset_combo.setToolTip(
            "Which data to learn: the book's spiral and other 2-D toy sets, a 1-D sine for "
            "regression, or your own CSV file of x1,x2,label rows."
        )
        form.addRow("Dataset", self.dataset_combo)

        self.csv_label = QLabel()
        self.csv_label.setObjectName("csv_label")
        self.csv_label.setWordWrap(True)
        self.csv_label.hide()
        form.addRow(self.csv_label)

        self.classes_input = QSpinBox()
        self.classes_input.setObjectName("classes_input")
        self.classes_input.setRange(2, 8)
        self.classes_input.setValue(3)
        self.classes_input.setToolTip("Number of classes (2 to 8). Fixed at 2 for XOR and moons.")
        form.addRow("Classes", self.classes_input)

        self.samples_input = QSpinBox()
        self.samples_input.setObjectName("samples_input")
        self.samples_input.setRange(1, 100_000)
        self.samples_input.setValue(100)
        self.samples_input.setToolTip(
            "Points per class (1 to 100,000); for the sine, the total number of points."
        )
        self.samples_label = QLabel("Samples per class")
        form.addRow(self.samples_label, self.samples_input)

        self.noise_field = NumberField(
            "noise_input",
            0.2,
            minimum=0.0,
            maximum=10.0,
            label="noise",
            tooltip="How much random scatter is added to the points (0 = none).",
        )
        self.noise_input = self.noise_field.edit
        form.addRow("Noise", self.noise_field)

        self.validation_input = QDoubleSpinBox()
        self.validation_input.setObjectName("validation_input")
        self.validation_input.setRange(0.0, 0.9)
        self.validation_input.setSingleStep(0.05)
        self.validation_input.setDecimals(2)
        self.validation_input.setToolTip(
            "Share of the points held out for validation (0 to 0.9): drawn outlined in the "
            "plot and never trained on."
        )
        form.addRow("Validation share", self.validation_input)

        seed_row = QHBoxLayout()
        self.seed_input = QSpinBox()
        self.seed_input.setObjectName("data_seed_input")
        self.seed_input.setRange(0, MAX_SEED)
        self.seed_input.setToolTip(
            f"Seed of the data's random numbers (0 to {MAX_SEED:,}); seed 0 is the book's "
            "nnfs.init() data."
        )
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setObjectName("regenerate_button")
        self.regenerate_button.setToolTip("Draw new points (next seed) and reset the network.")
        seed_row.addWidget(self.seed_input, 1)
        seed_row.addWidget(self.regenerate_button)
        form.addRow("Seed", seed_row)

        hint = QLabel("Click the plot to add a point; Shift+click: next class; Ctrl+click: remove.")
        hint.setObjectName("data_click_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")
        form.addRow(hint)

        self.dataset_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.regenerate_button.clicked.connect(self.regenerate_requested)
        for spin in (self.classes_input, self.samples_input, self.seed_input):
            spin.valueChanged.connect(self.changed)
        self.validation_input.valueChanged.connect(self.changed)
        self.noise_field.value_changed.connect(self.changed)
        self._update_enabled()

    # --- state ------------------------------------------------------------------------
    def kind(self) -> str:
        return self.dataset_combo.currentData()

    @property
    def csv_path(self) -> str | None:
        return self._csv_path

    def section(self) -> dict[str, Any]:
        """The ``data`` section of a run configuration, as the controls show it."""
        kind = self.kind()
        return {
            "dataset": kind,
            "samples": self.samples_input.value(),
            "classes": self.classes_input.value(),
            "noise": self.noise_field.value(),
            "validation_fraction": round(self.validation_input.value(), 4),
            "seed": self.seed_input.value(),
            "csv_path": self._csv_path if kind == CSV else None,
        }

    def set_section(self, data: DataConfig) -> None:
        """Show ``data`` without emitting ``changed``."""
        widgets = (
            self.dataset_combo,
            self.classes_input,
            self.samples_input,
            self.seed_input,
            self.validation_input,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            if data.dataset == CSV:
                self._csv_path = data.csv_path
            self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(data.dataset))
            self._last_kind = data.dataset
            self.classes_input.setValue(data.classes)
            self.samples_input.setValue(data.samples)
            self.seed_input.setValue(min(data.seed, MAX_SEED))
            self.validation_input.setValue(data.validation_fraction)
            self.noise_field.set_value(data.resolved_noise)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._update_enabled()

    def set_csv_path(self, path: str | None) -> None:
        """Use the CSV file ``path`` (None: the user cancelled; go back to the last kind)."""
        if path is None:
            self.dataset_combo.blockSignals(True)
            self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(self._last_kind))
            self.dataset_combo.blockSignals(False)
        else:
            self._csv_path = path
            self._last_kind = CSV
            self.dataset_combo.blockSignals(True)
            self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(CSV))
            self.dataset_combo.blockSignals(False)
            self.changed.emit()
        self._update_enabled()

    def next_seed(self) -> None:
        """Advance the seed by one (Regenerate)."""
        self.seed_input.blockSignals(True)
        self.seed_input.setValue((self.seed_input.value() + 1) % (MAX_SEED + 1))
        self.seed_input.blockSignals(False)

    def fields_valid(self) -> bool:
        return self.noise_field.is_valid()

    # --- reactions --------------------------------------------------------------------
    @Slot(int)
    def _on_kind_changed(self, _index: int) -> None:
        kind = self.kind()
        if kind == CSV:
            self.csv_requested.emit()
            return
        self._last_kind = kind
        spec = DATASETS[kind]
        self.noise_field.set_value(spec.default_noise)
        if spec.default_classes is not None and not spec.classes_adjustable:
            self.classes_input.blockSignals(True)
            self.classes_input.setValue(spec.default_classes)
            self.classes_input.blockSignals(False)
        self._update_enabled()
        self.changed.emit()

    def _update_enabled(self) -> None:
        kind = self.kind()
        spec = DATASETS.get(kind)
        generated = spec is not None
        self.classes_input.setEnabled(generated and spec.classes_adjustable)
        self.samples_input.setEnabled(generated)
        self.noise_field.setEnabled(generated)
        self.seed_input.setEnabled(generated)
        self.regenerate_button.setEnabled(generated)
        regression = generated and spec.task == "regression"
        self.samples_label.setText("Samples" if regression else "Samples per class")
        if kind == CSV and self._csv_path:
            self.csv_label.setText(f"File: {self._csv_path}")
            self.csv_label.show()
        else:
            self.csv_label.hide()
