"""Input fields that refuse a bad value and say, beside the field, what is allowed."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

ERROR_COLOR = "#c62828"
_NUMBER_CHARS = set("0123456789.eE+-")


class _NumberCharacters(QValidator):
    """Lets through only what could become a number; the range is judged by the field."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if not set(text) <= _NUMBER_CHARS:
            return QValidator.State.Invalid, text, pos
        try:
            float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos


def format_number(value: float) -> str:
    """Short and exact enough to type back: 0.05, 5e-07, 1, 0.999."""
    return f"{value:.6g}"


class NumberField(QWidget):
    """A ``QLineEdit`` for one real number in a range, with a red message when refused.

    ``value_changed`` fires when the user confirms (Enter or leaving the field) a valid
    number that differs from the current one. An invalid text keeps the last valid value,
    shows why beside the field, and is never applied.
    """

    value_changed = Signal(float)

    def __init__(
        self,
        object_name: str,
        value: float,
        *,
        minimum: float,
        maximum: float,
        min_inclusive: bool = True,
        max_inclusive: bool = True,
        label: str = "value",
        tooltip: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.minimum, self.maximum = minimum, maximum
        self.min_inclusive, self.max_inclusive = min_inclusive, max_inclusive
        self.label = label
        self._value = float(value)
        self.edit = QLineEdit(format_number(value))
        self.edit.setObjectName(object_name)
        self.edit.setValidator(_NumberCharacters(self.edit))
        self.edit.setToolTip(f"{tooltip}\nAllowed: {self.allowed()}.".strip())
        self.message = QLabel()
        self.message.setObjectName(f"{object_name}_message")
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.editingFinished.connect(self._on_finished)
        self.edit.returnPressed.connect(self._on_finished)

    def allowed(self) -> str:
        low = "(" if not self.min_inclusive else "["
        high = ")" if not self.max_inclusive else "]"
        if self.maximum == math.inf:
            sign = ">" if not self.min_inclusive else "\u2265"
            return f"a number {sign} {format_number(self.minimum)}"
        return (
            f"a number in {low}{format_number(self.minimum)}, {format_number(self.maximum)}{high}"
        )

    def problem(self, text: str) -> str | None:
        """Why ``text`` is refused, or None if it is a valid value."""
        try:
            number = float(text)
        except ValueError:
            return f"{self.label.capitalize()}: '{text}' is not a number; allowed: {self.allowed()}"
        ok = math.isfinite(number)
        ok = ok and (number >= self.minimum if self.min_inclusive else number > self.minimum)
        ok = ok and (number <= self.maximum if self.max_inclusive else number < self.maximum)
        if not ok:
            return f"{self.label.capitalize()} must be {self.allowed()}; {text} is refused"
        return None

    def value(self) -> float:
        """The last valid value (what is applied), whatever the field shows now."""
        return self._value

    def is_valid(self) -> bool:
        return self.problem(self.edit.text()) is None

    def set_value(self, value: float) -> None:
        """Show ``value`` without emitting ``value_changed``."""
        self._value = float(value)
        self.edit.setText(format_number(value))
        self._show(None)

    def _show(self, problem: str | None) -> None:
        if problem is None:
            self.message.hide()
            self.edit.setStyleSheet("")
        else:
            self.message.setText(problem)
            self.message.show()
            self.edit.setStyleSheet(f"border: 1px solid {ERROR_COLOR};")

    @Slot(str)
    def _on_edited(self, text: str) -> None:
        self._show(self.problem(text) if text else None)

    @Slot()
    def _on_finished(self) -> None:
        text = self.edit.text()
        problem = self.problem(text)
        self._show(problem)
        if problem is not None:
            return
        number = float(text)
        if number != self._value:
            self._value = number
            self.value_changed.emit(number)
