"""Training one epoch at a time, with the numbers a learner watches.

The trainer never prints and never sleeps: it returns an ``EpochStats`` per epoch, and a
caller (the headless command, the window's worker, a test) decides what to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model._random import RandomLike, as_generator
from model.activations import ReLU
from model.layers import Dense, read_only
from model.network import Network
from model.optimizers import Optimizer

#: Percentiles of a layer's weights and dweights in ``LayerStats``: the ones TensorBoard's
#: distributions draw: a normal distribution's median, ±½σ, ±1σ, ±1.5σ and the extremes.
QUANTILES = (0.0, 6.68, 15.87, 30.85, 50.0, 69.15, 84.13, 93.32, 100.0)
#: Values a layer's inner percentiles are taken from at most (see ``distribution_bands``).
QUANTILE_SAMPLE = 20_000


class TrainingDiverged(RuntimeError):
    """The loss or a parameter stopped being finite; the weights were rolled back."""

    def __init__(self, epoch: int, what: str, learning_rate: float, rolled_back_to: int) -> None:
        self.epoch = epoch
        self.what = what
        self.learning_rate = learning_rate
        self.rolled_back_to = rolled_back_to
        super().__init__(
            f"Training diverged at epoch {epoch}: {what} stopped being a finite number. "
            f"The most likely cause is a learning rate that is too high "
            f"({learning_rate:g}) for this network and data: lower it (or add decay) and "
            f"train again. The weights were rolled back to the end of epoch {rolled_back_to}."
        )


#: The quantiles of a layer inspected for its scalars only: NaN, shared and read-only.
_NO_QUANTILES = np.full(9, np.nan)
_NO_QUANTILES.flags.writeable = False


@dataclass(frozen=True)
class LayerStats:
    """What the gradient inspector shows for one ``Dense`` layer after an epoch."""

    name: str
    weights_norm: float
    dweights_norm: float
    dbiases_norm: float
    #: ``||weights after - weights before|| / ||weights before||`` over the epoch.
    update_ratio: float
    #: Share of units of the following ReLU that output 0 for every sample (None: no ReLU).
    dead_fraction: float | None
    #: Histogram of ``dweights``: counts, shape (bins,), and edges, shape (bins + 1,).
    #: None after an epoch inspected for its scalars only (``inspect="scalars"``).
    histogram_counts: np.ndarray | None = None
    histogram_edges: np.ndarray | None = None
    #: The ``QUANTILES`` of ``weights`` and of ``dweights``, shape (9,) each, smallest first:
    #: TensorBoard's distribution bands (min, -1.5σ, -1σ, -½σ, median, +½σ, +1σ, +1.5σ, max).
    weights_quantiles: np.ndarray = field(default_factory=lambda: _NO_QUANTILES)
    dweights_quantiles: np.ndarray = field(default_factory=lambda: _NO_QUANTILES)


@dataclass(frozen=True)
class EpochStats:
    """Everything measured in one epoch; arrays are copies, safe to hand to another thread."""

    epoch: int
    data_loss: float
    regularization_loss: float
    accuracy: float
    learning_rate: float
    val_loss: float | None = None
    val_accuracy: float | None = None
    layers: tuple[LayerStats, ...] | None = None

    @property
    def loss(self) -> float:
        return self.data_loss + self.regularization_loss


def check_data(network: Network, X: np.ndarray, y: np.ndarray, name: str = "training") -> None:
    """Raise ``ValueError`` naming the problem if ``X, y`` do not fit ``network``."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != network.n_inputs:
        raise ValueError(
            f"{name} inputs must have shape (n_samples, {network.n_inputs}), got {X.shape}"
        )
    if len(y) != len(X):
        raise ValueError(f"{name} data has {len(X)} inputs but {len(y)} targets")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} inputs contain NaN or infinity")
    if network.task == "classification":
        k = network.n_outputs
        if y.ndim == 2 and y.shape[1] == k:
            return
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"{name} labels must be integers of shape (n,) or one-hot of shape (n, {k}), "
                f"got {y.dtype} of shape {y.shape}"
            )
        if len(y) and (y.min() < 0 or y.max() >= k):
            raise ValueError(
                f"{name} labels must lie in 0..{k - 1} for {k} classes, "
                f"got values from {y.min()} to {y.max()}"
            )
    elif network.task == "binary":
        if y.size and not np.all((y == 0) | (y == 1)):
            raise ValueError(f"{name} targets must be 0 or 1 for binary classification")
    elif not np.all(np.isfinite(y.astype(float))):
        raise ValueError(f"{name} targets contain NaN or infinity")


