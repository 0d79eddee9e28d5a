"""Copying what the window shows out of a live run. Called only in the worker's thread."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from gui.metrics import metrics_table
from gui.snapshot import Explanation, NeuronMaps, RunInfo, SampleTrace, Snapshot, frozen_copy
from model.activations import ReLU
from model.build import network_from_config
from model.grid import BoundaryGrid, boundary_grid
from model.hidden_space import HiddenSpace, grid_lines, hidden_space, line_1d
from model.layers import Dropout
from model.network import Network
from model.run import Run
from model.trainer import EpochStats, dense_name
from model.walkthrough import dead_units, hidden_activations, sample_trace

#: Side of the coarse grid the neuron views are computed on.
NEURON_RESOLUTION = 48
#: Multiply-adds one decision-boundary pass may cost. A pass holds the training thread, and
#: Stop waits for it: 128 x 128 points take ~0.75 ms for ch10's 2-64-3 network, but ~0.4 s
#: for six layers of 512 (float32, one BLAS thread). A wide network gets a coarser grid
#: instead, ~50 ms a pass.
BOUNDARY_MACS = 2e9
#: The coarsest grid side a boundary is drawn on.
MIN_BOUNDARY_RESOLUTION = 40
#: Points on the line a one-input network's curve is drawn from (always cheap).
LINE_RESOLUTION = 200


def boundary_resolution(network: Network, largest: int) -> int:
    """The side of the boundary grid for ``network``: ``largest``, unless a pass over
    ``largest**2`` points would cost more than ``BOUNDARY_MACS`` multiply-adds (never below
    ``MIN_BOUNDARY_RESOLUTION``). One input: a line of ``LINE_RESOLUTION`` points."""
    if network.n_inputs != 2:
        return LINE_RESOLUTION
    per_point = sum(layer.n_inputs * layer.n_neurons for layer in network.dense_layers)
    side = math.isqrt(int(BOUNDARY_MACS // max(per_point, 1)))
    return max(MIN_BOUNDARY_RESOLUTION, min(largest, side))


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


def neuron_grid(X: np.ndarray, run: Run) -> BoundaryGrid | None:
    """The coarse grid of the neuron views over the area of the boundary, or None when
    there is nothing to draw (no hidden layer, or not one or two inputs)."""
    if len(run.network.dense_layers) < 2 or X.shape[1] not in (1, 2):
        return None
    return make_grid(X, NEURON_RESOLUTION)


class BoundaryShadow:
    """A float32 twin of a network that evaluates the decision boundary.

    The boundary is tens of thousands of forward passes, done in the training thread while
    training waits: float32 halves their cost (ch10, 200 x 200 points: 6.9 -> 3.2 ms),
    well within what a picture of probabilities needs, and the training network's layer
    buffers stay untouched. Only the worker's thread uses it.
    """

    def __init__(self, network: Network, points: np.ndarray) -> None:
        """points : shape (n_points, n_inputs), the grid the boundary is drawn on."""
        self.source = network
        config = {**network.config(), "dtype": "float32"}
        self.network = network_from_config(config, rng=0)
        self.points = np.ascontiguousarray(points, dtype=np.float32)

    def predict_proba(self) -> np.ndarray:
        """The source network's current outputs on the grid, shape (n_points, n_outputs).

        Weights too large for float32 (a run about to diverge) are evaluated in the source
        network's own precision instead.
        """
        with np.errstate(all="ignore"):
            self.network.set_params(self.source.params)  # float64 -> float32, in place
            out = self.network.predict_proba(self.points)
            if not np.isfinite(out).all():
                out = self.source.predict_proba(self.points)
        return out


def activation_names(run: Run) -> tuple[str, ...]:
    """For each Dense layer, the name of the activation after it (Dropout skipped)."""
    layers = run.network.layers
    names = []
    for dense in run.network.dense_layers:
        j = next(k for k, layer in enumerate(layers) if layer is dense) + 1
        while j < len(layers) and isinstance(layers[j], Dropout):
            j += 1
        names.append(type(layers[j]).__name__ if j < len(layers) else "Linear")
    return tuple(names)


def relu_follows(run: Run) -> tuple[bool, ...]:
    """For each Dense layer, whether a ReLU comes next (so dead units can be counted)."""
    layers = run.network.layers
    flags = []
    for dense in run.network.dense_layers:
        j = next(k for k, layer in enumerate(layers) if layer is dense)
        flags.append(j + 1 < len(layers) and isinstance(layers[j + 1], ReLU))
    return tuple(flags)


def take_explanation(
    run: Run,
    grid: BoundaryGrid | None,
    *,
    sample: int | None,
    neurons: bool,
    hidden: tuple[int, int, int] | None = None,
) -> Explanation:
    """Copies of what the walkthrough (``sample``: a training index, None for none), the
    neuron views (on ``grid``) and the hidden space (``hidden``: layer, neuron on x, neuron
    on y) show. Runs forward passes: only in the network's thread. A part whose numbers are
    not finite (a diverging run) or that does not fit the network is left out."""
    net, X, y = run.network, run.trainer.X, run.trainer.y
    maps = None
    with np.errstate(all="ignore"):
        if neurons and grid is not None:
            activations = tuple(
                frozen_copy(a, np.float32) for a in hidden_activations(net, grid.points)
            )
            if all(np.isfinite(a).all() for a in activations):  # else keep the last ones
                maps = NeuronMaps(
                    maps=activations,
                    resolution=grid.resolution,
                    dead=tuple(frozen_copy(d) for d in dead_units(net, X)),
                )
        traced = None
        if sample is not None and len(X):
            index = sample if 0 <= sample < len(X) else 0
            logits = labels = None
            if net.fused_loss is not None:
                net.forward(X, training=False)
                logits = frozen_copy(net.dense_layers[-1].output)
                labels = frozen_copy(np.asarray(y).reshape(-1))
            traces = tuple(_frozen_trace(t) for t in sample_trace(net, X, y, index))
            label = np.asarray(y)[index]
            finite = logits is None or np.isfinite(logits).all()
            if finite and all(np.isfinite(t.dvalues).all() for t in traces):
                traced = SampleTrace(
                    index=index,
                    x=frozen_copy(X[index]),
                    label=int(label) if label.ndim == 0 else frozen_copy(label),
                    traces=traces,
                    logits=logits,
                    labels=labels,
                )
        space = _hidden_space(run, grid, hidden) if hidden is not None else None
    return Explanation(epoch=run.trainer.epoch, sample=traced, neurons=maps, hidden=space)


def _hidden_space(
    run: Run, grid: BoundaryGrid | None, selection: tuple[int, int, int]
) -> HiddenSpace | None:
    """The training points and the lines of a grid over ``grid``'s area on two neurons."""
    if grid is None:
        return None
    if run.network.n_inputs == 2:
        lines = grid_lines(grid.extent)
    else:
        lines = line_1d((float(grid.xs[0]), float(grid.xs[-1])))
    layer, a, b = selection
    try:
        space = hidden_space(run.network, run.trainer.X, lines, layer, (a, b))
    except ValueError:  # a selection for another network, overtaken by a Reset
        return None
    if not (np.isfinite(space.points).all() and np.isfinite(space.lines).all()):
        return None
    return HiddenSpace(
        space.layer, space.neurons, frozen_copy(space.points), frozen_copy(space.lines)
    )


