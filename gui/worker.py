"""The training worker: owns the engine objects and streams snapshots to the window.

``TrainingWorker`` is a parent-less ``QObject`` moved to a ``QThread``. The window calls its
slots through queued signals (build a run, train, step) and its thread-safe methods
directly (stop, hyperparameter changes, gradient check, save). While a training loop
runs, nothing but this worker touches the network: changes wait in a lock-protected dict
and are applied between epochs. Stopping is a ``threading.Event`` checked between epochs,
never a queued signal (which would wait for the loop to return).
"""

from __future__ import annotations

import math
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from gui.capture import (
    BoundaryShadow,
    boundary_resolution,
    current_stats,
    describe_run,
    make_grid,
    neuron_grid,
    take_explanation,
    take_snapshot,
)
from gui.metrics import CurveRows, LayerRows
from gui.snapshot import Snapshot
from model.config import ConfigError, RunConfig
from model.datasets import Dataset
from model.gradcheck import gradient_check
from model.grid import BoundaryGrid
from model.optimizers import OPTIMIZERS
from model.run import Run, build_run
from model.trainer import Trainer, TrainingDiverged

#: Default refresh rates (per second) of the three kinds of snapshot content.
CURVE_HZ = 30.0
BOUNDARY_HZ = 10.0
INSPECTOR_HZ = 5.0
#: Side of the decision boundary's grid (two inputs). Drawn with bilinear filtering over
#: the ~540 pixels the plot has at 1600 x 1000, a cell of ~4 pixels looks as smooth as
#: 200 x 200 did (compared side by side), at 0.41 of the cost: a pass takes the training
#: thread's time ~10 times a second (ch10: 1.8 -> 0.75 ms).
BOUNDARY_RESOLUTION = 128
#: Snapshots sent but not yet drawn; beyond this the worker keeps accumulating curve rows.
MAX_IN_FLIGHT = 1
#: Share of the time the window may spend drawing snapshots. Drawing runs Python (pyqtgraph)
#: under the GIL the training thread needs too, so after a snapshot that took ``t`` seconds
#: to draw the next one waits ``t / GUI_BUDGET`` from the previous one, whatever the rates
#: ask for. Each snapshot is spaced by its own cost: a cheap curves-only frame is not held
#: back by the last (expensive) inspector frame.
GUI_BUDGET = 0.2
#: A draw is taken to have cost at most this (seconds): a draw held up by something else
#: (a modal dialog, a window being moved, a busy machine) must not hold the display back.
MAX_DRAW_COST = 0.1
#: Share of the training thread's time the boundary and the inspector's snapshots may take.
#: After one that took ``t`` seconds, neither comes again for ``t / HEAVY_SHARE``: for ch10
#: (~2 ms) the rates above rule; for a wide network (a boundary pass of ~50 ms, a neuron map
#: pass as much) training keeps four fifths of the time.
HEAVY_SHARE = 0.2
#: Seconds between two looks at whether the window has drawn the last snapshot.
ACK_POLL = 0.001
#: Curve rows kept while the window is busy; beyond this every other row is dropped.
MAX_PENDING_ROWS = 20_000
#: At most this many training samples go into a gradient check (it is O(params * samples)).
GRADCHECK_SAMPLES = 256

#: Why a training loop ended (``TrainingWorker.stopped``'s second argument).
STOP_REQUESTED = "stopped"
LIMIT_REACHED = "limit"
STEP_DONE = "step"
DIVERGED = "diverged"
FAILED = "error"