class _Checkpoint:
    """Parameters and optimizer state at the start of an epoch, in preallocated arrays."""

    def __init__(self, params: np.ndarray) -> None:
        self.params = params.copy()
        self.state: dict[str, np.ndarray] = {}
        self.optimizer: Optimizer | None = None
        self.iterations = 0
        self.epoch = 0
        self.saved = False

    def save(self, network: Network, optimizer: Optimizer, epoch: int) -> None:
        np.copyto(self.params, network.params)
        live = optimizer.state_for(network.params)
        if self.optimizer is not optimizer or self.state.keys() != live.keys():
            self.state = {key: value.copy() for key, value in live.items()}
        else:
            for key, value in live.items():
                np.copyto(self.state[key], value)
        self.optimizer, self.iterations, self.epoch = optimizer, optimizer.iterations, epoch
        self.saved = True

    def restore(self, network: Network, optimizer: Optimizer) -> int:
        """Put the saved state back; returns the epoch count it belongs to."""
        network.set_params(self.params)
        if optimizer is self.optimizer:
            for key, value in optimizer.state_for(network.params).items():
                np.copyto(value, self.state[key])
            optimizer.iterations = self.iterations
        return self.epoch


class Trainer:
    """Runs epochs of full-batch or shuffled mini-batch training on a network.

    Hyperparameters (the optimizer's, ``batch_size``) may change between epochs; the
    network keeps its weights. A non-finite loss or parameter raises ``TrainingDiverged``
    after restoring the weights and optimizer state of the last finite epoch.
    """

    def __init__(
        self,
        network: Network,
        optimizer: Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        *,
        batch_size: int | None = None,
        rng: RandomLike = None,
        histogram_bins: int = 30,
    ) -> None:
        check_data(network, X, y)
        self.network = network
        self.optimizer = optimizer
        # Read-only copies: the layers then derive what they need from them once (``frozen``).
        self.X = read_only(X, network.dtype)
        self.y = self._targets(y)
        self.X_val = self.y_val = None
        if X_val is not None and y_val is not None and len(X_val):
            check_data(network, X_val, y_val, "validation")
            self.X_val = read_only(X_val, network.dtype)
            self.y_val = self._targets(y_val)
        self.batch_size = batch_size
        self.rng = as_generator(rng)
        self.histogram_bins = histogram_bins
        self.epoch = 0
        # The state at the start of this epoch and of the one before: a non-finite loss
        # means the weights it was computed from are already bad, so the last state known
        # to be good is the one before them.
        self._current = _Checkpoint(network.params)
        self._previous = _Checkpoint(network.params)
        self._relu_after = {
            i: next_layer
            for i, dense in enumerate(network.dense_layers)
            for j, layer in enumerate(network.layers)
            if layer is dense
            and j + 1 < len(network.layers)
            and isinstance(next_layer := network.layers[j + 1], ReLU)
        }

    def _targets(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        if self.network.task == "classification":
            return read_only(y.argmax(axis=1) if y.ndim == 2 else y, np.intp)
        return read_only(y.reshape(len(y), -1), self.network.dtype)

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
        ):
            raise ValueError(
                f"batch_size must be an integer >= 1 or None (full batch), got {value!r}"
            )
        self._batch_size = None if value is None else int(value)

    def run_epoch(self, *, inspect: bool | str = False, validate: bool = True) -> EpochStats:
        """Train one epoch and return its stats.

        ``inspect``: True fills in ``layers`` (every ``LayerStats`` field); ``"scalars"``
        only their numbers (norms, update ratio, dead fraction: ~35 µs more than a plain
        ch10 epoch, where the histograms and quantiles add ~250 µs); False leaves
        ``layers`` None.
        """
        if inspect is not True and inspect is not False and inspect != "scalars":
            raise ValueError(f"inspect must be True, False or 'scalars', got {inspect!r}")
        net, opt = self.network, self.optimizer
        self._previous, self._current = self._current, self._previous
        self._current.save(net, opt, self.epoch)
        alive = {i: None for i in self._relu_after} if inspect else {}
        n = len(self.X)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if self.batch_size is None or self.batch_size >= n:
                step = net.train_step(self.X, self.y, opt)
                data_loss, accuracy = step.data_loss, step.accuracy
                reg_loss = step.regularization_loss
                self._note_alive(alive)
            else:
                order = self.rng.permutation(n)
                data_loss = accuracy = 0.0
                for start in range(0, n, self.batch_size):
                    idx = order[start : start + self.batch_size]
                    step = net.train_step(
                        np.take(self.X, idx, axis=0), np.take(self.y, idx, axis=0), opt
                    )
                    data_loss += step.data_loss * len(idx)
                    accuracy += step.accuracy * len(idx)
                    self._note_alive(alive)
                    if not math.isfinite(step.data_loss):
                        break
                data_loss /= n
                accuracy /= n
                reg_loss = net.regularization_loss()
            finite = math.isfinite(data_loss) and math.isfinite(reg_loss)
            if not finite or not _all_finite(net.params):
                # A bad loss condemns the weights it came from; bad weights only the update.
                diverged_at = self.epoch + 1
                good = self._previous if not finite and self._previous.saved else self._current
                self.epoch = good.restore(net, opt)
                self._current.saved = self._previous.saved = False
                what = "the loss" if not finite else "a weight or bias"
                raise TrainingDiverged(diverged_at, what, opt.current_learning_rate, self.epoch)
            self.epoch += 1
            val_loss = val_accuracy = None
            layers = self._layer_stats(alive, full=inspect is True) if inspect else None
            if validate and self.X_val is not None:
                result = net.evaluate(self.X_val, self.y_val)
                val_loss, val_accuracy = result.data_loss, result.accuracy
        return EpochStats(
            epoch=self.epoch,
            data_loss=float(data_loss),
            regularization_loss=float(reg_loss),
            accuracy=float(accuracy),
            learning_rate=float(opt.current_learning_rate),
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            layers=layers,
        )

    def _note_alive(self, alive: dict[int, np.ndarray | None]) -> None:
        """Remember which ReLU units fired for some sample of this batch."""
        for i in alive:
            fired = self._relu_after[i].mask.any(axis=0)
            alive[i] = fired if alive[i] is None else alive[i] | fired

    def _layer_stats(
        self, alive: dict[int, np.ndarray | None], *, full: bool = True
    ) -> tuple[LayerStats, ...]:
        net = self.network
        stats = []
        for i, dense in enumerate(net.dense_layers):
            before = self._current.params[net.param_slices[i, "weights"]]
            weights_norm = _norm(dense.weights)
            before_norm = _norm(before)
            change = _norm(dense.weights.ravel() - before)
            fired = alive.get(i)
            extra = {}
            if full:
                counts, edges = np.histogram(dense.dweights, bins=self.histogram_bins)
                extra = {
                    "histogram_counts": counts,
                    "histogram_edges": edges,
                    "weights_quantiles": distribution_bands(dense.weights),
                    "dweights_quantiles": distribution_bands(dense.dweights),
                }
            stats.append(
                LayerStats(
                    name=dense_name(i, dense),
                    weights_norm=weights_norm,
                    dweights_norm=_norm(dense.dweights),
                    dbiases_norm=_norm(dense.dbiases),
                    update_ratio=change / before_norm if before_norm > 0 else 0.0,
                    dead_fraction=None if fired is None else float(1.0 - fired.mean()),
                    **extra,
                )
            )
        return tuple(stats)

    def train(self, epochs: int, *, callback=None, inspect: bool = False) -> EpochStats | None:
        """Run ``epochs`` epochs; ``callback(stats)`` after each may return False to stop."""
        stats = None
        for _ in range(epochs):
            stats = self.run_epoch(inspect=inspect)
            if callback is not None and callback(stats) is False:
                break
        return stats


