"""The window's menus and keyboard shortcuts (Space, Ctrl+R...)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QMenu,
    QWidget,
)

from gui.files import PLOTS, FileActions
from gui.help import ABOUT_HTML, HelpDialog, panels_html, shortcuts_html
from gui.settings import RATE_RANGE

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def _action(menu: QMenu, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
    action = QAction(text, menu)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


class RatesDialog(QDialog):
    """How often the worker sends curves, the boundary and the inspector, per second."""

    def __init__(self, rates: tuple[float, float, float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rates_dialog")
        self.setWindowTitle("Refresh rates")
        form = QFormLayout(self)
        self.spins = []
        for title, value, tip in zip(
            ("Curves", "Decision boundary", "Gradient inspector"),
            rates,
            (
                "Loss and accuracy updates per second (no epoch is lost: in-between epochs "
                "are sent along).",
                "Decision-boundary redraws per second (each costs a forward pass on the grid).",
                "Inspector updates per second (each inspects one epoch in detail).",
            ),
            strict=True,
        ):
            spin = QDoubleSpinBox()
            spin.setRange(*RATE_RANGE)
            spin.setDecimals(1)
            spin.setSuffix(" /s")
            spin.setValue(value)
            spin.setToolTip(f"{tip} Allowed: {RATE_RANGE[0]:g} to {RATE_RANGE[1]:g}.")
            form.addRow(title, spin)
            self.spins.append(spin)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def rates(self) -> tuple[float, float, float]:
        a, b, c = (spin.value() for spin in self.spins)
        return a, b, c


def _ask_rates(window: MainWindow) -> None:
    dialog = RatesDialog(window.settings.rates(), window)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        rates = dialog.rates()
        window.settings.set_rates(*rates)
        window.worker.set_rates(*rates)


def _show_help(window: MainWindow, title: str, html: str) -> None:
    dialog = HelpDialog(title, html, window)
    window.help_dialog = dialog
    dialog.show()


def build_menus(window: MainWindow) -> None:
    """File, Run, View and Help menus; the Run menu carries the shortcuts."""
    files = window.files = FileActions(window)
    window.data_panel.csv_requested.connect(files.ask_csv)
    bar = window.menuBar()

    menu = bar.addMenu("&File")
    _action(menu, "Open model…", files.ask_open_model, "Ctrl+O", "Load a saved model (.npz)")
    _action(menu, "Save model…", files.ask_save_model, "Ctrl+S", "Save the model (.npz)")
    menu.addSeparator()
    _action(menu, "Open run configuration…", files.ask_open_config, "Ctrl+Shift+O",
            "Load every setting from a .json file and reset")  # fmt: skip
    _action(menu, "Save run configuration…", files.ask_save_config, "Ctrl+Shift+S",
            "Save every setting to a .json file")  # fmt: skip
    menu.addSeparator()
    _action(menu, "Export metrics (CSV)…", files.ask_export_metrics, None,
            "Loss, accuracy and learning rate per epoch")  # fmt: skip
    _action(menu, "Export data (CSV)…", files.ask_export_data, None,
            "The points, clicked ones included, as x1,x2,label rows: choose "
            "'CSV file…' as the dataset to train on them again")  # fmt: skip
    export = menu.addMenu("Export plot (PNG)")
    for name, title in PLOTS.items():
        _action(export, f"{title}…", partial(files.ask_export_plot, name))
    menu.addSeparator()
    _action(menu, "Quit", window.close, "Ctrl+Q")

    menu = bar.addMenu("&Run")
    window.toggle_action = _action(
        menu, "Start / Stop", window.toggle, "Space", "Start training, or stop it"
    )
    _action(menu, "Step one epoch", window.step, "Ctrl+E", "Train exactly one epoch")
    _action(menu, "Reset", window.reset, "Ctrl+R", "New weights from the settings; curves cleared")
    menu.addSeparator()
    _action(menu, "Check gradients", window.check_gradients, "Ctrl+G",
            "Compare backpropagation's gradients with numerical ones")  # fmt: skip

    menu = bar.addMenu("&View")
    _action(menu, "Training", partial(window.center_tabs.setCurrentIndex, 0), "Ctrl+1",
            "The decision boundary and the curves")  # fmt: skip
    _action(menu, "Walkthrough", partial(window.center_tabs.setCurrentIndex, 1), "Ctrl+2",
            "Backpropagation step by step")  # fmt: skip
    menu.addSeparator()
    menu.addAction(window.controls_dock.toggleViewAction())
    menu.addAction(window.inspector_dock.toggleViewAction())
    menu.addAction(window.neurons_dock.toggleViewAction())
    menu.addAction(window.hidden_space_dock.toggleViewAction())
    menu.addAction(window.network_graph_dock.toggleViewAction())
    hard = _action(menu, "Hard boundary (argmax)", window.boundary_plot.set_hard)
    hard.setCheckable(True)
    window.boundary_plot.hard_checkbox.toggled.connect(hard.setChecked)
    log = _action(menu, "Log-scale loss", window.loss_plot.set_log)
    log.setCheckable(True)
    window.loss_plot.log_checkbox.toggled.connect(log.setChecked)
    menu.addSeparator()
    _action(menu, "Refresh rates…", partial(_ask_rates, window), None,
            "How often curves, boundary and inspector are redrawn")  # fmt: skip

    menu = bar.addMenu("&Help")
    _action(menu, "What am I looking at?", partial(_show_help, window, "What am I looking at?",
            panels_html()), "F1")  # fmt: skip
    _action(menu, "Keyboard shortcuts", partial(_show_help, window, "Keyboard shortcuts",
            shortcuts_html()))  # fmt: skip
    _action(menu, "About Backprop Lab", partial(_show_help, window, "About", ABOUT_HTML))
