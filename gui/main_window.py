"""The main window: controls on the left, plots in the centre, the gradient inspector right.

The window never touches the live network while it trains: it asks the worker (queued
signals for work, thread-safe methods for stop and live changes) and draws the immutable
snapshots the worker sends back.
"""

from __future__ import annotations

import time
from functools import partial

from PySide6.QtCore import QThread, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox

from gui.hidden_space_link import HiddenSpaceLink
from gui.layout import build_layout
from gui.menus import build_menus
from gui.metrics import MetricsLog
from gui.network_graph import graph_labels
from gui.neuron_link import NeuronLink
from gui.points import PointEditor
from gui.settings import AppSettings
from gui.snapshot import Explanation, RunInfo, Snapshot
from gui.status import StatusBar
from gui.walkthrough_link import WalkthroughLink
from gui.window_config import ConfigMixin
from gui.worker import LIMIT_REACHED, TrainingWorker
from model.config import ConfigError
from model.run import PRESETS, Run

#: How long closing waits for the worker's current epoch to end, in milliseconds.
JOIN_TIMEOUT_MS = 5000
#: What a first launch shows: the book's chapter-10 spiral run.
DEFAULT_PRESET = "ch10"


class MainWindow(ConfigMixin, QMainWindow):
    """Backprop Lab's window. Attribute names equal the widgets' object names."""

    #: A run was built (Reset, preset, loaded model) and drawn.
    run_ready = Signal()
    #: A snapshot was drawn: its epoch.
    snapshot_drawn = Signal(int)
    #: Training ended: (epoch, reason) as the worker reported it.
    training_stopped = Signal(int, str)
    #: A gradient check result was shown (None: it could not run).
    gradcheck_done = Signal(object)
    #: A model file was written: its path.
    model_saved = Signal(str)
    #: Something went wrong and is shown in the error banner: the message.
    problem_shown = Signal(str)
    #: The walkthrough's sample or the neuron maps were drawn: the epoch they show.
    explanation_shown = Signal(int)

    # Queued requests to the worker (its slots run in the worker's thread).
    _build_requested = Signal(object, object)
    _train_requested = Signal(int)
    _apply_requested = Signal()
    _install_requested = Signal(object)

    def __init__(self, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("Backprop Lab")
        self.settings = settings if settings is not None else AppSettings()
        self.info: RunInfo | None = None
        self.metrics = MetricsLog()
        self.running = False
        self.stopping = False
        self._last_rate = 0.0
        build_layout(self)
        self.status = StatusBar(self)
        self.points = PointEditor(self)
        self.walkthrough = WalkthroughLink(self)
        self.neuron_link = NeuronLink(self)
        self.hidden_link = HiddenSpaceLink(self)
        build_menus(self)
        self._connect_controls()
        self._start_worker()
        saved = self.settings.last_config()
        self.apply_config_to_controls(saved if saved is not None else PRESETS[DEFAULT_PRESET])
        if saved is None:
            self.run_controls.show_preset(DEFAULT_PRESET)
        self._restore_layout()
        self._update_buttons()
        self.reset()

    # --- the worker ---------------------------------------------------------------------
    def _start_worker(self) -> None:
        self.worker = TrainingWorker()
        self.worker.set_rates(*self.settings.rates())
        self.worker_thread = QThread()
        self.worker_thread.setObjectName("training_thread")
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.finished.connect(self.worker.deleteLater)
        self._build_requested.connect(self.worker.build)
        self._train_requested.connect(self.worker.train)
        self._apply_requested.connect(self.worker.apply_pending)
        self._install_requested.connect(self.worker.install)
        self.worker.run_built.connect(self._on_run_built)
        self.worker.started.connect(self._on_started)
        self.worker.snapshot_ready.connect(self._on_snapshot)
        self.worker.stopped.connect(self._on_stopped)
        self.worker.diverged.connect(self._on_diverged)
        self.worker.errored.connect(self._on_errored)
        self.worker.gradcheck_finished.connect(self._on_gradcheck)
        self.worker.model_saved.connect(self._on_model_saved)
        self.worker.explained.connect(self._on_explained)
        self.worker_thread.start()

    def shutdown(self) -> None:
        """Stop training and join the worker's thread (idempotent)."""
        thread = getattr(self, "worker_thread", None)
        if thread is None:
            return
        self.worker.request_stop()
        thread.quit()
        if not thread.wait(JOIN_TIMEOUT_MS):
            # A long gradient check is still running; destroying a running QThread would
            # abort the process, so wait for it.
            thread.wait()
        self.worker_thread = None
        self.running = self.stopping = False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.walkthrough.show_training()  # the layout is remembered as Training shows it
        self._save_settings()
        self.shutdown()
        super().closeEvent(event)

    def show_problem(self, message: str) -> None:
        """Show ``message`` in the red banner and the status bar."""
        self.problem_banner.setText(message.replace("\n", "<br>"))
        self.problem_banner.show()
        self.statusBar().showMessage(message.splitlines()[0], 15000)
        self.problem_shown.emit(message)

    def show_error_dialog(self, title: str, message: str) -> None:
        QMessageBox.critical(self, title, message)

    # --- actions ------------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        """Train until stopped or the epoch limit."""
        self._train(0)

    @Slot()
    def step(self) -> None:
        """Train exactly one epoch."""
        self._train(1)

    def _train(self, epochs: int) -> None:
        if self.running or self.worker_thread is None:
            return
        self.problem_banner.hide()
        self.worker.clear_stop()
        self.running, self.stopping = True, False
        self._last_rate = 0.0  # not the last run's speed: this one's is measured anew
        self.status.show_rate(0.0)
        self._update_buttons()
        self._train_requested.emit(epochs)

    @Slot()
    def stop(self) -> None:
        """Stop after the current epoch (the weights are kept)."""
        if self.running:
            self.worker.request_stop()
            self.stopping = True
            self._update_buttons()

    @Slot()
    def toggle(self) -> None:
        """Space: start when idle, stop when training."""
        if self.running:
            self.stop()
        else:
            self.start()

    @Slot()
    def reset(self) -> None:
        """Build a new run from the controls: new weights, curves cleared."""
        if self.worker_thread is None:
            return
        if not (self.optimizer_panel.fields_valid() and self.network_panel.fields_valid()):
            self.show_problem("Reset needs valid settings: correct the fields marked in red.")
            return
        try:
            config = self.current_config()
        except ConfigError as error:
            self.show_problem(f"Cannot reset: {error}")
            return
        self.problem_banner.hide()
        self.stop()
        self._build_requested.emit(config, self.points.dataset_for(config))

    @Slot()
    def regenerate(self) -> None:
        """New points (the next data seed), then Reset."""
        self.data_panel.next_seed()
        self.points.forget()
        self.reset()

    @Slot(str)
    def load_preset(self, name: str) -> None:
        """Set every control from the book's preset ``name`` and reset."""
        config = PRESETS[name]
        self.points.forget()
        self.apply_config_to_controls(config)
        self.run_controls.show_preset(name)
        self.reset()

    @Slot()
    def check_gradients(self) -> None:
        """Run the numerical gradient check in the worker, between epochs or now if idle."""
        self.gradient_panel.set_gradcheck_busy(True)
        self.worker.request_gradcheck()
        self._apply_requested.emit()

    def install_run(self, run: Run) -> None:
        """Replace the current run (e.g. by a loaded model); stops training first."""
        self.stop()
        self._install_requested.emit(run)

    def request_changes(self, **changes: object) -> None:
        """Send live changes to the worker; applied between epochs, or now when idle."""
        if self.worker_thread is None:
            return
        if "data" in changes:
            self.walkthrough.data_changed()
            changes["explain"] = True  # the trace and dead units follow the new points
        self.worker.change(**changes)
        self._apply_requested.emit()

    def request_explanation(self) -> None:
        """Ask the worker for the walkthrough's sample and the neuron maps (now if idle,
        with the next snapshot while training)."""
        self.request_changes(explain=True)

    # --- live changes from the controls ---------------------------------------------------
    def _connect_controls(self) -> None:
        rc = self.run_controls
        rc.start_button.clicked.connect(self.start)
        rc.stop_button.clicked.connect(self.stop)
        rc.step_button.clicked.connect(self.step)
        rc.reset_button.clicked.connect(self.reset)
        self.walkthrough_start_button.clicked.connect(self.toggle)
        self.walkthrough_step_button.clicked.connect(self.step)
        rc.preset_chosen.connect(self.load_preset)
        op = self.optimizer_panel
        op.hyperparameter_changed.connect(self._on_hyperparameter)
        op.optimizer_changed.connect(self._on_optimizer_type)
        op.batch_size_changed.connect(self._on_batch_size)
        op.epoch_limit_changed.connect(self._on_epoch_limit)
        self.data_panel.changed.connect(self._on_data_changed)
        self.data_panel.regenerate_requested.connect(self.regenerate)
        self.network_panel.changed.connect(self._on_network_changed)
        self.gradient_panel.gradcheck_requested.connect(self.check_gradients)
        # A click adds a point, or beside the walkthrough picks a sample.
        self.boundary_plot.point_added.connect(self.walkthrough.on_plot_clicked)
        self.boundary_plot.point_removed.connect(self.walkthrough.on_plot_ctrl_clicked)

    @Slot(str, float)
    def _on_hyperparameter(self, name: str, value: float) -> None:
        self.request_changes(hyper={name: value})
        self.statusBar().showMessage(f"{name.replace('_', ' ')} = {value:g}, applied now", 4000)

    @Slot(object)
    def _on_optimizer_type(self, config: dict) -> None:
        self.request_changes(optimizer=config)
        self.statusBar().showMessage(
            f"Switched to {config['type']} with fresh state; the weights are kept", 5000
        )

    @Slot(int)
    def _on_batch_size(self, value: int) -> None:
        self.request_changes(batch_size=value or None)

    @Slot(int)
    def _on_epoch_limit(self, value: int) -> None:
        self.request_changes(epoch_limit=value)

    @Slot()
    def _on_data_changed(self) -> None:
        self.points.forget()
        self.run_controls.show_preset(None)
        self._update_io()
        self.update_banner()

    @Slot()
    def _on_network_changed(self) -> None:
        self.run_controls.show_preset(None)
        self.update_banner()

    # --- what the worker reports ----------------------------------------------------------
    @Slot(object)
    def _on_run_built(self, info: RunInfo) -> None:
        self.info = info
        self.metrics.clear()
        self.loss_plot.clear()
        self.accuracy_plot.clear()
        self.gradient_panel.set_layers(list(info.layer_names), list(info.has_relu))
        self.gradient_panel.clear()
        self.gradient_panel.set_gradcheck_busy(False)
        plot = self.boundary_plot
        plot.set_data(info.X_train, info.y_train, info.X_val, info.y_val, info.n_classes, info.task)
        if info.task != "regression":
            plot.set_grid(info.grid)
        plot.clear_boundary()
        self.network_panel.summary_label.setToolTip(
            f"The architecture the next Reset builds. Built now: {info.summary}"
        )
        self.walkthrough.reset(info)
        self.neuron_link.reset(info)
        self.hidden_link.reset(info)
        self.network_graph.set_architecture(*graph_labels(info))
        self._update_io()
        self.update_banner()
        self._draw(info.initial)
        if self._fit_after_first_run:  # a first launch: fit the screen, the views filled
            self._fit_after_first_run = False
            QTimer.singleShot(0, self, self.fit_first_layout)
        self.run_ready.emit()

    @Slot()
    def _on_started(self) -> None:
        self.run_controls.set_state(True, self.stopping)

    @Slot(object)
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        started = time.thread_time()
        try:
            self._draw(snapshot)
        finally:
            # Acknowledge once the repaint this draw scheduled has run: the worker spaces
            # its snapshots by what drawing really costs. CPU time of this thread, not
            # wall time: waiting for the GIL the training thread holds is no drawing cost
            # (counted, it spaced the curves to ~19 frames a second instead of ~25).
            QTimer.singleShot(0, partial(self._snapshot_painted, started))
        self.snapshot_drawn.emit(snapshot.epoch)

    def _snapshot_painted(self, started: float) -> None:
        if self.worker_thread is not None:
            self.worker.snapshot_consumed(time.thread_time() - started)

    def _draw(self, snapshot: Snapshot) -> None:
        table = snapshot.curve
        last = self.loss_plot.train_history.last
        if last is not None:
            # After a divergence the trainer rolls back and redoes epochs.
            table = table[table[:, 0] > last[0]]
        if len(table):
            epochs = table[:, 0]
            self.metrics.extend(table)
            self.loss_plot.extend(epochs, table[:, 1], table[:, 6])
            self.accuracy_plot.extend(epochs, table[:, 4], table[:, 7])
        self.loss_plot.refresh()
        self.accuracy_plot.refresh()
        if snapshot.boundary is not None and self.info is not None:
            if self.info.task == "regression":
                self.boundary_plot.update_regression(self.info.grid.xs, snapshot.boundary[:, 0])
            else:
                self.boundary_plot.update_boundary(
                    snapshot.boundary, snapshot.train_predictions, snapshot.val_predictions
                )
        if snapshot.weights is not None:  # a new run's has weights but no gradients yet
            self.gradient_panel.update_stats(
                snapshot.stats, snapshot.weights, snapshot.dweights, snapshot.layer_rows
            )
            self.network_graph.set_weights(snapshot.weights)
        if snapshot.explanation is not None:
            self._on_explained(snapshot.explanation)
        if snapshot.epochs_per_second:
            self._last_rate = snapshot.epochs_per_second
        self.epoch_label.setText(f"Epoch {snapshot.epoch}")
        self.status.show_stats(snapshot.stats, self._last_rate if self.running else None)

    @Slot(int, str)
    def _on_stopped(self, epoch: int, reason: str) -> None:
        self.running = self.stopping = False
        self._update_buttons()
        if reason == LIMIT_REACHED:
            self.statusBar().showMessage(
                f"Reached the epoch limit ({epoch:,}): raise it to train on.", 10000
            )
        self.status.show_rate(None)
        self.training_stopped.emit(epoch, reason)

    @Slot(str)
    def _on_diverged(self, message: str) -> None:
        self.show_problem(
            f"{message}\nChange the learning rate (or another setting), then press Start again."
        )

    @Slot(str)
    def _on_errored(self, message: str) -> None:
        self.gradient_panel.set_gradcheck_busy(False)
        if self.info is None and self.run_controls.preset_combo.currentData() != DEFAULT_PRESET:
            # The remembered run cannot be built (its CSV file is gone, say): start from
            # the default preset rather than with an empty window.
            message += f"\nStarted from the preset {DEFAULT_PRESET} instead."
            self.load_preset(DEFAULT_PRESET)
        self.show_problem(message)

    @Slot(object)
    def _on_gradcheck(self, result: object) -> None:
        self.gradient_panel.set_gradcheck_busy(False)
        if result is not None:
            self.gradient_panel.show_gradcheck(result)
        self.gradcheck_done.emit(result)

    @Slot(object)
    def _on_explained(self, explanation: Explanation) -> None:
        if explanation.sample is not None:
            self.walkthrough.show(explanation.sample)
        if explanation.neurons is not None:
            self.neuron_link.show(explanation.neurons)
        if explanation.hidden is not None:
            self.hidden_link.show(explanation.hidden)
        self.explanation_shown.emit(explanation.epoch)

    @Slot(str)
    def _on_model_saved(self, path: str) -> None:
        self.statusBar().showMessage(f"Model saved to {path}", 8000)
        self.model_saved.emit(path)

    def _update_buttons(self) -> None:
        self.run_controls.set_state(self.running, self.stopping)
        self.walkthrough_start_button.setText("■ Stop" if self.running else "▶ Start")
        self.walkthrough_start_button.setEnabled(not self.stopping)
        self.walkthrough_step_button.setEnabled(not self.running)
