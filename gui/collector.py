"""Python's cycle collector, run only in the GUI thread.

CPython runs its cyclic garbage collector in whichever thread happens to allocate when a
generation's threshold is crossed. In this app that is often the training thread, and a
cycle it collects may hold a Qt object (a pyqtgraph menu, a closed plot): destroying that
from the worker thread takes Qt's locks in the wrong order against the GUI thread. We have
seen exactly that deadlock: the worker, inside ``gc``, waiting for the GIL in a QObject
destructor, while the GUI thread, holding a Qt mutex, waited for the worker.

``MainThreadCollector`` switches automatic collection off and collects on a QTimer in the
thread that owns it (the GUI thread), the fix pyqtgraph ships as ``GarbageCollector``.
pyqtgraph's starts in its constructor and can never be stopped or give automatic
collection back; the tests need both (each Qt test starts one and stops it), so this one is
a QObject with ``start`` and ``stop``, collecting by the same rule.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadCollector(QObject):
    """Collect cycles every ``interval_ms`` in this object's thread; never anywhere else.

    ``start()`` disables automatic collection; ``stop()`` collects once more and restores it
    as it was. Each tick collects the generations whose counts passed Python's thresholds,
    as the interpreter would have, so the cost stays what it was.
    """

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._was_enabled = gc.isenabled()
        self.collections = 0

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if self.active:
            return
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        if not self.active:
            return
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count passed its threshold (and the younger
        ones with it), as automatic collection would have."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        generation = -1
        for gen in range(3):
            if thresholds[gen] and counts[gen] > thresholds[gen]:
                generation = gen
            else:
                break
        if generation >= 0:
            gc.collect(generation)
            self.collections += 1
