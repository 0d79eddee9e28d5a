"""Shared test setup: Qt draws offscreen, so the suite needs no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# --- GUI fixtures ---------------------------------------------------------------------------
# Tests never read or write the user's settings: unless a test points it elsewhere, the app
# keeps them in a throwaway folder (see gui/settings.py).
import atexit
import shutil
import tempfile

import pytest

if "BACKPROP_LAB_SETTINGS_DIR" not in os.environ:
    os.environ["BACKPROP_LAB_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="backprop-lab-test-settings-")
    atexit.register(shutil.rmtree, os.environ["BACKPROP_LAB_SETTINGS_DIR"], ignore_errors=True)

#: The one Qt warning a shown QMainWindow logs under the offscreen platform.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


@pytest.fixture(autouse=True)
def _no_dangling_qthreads(request, monkeypatch):
    """Fail a Qt test that leaves a QThread running (napari's guard, adapted).

    A thread still running when its QThread is destroyed aborts the whole pytest process,
    so the guard also stops the thread before it reports the failure.
    """
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    from PySide6.QtCore import QThread

    started: list = []
    original_start = QThread.start

    def start_and_record(self, *args, **kwargs):
        started.append(self)
        return original_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", start_and_record)
    yield
    dangling = []
    for thread in started:
        try:
            running = thread.isRunning()
        except RuntimeError:  # the C++ object is gone: it was deleted, so it had finished
            continue
        if running:
            dangling.append(thread.objectName() or repr(thread))
            thread.requestInterruption()
            thread.quit()
            thread.wait(5000)
    if dangling:
        pytest.fail(f"the test left QThreads running: {', '.join(dangling)}")


@pytest.fixture(autouse=True)
def _collect_cycles_in_the_gui_thread(request):
    """While a Qt test runs, Python's cycle collector runs only in the GUI thread, as in the
    app (gui/collector.py): collected from the training thread, a cycle holding a Qt object
    left by an earlier test deadlocked the suite."""
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("qapp")
    from gui.collector import MainThreadCollector

    collector = MainThreadCollector()
    collector.start()
    yield
    collector.stop()
    collector.deleteLater()


@pytest.fixture
def settings_dir(tmp_path, monkeypatch):
    """A fresh, empty settings folder for the app (never the user's)."""
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("BACKPROP_LAB_SETTINGS_DIR", str(folder))
    return folder


@pytest.fixture
def main_window(qtbot, settings_dir):
    """The app's main window, shown, with its first run built; closed (thread joined) after."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    qtbot.waitUntil(lambda: window.info is not None, timeout=10_000)
    yield window
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
