"""The training worker in its own thread: snapshots, throttling, stop, live changes."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QObject, QThread, Signal, Slot

import gui.worker
from gui.capture import (
    BOUNDARY_MACS,
    LINE_RESOLUTION,
    MIN_BOUNDARY_RESOLUTION,
    BoundaryShadow,
    boundary_resolution,
    make_grid,
)
from gui.snapshot import RunInfo, Snapshot
from gui.worker import (
    BOUNDARY_RESOLUTION,
    DIVERGED,
    GUI_BUDGET,
    LIMIT_REACHED,
    MAX_DRAW_COST,
    STEP_DONE,
    STOP_REQUESTED,
    TrainingWorker,
)
from model.build import build_network
from model.config import RunConfig
from model.run import PRESETS, build_run

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]

SMALL = RunConfig.from_dict(
    {
        "data": {"samples": 50, "classes": 3},
        "network": {"hidden": [16]},
        "optimizer": {"type": "Adam", "learning_rate": 0.02},
    }
)


class Recorder(QObject):
    """Lives in the test's (GUI) thread: the worker's signals arrive here queued."""

    run_built = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.infos: list[RunInfo] = []
        self.snapshots: list[Snapshot] = []
        self.stops: list[tuple[int, str]] = []
        self.divergences: list[str] = []
        self.errors: list[str] = []
        self.gradchecks: list[object] = []

    @Slot(object)
    def on_run_built(self, info: RunInfo) -> None:
        self.infos.append(info)

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshots.append(snapshot)
        self.worker.snapshot_consumed()

    @Slot(int, str)
    def on_stopped(self, epoch: int, reason: str) -> None:
        self.stops.append((epoch, reason))

    @Slot(str)
    def on_diverged(self, message: str) -> None:
        self.divergences.append(message)

    @Slot(str)
    def on_errored(self, message: str) -> None:
        self.errors.append(message)

    @Slot(object)
    def on_gradcheck(self, result: object) -> None:
        self.gradchecks.append(result)


class Driver(QObject):
    """Sends queued requests to the worker, as the window does."""

    build = Signal(object, object)
    train = Signal(int)
    apply = Signal()


@pytest.fixture
def worker(qtbot):
    worker = TrainingWorker()
    thread = QThread()
    thread.setObjectName("test_worker_thread")
    worker.moveToThread(thread)
    recorder = Recorder()
    recorder.worker = worker
    driver = Driver()
    driver.build.connect(worker.build)
    driver.train.connect(worker.train)
    driver.apply.connect(worker.apply_pending)
    worker.run_built.connect(recorder.on_run_built)
    worker.snapshot_ready.connect(recorder.on_snapshot)
    worker.stopped.connect(recorder.on_stopped)
    worker.diverged.connect(recorder.on_diverged)
    worker.errored.connect(recorder.on_errored)
    worker.gradcheck_finished.connect(recorder.on_gradcheck)
    thread.start()
    worker.recorder, worker.driver = recorder, driver
    driver.build.emit(SMALL, None)
    qtbot.waitUntil(lambda: len(recorder.infos) == 1)
    yield worker
    worker.request_stop()
    thread.quit()
    assert thread.wait(5000)


def _train_for(qtbot, worker, seconds: float) -> None:
    worker.clear_stop()
    stops = len(worker.recorder.stops)
    worker.driver.train.emit(0)
    qtbot.wait(int(seconds * 1000))
    worker.request_stop()
    qtbot.waitUntil(lambda: len(worker.recorder.stops) > stops, timeout=2000)


def test_a_built_run_is_described_with_copies_of_its_data(worker):
    info = worker.recorder.infos[0]
    assert info.X_train.shape == (150, 2)
    assert info.layer_names == ("Dense 1 (2→16)", "Dense 2 (16→3)")
    assert info.has_relu == (True, False)
    assert info.initial.boundary.shape == (BOUNDARY_RESOLUTION, BOUNDARY_RESOLUTION, 3)
    assert info.initial.boundary.dtype == np.float32
    assert not info.X_train.flags.writeable


def test_step_runs_exactly_one_epoch_with_a_full_snapshot(qtbot, worker):
    worker.driver.train.emit(1)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    assert worker.recorder.stops == [(1, STEP_DONE)]
    (snapshot,) = worker.recorder.snapshots
    assert snapshot.epoch == 1
    assert snapshot.boundary is not None and snapshot.has_inspector
    assert len(snapshot.weights) == len(snapshot.dweights) == 2
    assert worker.run.trainer.epoch == 1


def test_stop_flag_ends_the_loop_within_one_second(qtbot, worker):
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.snapshots))
    started = time.monotonic()
    worker.request_stop()
    qtbot.waitUntil(lambda: bool(worker.recorder.stops), timeout=1000)
    assert time.monotonic() - started < 1.0
    assert worker.recorder.stops[0][1] == STOP_REQUESTED


def test_curve_rows_cover_every_epoch_in_order(qtbot, worker):
    _train_for(qtbot, worker, 0.5)
    epochs = [int(epoch) for s in worker.recorder.snapshots for epoch in s.curve[:, 0]]
    assert epochs == list(range(1, worker.run.trainer.epoch + 1))
    assert all(s.curve[-1, 0] == s.stats.epoch for s in worker.recorder.snapshots)
    assert all(s.curve[-1, 2] == s.stats.data_loss for s in worker.recorder.snapshots)


def test_snapshots_are_throttled_at_the_source(qtbot, worker):
    _train_for(qtbot, worker, 1.0)
    snapshots = worker.recorder.snapshots
    epochs = worker.run.trainer.epoch
    assert epochs > 3 * len(snapshots)  # many epochs per snapshot
    assert len(snapshots) <= 45  # ~30 a second, plus the last
    assert sum(s.boundary is not None for s in snapshots) <= 15
    assert sum(s.has_inspector for s in snapshots) <= 9


def test_inspector_snapshots_bring_the_layers_numbers_of_the_epochs_between_them(qtbot, worker):
    _train_for(qtbot, worker, 1.0)
    inspected = [s for s in worker.recorder.snapshots if s.has_inspector]
    tables = [s.layer_rows for s in inspected if s.layer_rows is not None]
    assert len(tables) >= 2
    previous = 0
    for snapshot in inspected:
        table = snapshot.layer_rows
        if table is None or not len(table):
            continue
        epochs = table[:, 0]
        assert previous < epochs[0] and np.all(np.diff(epochs) > 0)
        assert epochs[-1] == snapshot.epoch  # the inspector's own epoch closes the table
        assert table.shape[1] == 1 + 4 * len(snapshot.stats.layers)
        previous = epochs[-1]
    # About one row per snapshot: several per inspector snapshot.
    assert sum(len(t) for t in tables) >= 2 * len(tables)


def test_a_wide_network_gets_a_coarser_boundary_grid():
    small = build_network(2, 3, (64,), rng=0)
    wide = build_network(2, 3, (64, 512, 512, 512, 512, 512), rng=0)
    assert boundary_resolution(small, 200) == 200
    side = boundary_resolution(wide, 200)
    assert MIN_BOUNDARY_RESOLUTION <= side < 60
    per_point = sum(layer.n_inputs * layer.n_neurons for layer in wide.dense_layers)
    assert side**2 * per_point <= BOUNDARY_MACS


def test_a_network_on_one_input_keeps_its_line_of_points():
    wide = build_network(1, 1, (512, 512, 512), rng=0, task="regression")
    assert boundary_resolution(wide, BOUNDARY_RESOLUTION) == LINE_RESOLUTION


def test_an_expensive_boundary_is_evaluated_less_often_so_training_keeps_the_time(
    qtbot, worker, monkeypatch
):
    pass_seconds = 0.1  # a wide network's boundary pass
    evaluate = BoundaryShadow.predict_proba

    def slow_pass(shadow):
        time.sleep(pass_seconds)
        return evaluate(shadow)

    monkeypatch.setattr(BoundaryShadow, "predict_proba", slow_pass)
    started = time.monotonic()
    _train_for(qtbot, worker, 2.5)
    elapsed = time.monotonic() - started
    passes = sum(s.boundary is not None for s in worker.recorder.snapshots)
    # Unbudgeted, passes ran back to back (15 in 1.5 s); the budget is a fifth of the time.
    assert passes * pass_seconds <= 0.25 * elapsed + pass_seconds  # + the last one, at Stop
    assert passes >= 3  # still drawn while training: the first, the last and one between


class _OneMillisecondPerReading:
    """A clock for the worker that advances 1 ms each time it is read (once per epoch)."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 0.001
        return self.now


