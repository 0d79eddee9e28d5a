"""Launch the app as ``main.py`` does and report when its window was first painted.

Run by ``benchmarks.bench_gui`` in a fresh process: ``BENCH_LAUNCH_T0`` holds the parent's
``time.perf_counter()`` taken just before it started this process (on Linux, macOS and
Windows that clock is system-wide, so the two processes' readings compare). This wrapper
creates the ``QApplication`` with the app's own ``make_app``, installs an event filter that
waits for the main window's first paint, then calls ``main.main(["gui"])`` unchanged. It
prints one JSON line, ``{"first_paint": s, "ready": s}`` (seconds since ``T0``; "ready" is
when the first run was built and drawn), and closes the window.
"""

from __future__ import annotations

import json
import os
import sys
import time

# What main.py does before numpy loads (it is done again there, harmlessly).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

T0_ENV = "BENCH_LAUNCH_T0"
#: Give up (and report nothing) after this many seconds.
TIMEOUT_S = 60.0


class FirstPaint(QObject):
    """Notes the end of the first paint of a main window, then of its first built run."""

    def __init__(self, t0: float) -> None:
        super().__init__()
        self.t0 = t0
        self.times: dict[str, float] = {}
        self.window: QMainWindow | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if "first_paint" not in self.times and event.type() == QEvent.Type.Paint:
            if isinstance(watched, QWidget) and isinstance(watched.window(), QMainWindow):
                self.window = watched.window()
                self.times["first_paint"] = -1.0
                # Runs once the paint pass this event belongs to has finished.
                QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        self.times["first_paint"] = time.perf_counter() - self.t0
        QApplication.instance().removeEventFilter(self)
        self._wait_ready()

    def _wait_ready(self) -> None:
        if getattr(self.window, "info", None) is not None:
            self.times["ready"] = time.perf_counter() - self.t0
            print(json.dumps(self.times), flush=True)
            self.window.close()
            return
        QTimer.singleShot(5, self._wait_ready)


def probe() -> int:
    t0 = float(os.environ[T0_ENV]) if T0_ENV in os.environ else time.perf_counter()
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from gui.app import make_app
    from main import main

    app = make_app([sys.argv[0]])
    watcher = FirstPaint(t0)
    app.installEventFilter(watcher)
    QTimer.singleShot(int(TIMEOUT_S * 1000), app.quit)
    code = main(["gui"])
    return code if watcher.times.get("ready") else 1


if __name__ == "__main__":
    sys.exit(probe())
