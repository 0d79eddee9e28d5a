"""Immutable values the training worker hands to the window.

Everything here is a copy: the worker keeps training while the window draws, so no array
in a ``Snapshot`` or a ``RunInfo`` is ever a view of the live network or trainer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gui.metrics import COLUMNS
from model.grid import BoundaryGrid
from model.hidden_space import HiddenSpace
from model.trainer import EpochStats
from model.walkthrough import LayerTrace


@dataclass(frozen=True)
class NeuronMaps:
    """What every hidden neuron outputs over the input plane (for the neuron views)."""

    #: One array per hidden layer, float32: shape (res * res, n_neurons) on ``RunInfo.
    #: neuron_grid`` (row i * res + j is (xs[j], ys[i])), or (res, n_neurons) for 1-D inputs.
    maps: tuple[np.ndarray, ...]
    resolution: int
    #: One bool array per hidden layer, shape (n_neurons,): ReLU units dead on the
    #: training data.
    dead: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class SampleTrace:
    """One training sample seen by the walkthrough (parts 2 and 3)."""

    index: int
    x: np.ndarray  # shape (n_inputs,)
    label: object  # its class (int), or its target row for regression / binary
    #: ``model.walkthrough.sample_trace`` for this sample, top (loss) first; copies.
    traces: tuple[LayerTrace, ...]
    #: The network's logits for every training sample, shape (n, k), and their labels
    #: (n,): only when the output is softmax + categorical cross-entropy, else None.
    logits: np.ndarray | None = None
    labels: np.ndarray | None = None


@dataclass(frozen=True)
class Explanation:
    """The walkthrough's sample, the neuron views' maps and the hidden space, each present
    when asked for."""

    epoch: int
    sample: SampleTrace | None = None
    neurons: NeuronMaps | None = None
    hidden: HiddenSpace | None = None


@dataclass(frozen=True)
class Snapshot:
    """The state of a run after one epoch, throttled at the source.

    ``stats`` is the latest epoch; ``curve`` holds the numbers of every epoch since the
    previous snapshot (oldest first, ending with ``stats``), so curves keep their shape
    however fast the worker trains. ``stats.layers`` is filled in when the inspector part
    is present.
    """

    stats: EpochStats
    #: Every epoch since the previous snapshot, oldest first, one row each: shape
    #: (n, len(gui.metrics.COLUMNS)), NaN where there is no validation set; read-only.
    curve: np.ndarray = field(default_factory=lambda: np.empty((0, len(COLUMNS))))
    #: Outputs on the boundary grid, float32: shape (res, res, n_outputs) for 2-D inputs
    #: (row i, column j is the point (xs[j], ys[i])), shape (res, n_outputs) for 1-D inputs.
    boundary: np.ndarray | None = None
    #: Predictions on the training and validation points, shape (n,) (class, 0/1 or value).
    train_predictions: np.ndarray | None = None
    val_predictions: np.ndarray | None = None
    #: One array per Dense layer: weights, shape (n_inputs, n_neurons), and dweights.
    weights: tuple[np.ndarray, ...] | None = None
    dweights: tuple[np.ndarray, ...] | None = None
    epochs_per_second: float = 0.0
    #: The walkthrough's sample and the neuron maps (with the inspector's throttle).
    explanation: Explanation | None = None
    #: With the inspector part: the layers' numbers of the epochs inspected for them since
    #: the previous inspector snapshot (``gui.metrics.LayerRows.take``), oldest first.
    layer_rows: np.ndarray | None = None

    @property
    def epoch(self) -> int:
        return self.stats.epoch

    @property
    def has_inspector(self) -> bool:
        return self.weights is not None and self.stats.layers is not None


@dataclass(frozen=True)
class RunInfo:
    """What the window needs to know about a freshly built (or reloaded) run."""

    #: Training and validation data: X shape (n, n_inputs); y shape (n,) labels, or (n, 1).
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    task: str  # "classification", "binary" or "regression"
    n_classes: int | None
    #: Where ``Snapshot.boundary`` is evaluated (for 1-D inputs: ``ys`` has one element).
    grid: BoundaryGrid
    layer_names: tuple[str, ...]
    #: For each Dense layer, whether a ReLU follows it (dead units are measurable).
    has_relu: tuple[bool, ...]
    summary: str
    n_params: int
    epoch: int
    #: The run's state before the next epoch: loss, boundary, weights.
    initial: Snapshot
    #: The run configuration (a ``model.config.RunConfig``) it was built from, if any.
    config: object = None
    dataset_name: str = ""
    notes: tuple[str, ...] = field(default=())
    #: Neurons of each Dense layer, and the activation that follows it ("ReLU", "Softmax"...).
    layer_sizes: tuple[int, ...] = ()
    activations: tuple[str, ...] = ()
    #: The coarse grid the neuron maps are computed on (None: the run has no hidden layer
    #: or more than two inputs).
    neuron_grid: BoundaryGrid | None = None
    #: True when the output is softmax + categorical cross-entropy (walkthrough part 2).
    softmax_output: bool = False

    @property
    def hidden_names(self) -> tuple[str, ...]:
        return self.layer_names[:-1]

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        return self.layer_sizes[:-1]

    @property
    def n_inputs(self) -> int:
        return int(self.X_train.shape[1])


def frozen_copy(array: np.ndarray, dtype: np.dtype | type | None = None) -> np.ndarray:
    """A read-only copy of ``array`` (optionally converted to ``dtype``)."""
    out = np.array(array, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out