@pytest.mark.parametrize(
    ("stream", "interval"),
    [
        ("curves", 1 / gui.worker.CURVE_HZ),
        ("boundary", 1 / gui.worker.BOUNDARY_HZ),
        ("inspector", 1 / gui.worker.INSPECTOR_HZ),
    ],
)
def test_no_stream_is_sent_more_often_than_its_rate(qtbot, worker, monkeypatch, stream, interval):
    monkeypatch.setattr(gui.worker, "time", _OneMillisecondPerReading())
    worker.change(epoch_limit=2000)
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops), timeout=10_000)
    carries = {
        "curves": lambda s: True,
        "boundary": lambda s: s.boundary is not None,
        "inspector": lambda s: s.has_inspector,
    }[stream]
    sent = worker.recorder.snapshots[:-1]  # the last one (at the limit) is never held back
    epochs = [s.epoch for s in sent if carries(s)]
    assert len(epochs) >= 3
    assert min(np.diff(epochs)) >= round(interval * 1000)  # one epoch per millisecond


def test_a_draw_that_took_long_spaces_the_next_snapshot_by_a_bounded_time(worker):
    worker.snapshot_consumed(30.0)  # the window was held up (a dialog, a busy machine)
    assert worker.min_gap == MAX_DRAW_COST / GUI_BUDGET