def _norm(values: np.ndarray) -> float:
    """The Frobenius norm, as ``np.linalg.norm`` computes it for a real array
    (``sqrt(x.dot(x))`` of the flattened values), without its ~2 µs of checks."""
    flat = values.ravel()
    return float(np.sqrt(np.dot(flat, flat)))  # in the values' dtype, as numpy does


def distribution_bands(values: np.ndarray, max_sample: int = QUANTILE_SAMPLE) -> np.ndarray:
    """The ``QUANTILES`` of ``values``, shape (9,), smallest first.

    The extremes are exact; the seven inner percentiles come from every k-th value when
    there are more than ``max_sample`` of them (a 512 x 512 layer: 13x faster, and a
    distribution drawn a few times a second needs no more).
    """
    flat = np.ravel(values)
    step = -(-flat.size // max_sample)
    sample = flat[::step]
    # np.percentile's "linear" method, without its ~50 us of setup per call: the value at
    # position q/100 * (n - 1), interpolated between its two neighbours in sorted order.
    position = np.asarray(QUANTILES[1:-1]) / 100.0 * (sample.size - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, sample.size - 1)
    ordered = np.partition(sample, np.union1d(below, above))
    low, high = ordered[below].astype(np.float64), ordered[above].astype(np.float64)
    inner = low + (high - low) * (position - below)
    return np.concatenate(([flat.min()], inner, [flat.max()])).astype(np.float64)


def _all_finite(values: np.ndarray) -> bool:
    """Whether every value is finite. A finite sum of squares proves it in one BLAS call
    (a NaN or infinity would make it NaN or infinite); only when it is not (a NaN, or
    squares too large for the dtype) are the values checked one by one. Call it where
    overflow warnings are silenced, as ``run_epoch`` does."""
    flat = values.reshape(-1)
    return math.isfinite(float(np.dot(flat, flat))) or bool(np.isfinite(flat).all())


def dense_name(index: int, dense: Dense) -> str:
    """How the app names the ``index``-th (0-based) Dense layer: ``"Dense 1 (2→64)"``."""
    return f"Dense {index + 1} ({dense.n_inputs}\u2192{dense.n_neurons})"
