"""Copying what the window shows out of a live run. Called only in the worker's thread."""

from __future__ import annotations

from typing import Any

import numpy as np

from gui.snapshot import RunInfo, Snapshot, frozen_copy
from model.activations import ReLU
from model.grid import BoundaryGrid, boundary_grid
from model.run import Run
from model.trainer import EpochStats, dense_name


def make_grid(X: np.ndarray, resolution: int) -> BoundaryGrid:
    """The lattice the boundary is drawn on: 2-D for two inputs, a line for one.

    X : shape (n_samples, 1 or 2). For one input, ``points`` has shape (resolution, 1).
    """
    if X.shape[1] == 2:
        return boundary_grid(X, resolution)
    lo, hi = (float(X.min()), float(X.max())) if len(X) else (-1.0, 1.0)
    span = max(hi - lo, 1e-3)
    xs = np.linspace(lo - 0.05 * span, hi + 0.05 * span, resolution)
    return BoundaryGrid(xs, np.zeros(1), xs.reshape(-1, 1))


def relu_follows(run: Run) -> tuple[bool, ...]:
    """For each Dense layer, whether a ReLU comes next (so dead units can be counted)."""
    layers = run.network.layers
    flags = []
    for dense in run.network.dense_layers:
        j = next(k for k, layer in enumerate(layers) if layer is dense)
        flags.append(j + 1 < len(layers) and isinstance(layers[j + 1], ReLU))
    return tuple(flags)


def current_stats(run: Run) -> EpochStats:
    """The run's numbers as they stand (inference mode), e.g. before the first epoch."""
    net, trainer = run.network, run.trainer
    with np.errstate(all="ignore"):
        train = net.evaluate(trainer.X, trainer.y)
        val = net.evaluate(trainer.X_val, trainer.y_val) if trainer.X_val is not None else None
    return EpochStats(
        epoch=trainer.epoch,
        data_loss=float(train.data_loss),
        regularization_loss=float(train.regularization_loss),
        accuracy=float(train.accuracy),
        learning_rate=float(trainer.optimizer.current_learning_rate),
        val_loss=None if val is None else float(val.data_loss),
        val_accuracy=None if val is None else float(val.accuracy),
    )


def take_snapshot(
    run: Run,
    grid: BoundaryGrid | None,
    stats: EpochStats,
    rows: tuple[EpochStats, ...],
    *,
    boundary: bool = False,
    inspector: bool = False,
    rate: float = 0.0,
) -> Snapshot:
    """A ``Snapshot`` of ``run``: the boundary on ``grid`` and the weights when asked."""
    net = run.network
    values: dict[str, Any] = {}
    if boundary and grid is not None:
        with np.errstate(all="ignore"):
            out = net.predict_proba(grid.points)
            train_pred = net.predict(run.X_train) if len(run.X_train) else None
            val_pred = net.predict(run.X_val) if len(run.X_val) else None
        res = grid.resolution
        shape = (res, res, -1) if net.n_inputs == 2 else (res, -1)
        values["boundary"] = frozen_copy(out.reshape(shape), np.float32)
        if train_pred is not None:
            values["train_predictions"] = frozen_copy(np.asarray(train_pred).reshape(-1))
        if val_pred is not None:
            values["val_predictions"] = frozen_copy(np.asarray(val_pred).reshape(-1))
    if inspector:
        values["weights"] = tuple(frozen_copy(d.weights) for d in net.dense_layers)
        values["dweights"] = tuple(frozen_copy(d.dweights) for d in net.dense_layers)
    return Snapshot(stats=stats, curve=rows, epochs_per_second=rate, **values)


def describe_run(run: Run, grid: BoundaryGrid) -> RunInfo:
    """Everything the window needs about ``run``, with its state before the next epoch."""
    net = run.network
    stats = current_stats(run)
    initial = take_snapshot(run, grid, stats, (stats,), boundary=True, inspector=True)
    return RunInfo(
        X_train=frozen_copy(run.X_train),
        y_train=frozen_copy(run.y_train),
        X_val=frozen_copy(run.X_val),
        y_val=frozen_copy(run.y_val),
        task=run.task,
        n_classes=run.dataset.n_classes,
        grid=grid,
        layer_names=tuple(dense_name(i, d) for i, d in enumerate(net.dense_layers)),
        has_relu=relu_follows(run),
        summary=net.summary(),
        n_params=net.n_params,
        epoch=run.trainer.epoch,
        initial=initial,
        config=run.config,
        dataset_name=run.dataset.name,
    )