def test_each_snapshot_is_spaced_by_its_own_draw_cost(worker):
    worker.snapshot_consumed(0.08)  # an inspector frame
    worker.snapshot_consumed(0.002)  # then a curves-only frame
    assert worker.min_gap == pytest.approx(0.002 / GUI_BUDGET)


def test_the_boundary_in_float32_matches_the_network_and_leaves_it_untouched():
    run = build_run(SMALL)
    for _ in range(50):
        run.trainer.run_epoch()
    grid = make_grid(run.X_train, 50)
    params = run.network.get_params()
    shadow = BoundaryShadow(run.network, grid.points)
    probs = shadow.predict_proba()
    assert probs.dtype == np.float32
    np.testing.assert_allclose(probs, run.network.predict_proba(grid.points), atol=1e-5)
    np.testing.assert_array_equal(run.network.params, params)


def test_the_float32_boundary_follows_the_network_from_one_call_to_the_next():
    run = build_run(SMALL)
    grid = make_grid(run.X_train, 50)  # 2,500 points: chunks of 1,024, 1,024 and 452
    shadow = BoundaryShadow(run.network, grid.points)
    for _ in range(3):
        for _ in range(20):
            run.trainer.run_epoch()
        expected = run.network.predict_proba(grid.points)
        np.testing.assert_allclose(shadow.predict_proba(), expected, atol=1e-5)


def test_snapshot_arrays_are_read_only_copies(qtbot, worker):
    worker.driver.train.emit(1)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    snapshot = worker.recorder.snapshots[0]
    weights = snapshot.weights[0].copy()
    worker.run.network.dense_layers[0].weights += 1.0  # the worker is idle
    np.testing.assert_array_equal(snapshot.weights[0], weights)
    assert not snapshot.boundary.flags.writeable
    assert not snapshot.dweights[0].flags.writeable