def _frozen_trace(trace):
    changes = {
        name: frozen_copy(value)
        for name, value in vars(trace).items()
        if isinstance(value, np.ndarray)
    }
    return dataclasses.replace(trace, **changes)


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
    curve: np.ndarray,
    *,
    boundary: bool = False,
    inspector: bool = False,
    rate: float = 0.0,
    explain: dict[str, Any] | None = None,
    shadow: BoundaryShadow | None = None,
    layer_rows: np.ndarray | None = None,
) -> Snapshot:
    """A ``Snapshot`` of ``run``: the boundary on ``grid`` and the weights when asked, and
    ``take_explanation(run, **explain)`` when ``explain`` is given. The boundary is
    evaluated by ``shadow`` when given (it must be ``run.network``'s, on ``grid``).
    ``layer_rows`` (``gui.metrics.LayerRows.take``) ride along with the inspector part."""
    net = run.network
    values: dict[str, Any] = {}
    if boundary and grid is not None:
        with np.errstate(all="ignore"):
            if shadow is not None and shadow.source is net:
                out = shadow.predict_proba()
            else:
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
        values["layer_rows"] = layer_rows
    if explain is not None:
        # After the inspector's copies: the walkthrough's passes overwrite layer buffers.
        values["explanation"] = take_explanation(run, **explain)
    return Snapshot(stats=stats, curve=curve, epochs_per_second=rate, **values)


def describe_run(
    run: Run,
    grid: BoundaryGrid,
    small_grid: BoundaryGrid | None = None,
    *,
    sample: int | None = None,
    neurons: bool = False,
    hidden: tuple[int, int, int] | None = None,
) -> RunInfo:
    """Everything the window needs about ``run``, with its state before the next epoch;
    the walkthrough's ``sample`` and the neuron maps on ``small_grid`` when asked."""
    net = run.network
    stats = current_stats(run)
    explain = {"grid": small_grid, "sample": sample, "neurons": neurons, "hidden": hidden}
    initial = take_snapshot(
        run, grid, stats, metrics_table((stats,)), boundary=True, inspector=True, explain=explain
    )
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
        layer_sizes=tuple(int(d.weights.shape[1]) for d in net.dense_layers),
        activations=activation_names(run),
        neuron_grid=small_grid,
        softmax_output=net.fused_loss is not None,
    )
