"""The window's side of the hidden space view: which layer and neurons the worker maps.

The mapping (``model.hidden_space``) runs in the worker with the inspector's throttle, and
only while the Hidden space dock is visible (and the walkthrough is not shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from gui.plot_base import dock_on_screen, watch_dock
from gui.snapshot import RunInfo
from model.hidden_space import HiddenSpace

if TYPE_CHECKING:
    from gui.main_window import MainWindow


class HiddenSpaceLink(QObject):
    """Keeps the worker told what the hidden space view wants, and feeds the view."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.hidden_space_view
        self.view.selection_changed.connect(self._update_worker)
        watch_dock(window.hidden_space_dock, self, self._update_worker)

    @property
    def wanted(self) -> bool:
        """Whether the mapping is needed: the view is on screen (not a tab behind another)
        and the walkthrough is not."""
        w = self.window
        return dock_on_screen(w.hidden_space_dock) and not w.walkthrough.active

    def reset(self, info: RunInfo) -> None:
        """A new run: its hidden layers (every Dense layer but the output one)."""
        names, sizes = info.layer_names[:-1], info.layer_sizes[:-1]
        if info.neuron_grid is None:  # nothing to map (no hidden layer)
            names, sizes = (), ()
        self.view.set_run(list(names), list(sizes), info.y_train, info.task)

    def show(self, space: HiddenSpace) -> None:
        """New points and lines from the worker."""
        self.view.show_space(space)

    @Slot()
    def _update_worker(self) -> None:
        w = self.window
        if getattr(w, "worker_thread", None) is None:
            return
        selection = self.view.selection() if self.wanted else None
        w.worker.show_hidden_space(selection)
        if selection is not None:
            w.request_explanation()
