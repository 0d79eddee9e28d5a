"""Start the desktop app: ``run_app(sys.argv)`` opens the main window and runs Qt's loop."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from gui.collector import MainThreadCollector
from gui.settings import APPLICATION, ORGANIZATION

ICON = Path(__file__).resolve().parent.parent / "resources" / "icon.svg"


def make_app(argv: list[str] | None = None) -> QApplication:
    """The process's ``QApplication`` (created on first use) with the app's names and icon."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv else [sys.argv[0] if sys.argv else "backprop-lab"])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    if app.findChild(MainThreadCollector) is None:
        # Cycles are collected in the GUI thread only (see gui/collector.py).
        MainThreadCollector(parent=app).start()
    return app


def run_app(argv: list[str]) -> int:
    """Open the main window and run until it is closed; returns the exit code."""
    app = make_app(argv)
    from gui.main_window import MainWindow  # after the QApplication: pyqtgraph needs it

    window = MainWindow()
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    return int(app.exec())