def test_hyperparameter_changes_apply_between_epochs(qtbot, worker):
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.snapshots))
    worker.change(hyper={"learning_rate": 0.005, "decay": 0.001})
    qtbot.waitUntil(lambda: any((s.curve[:, 5] < 0.005).any() for s in worker.recorder.snapshots))
    worker.request_stop()
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    assert worker.run.trainer.optimizer.learning_rate == 0.005
    assert worker.run.trainer.optimizer.decay == 0.001


def test_changes_sent_while_idle_apply_at_once(qtbot, worker):
    worker.change(hyper={"learning_rate": 0.123}, batch_size=32)
    worker.driver.apply.emit()
    qtbot.waitUntil(lambda: worker.run.optimizer.learning_rate == 0.123)
    assert worker.run.trainer.batch_size == 32


def test_a_new_optimizer_type_starts_with_fresh_state_and_the_same_weights(qtbot, worker):
    worker.driver.train.emit(1)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    weights = worker.run.network.get_params()
    worker.change(optimizer={"type": "SGD", "learning_rate": 0.5, "momentum": 0.9})
    worker.driver.apply.emit()
    qtbot.waitUntil(lambda: type(worker.run.trainer.optimizer).__name__ == "SGD")
    assert worker.run.trainer.optimizer.momentum == 0.9
    assert worker.run.trainer.optimizer.iterations == 0
    np.testing.assert_array_equal(worker.run.network.get_params(), weights)


def test_the_epoch_limit_stops_training(qtbot, worker):
    worker.change(epoch_limit=25)
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    assert worker.recorder.stops == [(25, LIMIT_REACHED)]
    assert worker.recorder.snapshots[-1].boundary is not None


def test_the_last_snapshot_at_the_epoch_limit_brings_the_inspectors_numbers_of_that_epoch(
    qtbot, worker
):
    worker.change(epoch_limit=3000)
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops), timeout=10_000)
    last = worker.recorder.snapshots[-1]
    assert last.epoch == 3000
    assert last.has_inspector
    assert last.layer_rows[-1, 0] == 3000


def test_divergence_is_reported_with_its_epoch_and_finite_weights(qtbot, worker):
    # With L2 the penalty on the exploding weights overflows (softmax alone saturates).
    worker.driver.build.emit(SMALL.updated({"network": {"weight_l2": 5e-4}}), None)
    qtbot.waitUntil(lambda: len(worker.recorder.infos) == 2)
    worker.change(optimizer={"type": "SGD", "learning_rate": 1e6})
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    assert worker.recorder.stops[0][1] == DIVERGED
    (message,) = worker.recorder.divergences
    assert "diverged at epoch" in message and "learning rate" in message
    assert np.all(np.isfinite(worker.run.network.params))


def test_a_gradient_check_runs_in_the_worker_and_passes(qtbot, worker):
    worker.request_gradcheck()
    worker.driver.apply.emit()
    qtbot.waitUntil(lambda: bool(worker.recorder.gradchecks), timeout=10_000)
    (result,) = worker.recorder.gradchecks
    assert result.passed
    assert len(result.layers) == 2


def test_a_gradient_check_requested_while_training_runs_between_epochs(qtbot, worker):
    worker.driver.train.emit(0)
    qtbot.waitUntil(lambda: bool(worker.recorder.snapshots))
    worker.request_gradcheck()
    qtbot.waitUntil(lambda: bool(worker.recorder.gradchecks), timeout=10_000)
    assert not worker.recorder.stops  # still training
    worker.request_stop()
    qtbot.waitUntil(lambda: bool(worker.recorder.stops))
    assert worker.recorder.gradchecks[0].passed


def test_a_configuration_that_cannot_be_built_keeps_the_current_run(qtbot, worker):
    run = worker.run
    bad = PRESETS["ch10"].updated({"data": {"dataset": "csv", "csv_path": "/nonexistent.csv"}})
    worker.driver.build.emit(bad, None)
    qtbot.waitUntil(lambda: bool(worker.recorder.errors))
    assert "Could not build the run" in worker.recorder.errors[0]
    assert worker.run is run
