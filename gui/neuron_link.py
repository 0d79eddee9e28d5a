"""The window's side of the neuron views: their architecture, their maps, and the large
view of the hovered (or clicked) neuron in the boundary plot.

The maps are computed by the worker (``model.walkthrough.hidden_activations`` on a coarse
grid, ``dead_units`` on the training data) with the inspector's throttle, and only while
the Neurons dock is visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from gui.plot_base import dock_on_screen, watch_dock
from gui.snapshot import NeuronMaps, RunInfo

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def overlay_caption(
    layer_name: str, neuron: int, activation: str, *, dead: bool = False, kept: bool = False
) -> str:
    """'Dense 1, neuron 5: ReLU output over the input plane' and how to read it
    (``neuron`` 0-based; ``kept``: shown because it was clicked, not hovered)."""
    short = layer_name.split(" (")[0]
    text = f"{short}, neuron {neuron + 1}: {activation} output over the input plane"
    if dead:
        text += "\nDead: 0 everywhere, so it gets no gradient and cannot learn back"
    back = "click it again (or Esc)" if kept else "move the mouse away"
    return f"{text}\nblue < 0, white 0, red > 0 · {back} to see the boundary again"


class NeuronLink(QObject):
    """Feeds ``NeuronViews`` and shows the neuron under the mouse in the boundary plot."""

    #: The boundary plot shows a neuron large ((layer, neuron)) or the boundary again (None).
    overlay_changed = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.views = window.neuron_views
        self.shown: tuple[int, int] | None = None
        self.views.neuron_hovered.connect(self._refresh)
        self.views.neuron_left.connect(self._refresh)
        self.views.neuron_clicked.connect(self._refresh)
        self.views.selection_cleared.connect(self._refresh)
        watch_dock(window.neurons_dock, self, self._on_visibility)

    @property
    def wanted(self) -> bool:
        """Whether the maps are needed: the dock shows and the walkthrough does not."""
        w = self.window
        return dock_on_screen(w.neurons_dock) and not w.walkthrough.active

    def reset(self, info: RunInfo) -> None:
        """One thumbnail per hidden neuron of the new network (maps follow from the worker)."""
        sizes, names = info.hidden_sizes, info.hidden_names
        if info.neuron_grid is None:
            sizes, names = (), ()
        self.views.set_architecture(list(sizes), list(names))
        self._refresh()

    def show(self, maps: NeuronMaps) -> None:
        """New maps from the worker: recolour the thumbnails and the large view."""
        self.views.update_activations(list(maps.maps), maps.resolution, list(maps.dead))
        self._refresh()

    @Slot()
    def _on_visibility(self) -> None:
        w = self.window
        if getattr(w, "worker_thread", None) is None:
            return
        wanted = self.wanted
        w.worker.show_neurons(wanted)
        if wanted:
            w.request_explanation()
        self._refresh()

    @Slot()
    @Slot(int, int)
    def _refresh(self, *_args) -> None:
        """Show the hovered neuron, else the clicked one, else the boundary."""
        views, info, plot = self.views, self.window.info, self.window.boundary_plot
        target = views.hovered or views.selected
        grid = None if info is None else info.neuron_grid
        if (
            target is None
            or grid is None
            or views.resolution == 0
            or len(grid.ys) < 2
            or not self.wanted
        ):
            self._set_shown(None)
            return
        layer, neuron = target
        caption = overlay_caption(
            info.hidden_names[layer],
            neuron,
            info.activations[layer],
            dead=views.is_marked_dead(layer, neuron),
            kept=views.hovered is None,
        )
        plot.show_overlay(views.activation_rgba(layer, neuron), grid, caption)
        self._set_shown(target)

    def _set_shown(self, target: tuple[int, int] | None) -> None:
        if target is None:
            self.window.boundary_plot.clear_overlay()
        if target != self.shown:
            self.shown = target
            self.overlay_changed.emit(target)
