"""The window's side of run configurations: controls <-> ``RunConfig``, the "apply at Reset"
banner, and what is remembered between launches."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt

from gui.layout import NEURONS_HEIGHT
from model.config import ConfigError, RunConfig

#: The window's size on a first launch, on a screen that has the room.
FIRST_SIZE = QSize(1600, 1000)


def first_size(available: QSize | None, minimum: QSize) -> QSize:
    """The size of a first window: ``FIRST_SIZE``, shrunk to the screen's ``available``
    area when that is smaller but still holds the window's ``minimum`` (a 1366 x 768
    laptop). A screen too small even for that keeps ``FIRST_SIZE``: no size fits it."""
    if available is None or not available.isValid():
        return FIRST_SIZE
    if available.width() < minimum.width() or available.height() < minimum.height():
        return FIRST_SIZE
    return FIRST_SIZE.boundedTo(available)


class ConfigMixin:
    """Mixed into ``MainWindow``: reads and fills the control panels as a ``RunConfig``."""

    # --- configuration ------------------------------------------------------------------
    def current_config(self) -> RunConfig:
        """The run the controls describe (what Reset builds); ConfigError if they clash."""
        training = {
            **self.optimizer_panel.training_section(),
            "seed": self.network_panel.training_seed(),
        }
        return RunConfig.from_dict(
            {
                "data": self.data_panel.section(),
                "network": self.network_panel.section(),
                "optimizer": self.optimizer_panel.section(),
                "training": training,
            }
        )

    def apply_config_to_controls(self, config: RunConfig) -> None:
        """Show ``config`` in every control (nothing is applied until Reset)."""
        self.data_panel.set_section(config.data)
        self.network_panel.set_section(config.network, config.training.seed)
        self.optimizer_panel.set_section(config.optimizer, config.training)
        self._update_io()
        self.update_banner()

    def _update_io(self) -> None:
        data = self.data_panel.section()
        if data["dataset"] == "sine":
            n_in, n_out, task = 1, 1, "regression"
        elif data["dataset"] == "csv" and self.info is not None and self.info.config is not None:
            n_in, task = self.info.n_inputs, self.info.task
            n_out = self.info.n_classes or 1
        else:
            n_in, n_out, task = 2, data["classes"], "classification"
            if data["dataset"] in ("xor", "moons"):
                n_out = 2
        self.network_panel.set_io(n_in, n_out, task)
        self.network_panel.allow_sigmoid(task != "regression" and n_out == 2)

    def update_banner(self) -> None:
        """Say whether data or network changes are waiting for Reset."""
        waiting = []
        if self.info is not None and isinstance(self.info.config, RunConfig):
            try:
                planned = self.current_config().to_dict()
            except ConfigError as error:
                self.pending_banner.setText(f"These settings cannot be used: {error}")
                self.pending_banner.show()
                return
            applied = self.info.config.to_dict()
            for section, title in (("data", "data"), ("network", "network")):
                if planned[section] != applied[section]:
                    waiting.append(title)
            if planned["training"]["seed"] != applied["training"]["seed"]:
                waiting.append("weight seed")
        self.pending_banner.setText(
            f"Changes to the {' and '.join(waiting)} apply at Reset (Ctrl+R)."
        )
        self.pending_banner.setVisible(bool(waiting))

    # --- settings -----------------------------------------------------------------------
    def _save_settings(self) -> None:
        try:
            self.settings.set_last_config(self.current_config())
        except ConfigError:
            pass
        self.settings.set_layout(self.saveGeometry(), self.saveState())
        self.settings.store.setValue("window/splitter", self.plot_splitter.saveState())
        self.settings.set_smoothing(self.accuracy_plot.smoothing)
        self.settings.sync()

    def fit_first_layout(self) -> None:
        """A first launch's layout (what the settings did not restore): ``first_size`` for
        the window's screen, and the neuron thumbnails under the inspector."""
        if self._first_size:
            screen = self.screen()
            available = None if screen is None else screen.availableGeometry().size()
            self.resize(first_size(available, self.minimumSizeHint()))
        if self._first_docks:
            # Room for four rows of thumbnails, but no more than 36% of a short window: the
            # inspector's rows come first.
            neurons = min(NEURONS_HEIGHT, int(0.36 * self.height()))
            self.resizeDocks(
                [self.inspector_dock, self.neurons_dock],
                [max(self.height() - neurons - 60, 300), neurons],
                Qt.Orientation.Vertical,
            )

    def _restore_layout(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.state()
        self._first_size = geometry is None or not self.restoreGeometry(geometry)
        self._first_docks = state is None or not self.restoreState(state)
        self.fit_first_layout()
        # Again once the first run has filled the views: the layout's minimum is known then.
        self._fit_after_first_run = self._first_size or self._first_docks
        self.accuracy_plot.set_smoothing(self.settings.smoothing())  # both plots follow
        splitter = self.settings.store.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.plot_splitter.restoreState(splitter)