class TrainingWorker(QObject):
    """Trains a ``model.config.Run`` in its own thread and emits ``Snapshot`` objects."""

    #: A run was built or replaced: ``RunInfo``.
    run_built = Signal(object)
    #: A training loop (Start or Step) began.
    started = Signal()
    #: A ``Snapshot`` is ready to draw.
    snapshot_ready = Signal(object)
    #: The loop ended: (epoch, reason) with reason one of "stopped", "limit", "step",
    #: "diverged", "error".
    stopped = Signal(int, str)
    #: Training diverged; the message says where, why, and that the weights were rolled back.
    diverged = Signal(str)
    #: Something could not be done (bad configuration, unreadable file...): a message.
    errored = Signal(str)
    #: A gradient check finished: ``model.gradcheck.GradCheckResult``.
    gradcheck_finished = Signal(object)
    #: A model file was written: its path.
    model_saved = Signal(str)
    #: Asked for while idle: the walkthrough's sample and the neuron maps
    #: (``gui.snapshot.Explanation``). While training they ride on snapshots instead.
    explained = Signal(object)

    def __init__(self, builder: Callable[..., Run] = build_run) -> None:
        super().__init__()  # no parent: it is moved to a QThread
        self._builder = builder
        self._run: Run | None = None
        self._grid: BoundaryGrid | None = None
        self._small_grid: BoundaryGrid | None = None
        self._shadow: BoundaryShadow | None = None
        self._sample: int | None = None  # the walkthrough's sample; None: not shown
        self._neurons = False  # whether the neuron views are shown
        self._hidden: tuple[int, int, int] | None = None  # the hidden space's selection
        self._explain_due = False  # send an explanation with the next snapshot
        self._looping = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._in_flight = 0
        self._draw_cost = 0.0  # seconds the window took to draw the last snapshot
        self.epoch_limit = 10_001
        self.curve_interval = 1.0 / CURVE_HZ
        self.boundary_interval = 1.0 / BOUNDARY_HZ
        self.inspector_interval = 1.0 / INSPECTOR_HZ
        self.resolution = BOUNDARY_RESOLUTION

    # --- thread-safe requests (call from any thread) ------------------------------------
    @property
    def run(self) -> Run | None:
        """The engine objects. Read them only while the worker is idle."""
        return self._run

    def request_stop(self) -> None:
        """Ask the training loop to end after the current epoch."""
        self._stop.set()

    def clear_stop(self) -> None:
        """Forget an earlier stop request (the window calls this before Start)."""
        self._stop.clear()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def set_rates(self, curve_hz: float, boundary_hz: float, inspector_hz: float) -> None:
        """Refresh rates (per second) of the curves, the boundary and the inspector."""
        self.curve_interval = 1.0 / max(curve_hz, 0.1)
        self.boundary_interval = 1.0 / max(boundary_hz, 0.1)
        self.inspector_interval = 1.0 / max(inspector_hz, 0.1)

    def change(self, **changes: Any) -> None:
        """Queue changes applied between epochs (or at once when idle, via ``apply_pending``).

        Keys: ``hyper`` (dict of optimizer hyperparameters), ``optimizer`` (an optimizer
        config dict with ``type``: a new optimizer, state reset), ``batch_size`` (int or
        None), ``epoch_limit`` (int), ``data`` (X_train, y_train, X_val, y_val), ``explain``
        (True: send the walkthrough's sample and the neuron maps, via ``explained`` when
        idle, else with the next snapshot).
        """
        with self._lock:
            for key, value in changes.items():
                if key == "hyper":
                    self._pending.setdefault("hyper", {}).update(value)
                else:
                    self._pending[key] = value

    def show_sample(self, index: int | None) -> None:
        """The walkthrough shows training sample ``index`` (None: the walkthrough is hidden)."""
        with self._lock:
            self._sample = None if index is None else int(index)

    def show_neurons(self, shown: bool) -> None:
        """Whether the neuron views are visible (their maps are computed only then)."""
        with self._lock:
            self._neurons = bool(shown)

    def show_hidden_space(self, selection: tuple[int, int, int] | None) -> None:
        """The hidden space view shows (layer, neuron on x, neuron on y); None: hidden."""
        with self._lock:
            self._hidden = None if selection is None else tuple(int(v) for v in selection)

    def _explain_args(self, grid: BoundaryGrid | None) -> dict[str, Any] | None:
        with self._lock:
            sample, neurons, hidden = self._sample, self._neurons, self._hidden
        if sample is None and not neurons and hidden is None:
            return None
        return {"grid": grid, "sample": sample, "neurons": neurons, "hidden": hidden}

    def request_gradcheck(self) -> None:
        """Run a gradient check between epochs (or now, via ``apply_pending``, when idle)."""
        self.change(gradcheck=True)

    def request_save(self, path: str, metadata: dict[str, Any] | None = None) -> None:
        """Save the model between epochs (or now, via ``apply_pending``, when idle)."""
        self.change(save=(path, metadata))

    def snapshot_consumed(self, seconds: float = 0.0) -> None:
        """The window drew a snapshot in ``seconds``: the worker may send another."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._draw_cost = min(max(seconds, 0.0), MAX_DRAW_COST)

    @property
    def min_gap(self) -> float:
        """Seconds from the last snapshot to the next so that drawing stays within
        ``GUI_BUDGET`` (at most ``MAX_DRAW_COST / GUI_BUDGET``)."""
        return self._draw_cost / GUI_BUDGET

    # --- slots: run in the worker's thread ------------------------------------------------
    @Slot(object, object)
    def build(self, config: RunConfig, dataset: Dataset | None = None) -> None:
        """Build a new run from ``config`` (and ``dataset`` instead of generating one).

        On failure the current run is kept and ``errored`` says why.
        """
        try:
            run = self._builder(config, dataset)
        except (ConfigError, ValueError, OSError) as error:
            self.errored.emit(f"Could not build the run: {error}")
            return
        except Exception:
            self.errored.emit(f"Could not build the run:\n{traceback.format_exc()}")
            return
        with self._lock:
            self._pending.pop("data", None)
            self._pending.pop("optimizer", None)
            self._pending.pop("hyper", None)
        self.epoch_limit = config.training.epochs
        self._install(run)

    @Slot(object)
    def install(self, run: Run) -> None:
        """Replace the current run by ``run`` (a loaded model, say) and describe it."""
        self._install(run)

    def _install(self, run: Run) -> None:
        self._run = run
        X_all = np.concatenate([run.X_train, run.X_val]) if len(run.X_val) else run.X_train
        self._grid = make_grid(X_all, boundary_resolution(run.network, self.resolution))
        self._shadow = BoundaryShadow(run.network, self._grid.points)
        self._small_grid = neuron_grid(X_all, run)
        explain = self._explain_args(self._small_grid) or {}
        explain.pop("grid", None)
        self.run_built.emit(describe_run(run, self._grid, self._small_grid, **explain))

    @Slot()
    def apply_pending(self) -> None:
        """Apply queued changes and requests now (the window sends this when idle)."""
        if self._run is not None:
            self._apply_pending(self._run)

    @Slot(int)
    def train(self, max_epochs: int = 0) -> None:
        """Train until stopped, the epoch limit, or ``max_epochs`` epochs (0: no cap).

        A Step is ``train(1)``: exactly one epoch, whatever the limit.
        """
        run = self._run
        if run is None:
            self.stopped.emit(0, FAILED)
            return
        with self._lock:
            self._in_flight = 0  # an acknowledgement lost with a closed window must not stall
            self._draw_cost = 0.0  # nor a draw measured long ago
        self.started.emit()
        self._looping = True
        try:
            reason = self._loop(run, max_epochs)
        finally:
            self._looping = False
        self.stopped.emit(run.trainer.epoch, reason)

    def _loop(self, run: Run, max_epochs: int) -> str:
        rows = CurveRows()  # every epoch since the last snapshot
        layer_rows = LayerRows()  # the inspected epochs since the last inspector snapshot
        last_boundary = last_inspect = last_emit = -math.inf
        rate_time, rate_epoch, rate = time.monotonic(), run.trainer.epoch, 0.0
        stop = self._stop.is_set
        capped = max_epochs != 1  # a Step runs its epoch whatever the limit
        inspect = max_epochs == 1  # the next epoch gathers the inspector's statistics
        # The next epoch gathers the layers' numbers alone ("scalars"): one before every
        # snapshot, so the inspector's plots over the epochs get a point per snapshot.
        light: bool | str = False
        trainer = run.trainer
        limit = self.epoch_limit if capped else math.inf
        done = 0
        # Before ``wake`` nothing can be due: an epoch then costs a clock reading and a
        # few comparisons beyond the engine's own work. (Measured with the snapshots
        # dropped unseen, the bookkeeping of every epoch used to cost ~5% of the speed.)
        wake = -math.inf
        # A snapshot with the boundary or the inspector's numbers started at ``heavy_since``;
        # its cost is known at the next clock reading, and sets ``heavy_ready``.
        heavy_since: float | None = None
        heavy_ready = -math.inf
        try:
            while True:
                if stop():
                    reason = STOP_REQUESTED
                    break
                if self._pending:  # a dict's truth is read atomically; applied under the lock
                    self._apply_pending(run)
                    trainer = run.trainer  # new data bring a new trainer
                    limit = self.epoch_limit if capped else math.inf
                    wake = -math.inf
                if trainer.epoch >= limit:
                    reason = LIMIT_REACHED
                    break
                if trainer.epoch + 1 == limit:
                    # The last epoch: the inspector shows the state training ends in, not
                    # one from up to a fifth of a second (thousands of epochs) before.
                    inspect = True
                stats = trainer.run_epoch(inspect=inspect or light)
                done += 1
                rows.add(stats)
                if stats.layers is not None:
                    layer_rows.add(stats)
                now = time.monotonic()
                if heavy_since is not None:
                    heavy_ready = heavy_since + (now - heavy_since) / HEAVY_SHARE
                    heavy_since = None
                if now < wake and done != max_epochs and trainer.epoch < limit and not stop():
                    continue
                final = done == max_epochs or stop() or trainer.epoch >= limit
                if now - rate_time >= 0.5:
                    measured = (trainer.epoch - rate_epoch) / (now - rate_time)
                    rate = measured if rate == 0.0 else 0.5 * rate + 0.5 * measured
                    rate_time, rate_epoch = now, trainer.epoch
                # The window has drawn what it got and has had its share of the time, and
                # the curves are due (every snapshot carries them; the boundary and the
                # inspector ride along when theirs are).
                gap = max(self.min_gap, self.curve_interval)
                drawn = self._in_flight < MAX_IN_FLIGHT
                if not final:
                    if not (drawn and now - last_emit >= gap):
                        if len(rows) > MAX_PENDING_ROWS:
                            rows.thin()
                        # Due at the gap's end; while the window draws, ask again shortly.
                        wake = last_emit + gap if drawn else now + ACK_POLL
                        continue
                    inspect_due = now - last_inspect >= self.inspector_interval
                    if not inspect and inspect_due and now >= heavy_ready:
                        inspect = True  # the next epoch (well under a millisecond) carries it
                        wake = -math.inf
                        continue
                    if not (inspect or light):
                        light = "scalars"
                        wake = -math.inf
                        continue
                want_boundary = final or (
                    now >= heavy_ready and now - last_boundary >= self.boundary_interval
                )
                explain = None
                if inspect or final or self._explain_due:
                    # The walkthrough and the neuron views follow the inspector's throttle.
                    explain = self._explain_args(self._small_grid)
                    self._explain_due = False
                snapshot = take_snapshot(
                    run,
                    self._grid,
                    stats,
                    rows.take(),
                    boundary=want_boundary,
                    inspector=inspect,
                    rate=rate,
                    explain=explain,
                    shadow=self._shadow,
                    layer_rows=layer_rows.take() if inspect else None,
                )
                last_emit = now
                light = False
                wake = now + self.curve_interval
                if want_boundary or inspect:
                    heavy_since = now
                if want_boundary:
                    last_boundary = now
                if inspect:
                    last_inspect = now
                    inspect = False
                self._emit(snapshot)
                if done == max_epochs:
                    reason = STEP_DONE
                    break
        except TrainingDiverged as error:
            # The trainer rolled back to the last finite epoch: show that state.
            stats = current_stats(run)
            self._emit(
                take_snapshot(
                    run, self._grid, stats, rows.take(), boundary=True, shadow=self._shadow
                )
            )
            self.diverged.emit(str(error))
            return DIVERGED
        except Exception:
            self.errored.emit(f"Training failed:\n{traceback.format_exc()}")
            return FAILED
        return reason

    def _emit(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._in_flight += 1
        self.snapshot_ready.emit(snapshot)

    # --- changes between epochs ---------------------------------------------------------
    def _apply_pending(self, run: Run) -> None:
        with self._lock:
            if not self._pending:
                return
            pending, self._pending = self._pending, {}
        try:
            self._apply(run, pending)
        except Exception as error:
            self.errored.emit(f"Could not apply the change: {error}")

    def _apply(self, run: Run, pending: dict[str, Any]) -> None:
        if "optimizer" in pending:
            config = dict(pending["optimizer"])
            cls = OPTIMIZERS[config.pop("type")]
            allowed = {k: v for k, v in config.items() if k in cls.hyperparameters}
            run.optimizer = cls(**allowed)
            run.trainer.optimizer = run.optimizer
        for name, value in pending.get("hyper", {}).items():
            if name in run.optimizer.hyperparameters:
                setattr(run.optimizer, name, value)
        if "batch_size" in pending:
            run.trainer.batch_size = pending["batch_size"]
        if "epoch_limit" in pending:
            self.epoch_limit = int(pending["epoch_limit"])
        if "data" in pending:
            self._replace_data(run, *pending["data"])
        if pending.get("gradcheck"):
            self._gradcheck(run)
        if "save" in pending:
            path, metadata = pending["save"]
            self._save(run, path, metadata)
        if pending.get("explain"):
            if self._looping:
                self._explain_due = True
            else:
                args = self._explain_args(self._small_grid)
                if args is not None:
                    self.explained.emit(take_explanation(run, **args))

    def _replace_data(self, run: Run, X_train, y_train, X_val, y_val) -> None:
        """Train on edited points from the next epoch on; weights and optimizer stay."""
        trainer = Trainer(
            run.network,
            run.optimizer,
            X_train,
            y_train,
            X_val,
            y_val,
            batch_size=run.trainer.batch_size,
            rng=run.trainer.rng,
            histogram_bins=run.trainer.histogram_bins,
        )
        trainer.epoch = run.trainer.epoch
        run.trainer = trainer
        run.X_train, run.y_train, run.X_val, run.y_val = X_train, y_train, X_val, y_val

    def _gradcheck(self, run: Run) -> None:
        X, y = run.trainer.X, run.trainer.y
        if len(X) > GRADCHECK_SAMPLES:
            rows = np.random.default_rng(0).choice(len(X), GRADCHECK_SAMPLES, replace=False)
            X, y = X[rows], y[rows]
        try:
            with np.errstate(all="ignore"):
                result = gradient_check(run.network, X, y)
        except ValueError as error:
            self.errored.emit(f"Gradient check not possible: {error}")
            self.gradcheck_finished.emit(None)
            return
        self.gradcheck_finished.emit(result)

    def _save(self, run: Run, path: str, metadata: dict[str, Any] | None) -> None:
        from model.persist import ModelFileError, save_model

        try:
            save_model(path, run.network, run.optimizer, epoch=run.trainer.epoch, metadata=metadata)
        except (ModelFileError, OSError, ValueError) as error:
            self.errored.emit(f"Could not save the model: {error}")
            return
        self.model_saved.emit(str(path))
