"""The result of the numerical gradient check, one line per Dense layer."""

from __future__ import annotations

from PySide6 import QtWidgets

PASS_COLOR = "#1B7E3C"
FAIL_COLOR = "#C62828"


class GradCheckView(QtWidgets.QFrame):
    """Per layer its relative error, green when it passes, red when not, and a summary.

    Each error label has a ``status`` property, ``"pass"`` or ``"fail"``. Hidden until a
    result is shown.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradcheck_view")
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(6, 4, 6, 4)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(2, 1)
        self.summary = QtWidgets.QLabel()
        self.summary.setObjectName("gradcheck_summary")
        self.summary.setWordWrap(True)
        self.error_labels: list[QtWidgets.QLabel] = []
        self._widgets: list[QtWidgets.QWidget] = []
        self.setVisible(False)

    def clear(self) -> None:
        """Forget the shown result (it belongs to weights that are gone)."""
        for widget in self._widgets:
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self._widgets = []
        self.error_labels = []
        self.summary.setText("")
        self.summary.setProperty("status", None)
        self.setVisible(False)

    def show_result(self, result) -> None:
        """Show a ``model.gradcheck.GradCheckResult`` (layers, passed, max_error)."""
        self.clear()
        for i, layer in enumerate(result.layers):
            name = QtWidgets.QLabel(layer.name)
            verdict = "pass" if layer.passed else "FAIL"
            error = QtWidgets.QLabel(f"relative error {layer.relative_error:.1e}  {verdict}")
            _set_status(error, layer.passed, bold=True)
            tip = (
                f"{layer.n_checked} entries of dweights and dbiases compared with central "
                f"differences of the loss; a relative error below 1e-6 passes."
            )
            name.setToolTip(tip)
            error.setToolTip(tip)
            self._grid.addWidget(name, i, 0)
            self._grid.addWidget(error, i, 1)
            self.error_labels.append(error)
            self._widgets += [name, error]
        if result.passed:
            text = (
                f"All layers pass: max relative error {result.max_error:.1e} "
                "(central differences, float64)"
            )
        else:
            failed = sum(not layer.passed for layer in result.layers)
            text = (
                f"{failed} of {len(result.layers)} layers fail: max relative error "
                f"{result.max_error:.1e} (central differences, float64; "
                f"passes below 1e-6)"
            )
        self.summary.setText(text)
        _set_status(self.summary, result.passed, bold=False)
        self._grid.addWidget(self.summary, len(result.layers), 0, 1, 3)
        self.setVisible(True)


def _set_status(label: QtWidgets.QLabel, passed: bool, *, bold: bool) -> None:
    color = PASS_COLOR if passed else FAIL_COLOR
    weight = "bold" if bold else "normal"
    label.setStyleSheet(f"color: {color}; font-weight: {weight};")
    label.setProperty("status", "pass" if passed else "fail")
