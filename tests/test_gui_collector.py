"""Python's cycle collector runs in the GUI thread only (gui/collector.py)."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import ClassVar

import pytest
from PySide6.QtCore import QEventLoop, QTimer

from gui.collector import MainThreadCollector


class Cycle:
    """An object that only the cycle collector can free; it records the thread that did."""

    freed_in: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.freed_in.append(threading.current_thread().name)


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


@pytest.fixture
def collector(qapp):
    was_enabled = gc.isenabled()
    gc.enable()
    made = MainThreadCollector(interval_ms=20)
    yield made
    made.stop()
    if not was_enabled:
        gc.disable()


def test_starting_it_turns_automatic_collection_off(collector):
    collector.start()
    assert not gc.isenabled()


def test_stopping_it_turns_automatic_collection_back_on(collector):
    collector.start()
    collector.stop()
    assert gc.isenabled()


def test_a_cycle_dropped_in_another_thread_is_freed_in_the_gui_thread(collector):
    collector.start()
    Cycle.freed_in.clear()
    made: list[weakref.ref] = []
    kept: list[list] = []

    def work() -> None:
        for _ in range(50):
            made.append(weakref.ref(Cycle()))
        # Far past generation 0's threshold: automatic collection would run here.
        kept.extend([] for _ in range(5 * gc.get_threshold()[0]))

    worker = threading.Thread(target=work, name="trainer")
    worker.start()
    worker.join()
    assert all(ref() is not None for ref in made)  # nothing collected in the worker
    for _ in range(100):
        spin(20)
        if all(ref() is None for ref in made):
            break
    assert all(ref() is None for ref in made)
    assert set(Cycle.freed_in) == {threading.main_thread().name}


def test_the_app_collects_in_its_gui_thread(qapp):
    from gui.app import make_app

    was_enabled = gc.isenabled()
    app = make_app()
    collectors = app.findChildren(MainThreadCollector)
    try:
        assert len(collectors) == 1 and collectors[0].active
        make_app()
        assert len(app.findChildren(MainThreadCollector)) == 1
    finally:
        for made in collectors:
            made.stop()
            made.setParent(None)
            made.deleteLater()
        if was_enabled:
            gc.enable()
