"""Toy datasets for the lab: the book's spiral and friends, a registry, a split, CSV loading.

Every 2-D classification generator returns ``X`` of shape (samples * classes, 2), float64,
roughly inside [-1, 1], and ``y`` of shape (samples * classes,), int64 labels 0 .. classes - 1,
with the rows grouped by class. ``samples`` counts points *per class*, as in nnfs.

Randomness always comes from the ``rng`` argument (a ``Generator``, a ``RandomState``, an
int seed or None); numpy's global random state is never read or changed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model._random import RandomLike, as_generator
from model.csvdata import DatasetError, read_points

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetError",
    "DatasetSpec",
    "as_generator",
    "circles",
    "gaussian_blobs",
    "load_csv",
    "make_dataset",
    "moons",
    "sine",
    "spiral",
    "train_validation_split",
    "vertical",
    "xor",
]

MAX_SAMPLES = 100_000  # per class; keeps a slip of the keyboard from eating the RAM
MAX_CLASSES = 26
MAX_VALIDATION_FRACTION = 0.9


# --- argument checks: the message names the parameter, the value and what is allowed ---


def _check_count(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if low <= value <= high:
            return int(value)
    raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_real(name: str, value: object, low: float, high: float = math.inf) -> float:
    if _is_real(value):
        try:
            number = float(value)
        except OverflowError:  # an int too big for a float
            number = math.inf
        if math.isfinite(number) and low <= number <= high:
            return number
    allowed = f">= {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
    raise ValueError(f"{name} must be a finite number {allowed}, got {value!r}")


def _check_two_classes(classes: object) -> None:
    if not (isinstance(classes, (int, np.integer)) and classes == 2):
        raise ValueError(f"classes must be 2 for this dataset, got {classes!r}")


def _check(samples: object, classes: object, noise: object) -> tuple[int, int, float]:
    return (
        _check_count("samples", samples, 1, MAX_SAMPLES),
        _check_count("classes", classes, 2, MAX_CLASSES),
        _check_real("noise", noise, 0.0),
    )


def _labels(samples: int, classes: int) -> np.ndarray:
    """Shape (samples * classes,): 0 repeated samples times, then 1, and so on."""
    return np.repeat(np.arange(classes, dtype=np.int64), samples)


# --- generators ---


def spiral(
    samples: int, classes: int, noise: float = 0.2, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """The cs231n / nnfs spiral: one arm per class, radius growing from 0 to 1.

    ``noise`` scales the jitter added to each point's angle. With ``noise=0.2`` and
    ``rng=np.random.RandomState(0)`` this is bit for bit nnfs's ``spiral_data`` after
    ``np.random.seed(0)`` (nnfs's labels are uint8; ours are int64).

    Returns X, shape (samples * classes, 2), and y, shape (samples * classes,).
    """
    samples, classes, noise = _check(samples, classes, noise)
    rng = as_generator(rng)
    X = np.zeros((samples * classes, 2))
    for class_number in range(classes):
        rows = slice(samples * class_number, samples * (class_number + 1))
        r = np.linspace(0.0, 1, samples)
        # Same operations in the same order as nnfs, so the floats match exactly.
        t = np.linspace(class_number * 4, (class_number + 1) * 4, samples)
        t = t + rng.standard_normal(samples) * noise
        X[rows] = np.column_stack([r * np.sin(t * 2.5), r * np.cos(t * 2.5)])
    return X, _labels(samples, classes)


def vertical(
    samples: int, classes: int, noise: float = 0.1, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """nnfs's vertical data: one Gaussian cluster per class, side by side along x at y = 0.5.

    Cluster centres sit 1/3 apart as in nnfs (bit for bit its ``vertical_data`` with
    ``RandomState(0)``); with more than 4 classes they move closer so x stays near [0, 1].

    Returns X, shape (samples * classes, 2), and y, shape (samples * classes,).
    """
    samples, classes, noise = _check(samples, classes, noise)
    rng = as_generator(rng)
    spacing = max(3, classes - 1)
    X = np.zeros((samples * classes, 2))
    for class_number in range(classes):
        rows = slice(samples * class_number, samples * (class_number + 1))
        x = rng.standard_normal(samples) * noise + class_number / spacing
        y = rng.standard_normal(samples) * noise + 0.5
        X[rows] = np.column_stack([x, y])
    return X, _labels(samples, classes)


def circles(
    samples: int,
    classes: int = 2,
    noise: float = 0.1,
    factor: float | None = None,
    rng: RandomLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Concentric rings, one per class: class 0 is the outer ring (radius 1).

    ``factor`` is the radius of the innermost ring, in (0, 1); the rings are evenly spaced
    between it and 1. The default, ``1 / classes``, spaces them evenly from the centre
    (and is sklearn's 0.5 for two classes). ``noise`` is the std of the Gaussian jitter.

    Returns X, shape (samples * classes, 2), and y, shape (samples * classes,).
    """
    samples, classes, noise = _check(samples, classes, noise)
    if factor is None:
        factor = 1 / classes
    elif not _is_real(factor) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number strictly between 0 and 1, got {factor!r}")
    rng = as_generator(rng)
    radii = 1 - np.arange(classes) * (1 - factor) / (classes - 1)
    parts = []
    for radius in radii:
        angle = rng.uniform(0.0, 2 * np.pi, samples)
        ring = radius * np.column_stack([np.cos(angle), np.sin(angle)])
        parts.append(ring + noise * rng.standard_normal((samples, 2)))
    return np.concatenate(parts), _labels(samples, classes)


def xor(
    samples: int, classes: int = 2, noise: float = 0.1, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """XOR quadrants: class 0 where x and y share a sign, class 1 where they differ.

    Points are uniform inside their quadrant of [-1, 1]^2 before the Gaussian ``noise``.
    Only ``classes=2`` makes sense; anything else is a ValueError.

    Returns X, shape (2 * samples, 2), and y, shape (2 * samples,).
    """
    _check_two_classes(classes)
    samples, classes, noise = _check(samples, classes, noise)
    rng = as_generator(rng)
    parts = []
    for class_number in range(2):
        x_sign = np.where(rng.uniform(0.0, 1.0, samples) < 0.5, -1.0, 1.0)
        y_sign = x_sign if class_number == 0 else -x_sign
        corner = rng.uniform(0.0, 1.0, (samples, 2)) * np.column_stack([x_sign, y_sign])
        parts.append(corner + noise * rng.standard_normal((samples, 2)))
    return np.concatenate(parts), _labels(samples, 2)


def gaussian_blobs(
    samples: int, classes: int, noise: float = 0.15, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """One round Gaussian cluster per class, centres evenly spaced on a circle of radius 0.6.

    ``noise`` is each cluster's standard deviation.

    Returns X, shape (samples * classes, 2), and y, shape (samples * classes,).
    """
    samples, classes, noise = _check(samples, classes, noise)
    rng = as_generator(rng)
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = 0.6 * np.column_stack([np.cos(angles), np.sin(angles)])
    parts = [centre + noise * rng.standard_normal((samples, 2)) for centre in centres]
    return np.concatenate(parts), _labels(samples, classes)


def moons(
    samples: int, classes: int = 2, noise: float = 0.1, rng: RandomLike = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half-moons (sklearn's shape), scaled so x spans [-1, 1].

    Only ``classes=2`` makes sense; anything else is a ValueError.

    Returns X, shape (2 * samples, 2), and y, shape (2 * samples,).
    """
    _check_two_classes(classes)
    samples, classes, noise = _check(samples, classes, noise)
    rng = as_generator(rng)
    upper = rng.uniform(0.0, np.pi, samples)
    lower = rng.uniform(0.0, np.pi, samples)
    X = np.concatenate(
        [
            np.column_stack([np.cos(upper), np.sin(upper)]),
            np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)]),
        ]
    )
    # sklearn's moons span x in [-1, 2], y in [-0.5, 1]: centre them, then shrink by 2/3.
    X = (X - [0.5, 0.25]) * (2 / 3)
    return X + noise * rng.standard_normal((2 * samples, 2)), _labels(samples, 2)


def sine(samples: int, noise: float = 0.0, rng: RandomLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Regression on one period of a sine: X evenly spaced in [0, 1), y = sin(2 pi X).

    ``samples`` is the total number of points. With ``noise=0`` this is exactly nnfs's
    ``sine_data`` and ``rng`` is not used; otherwise Gaussian noise of that std is added to y.

    Returns X, shape (samples, 1), and y, shape (samples, 1), both float64.
    """
    samples = _check_count("samples", samples, 1, MAX_SAMPLES)
    noise = _check_real("noise", noise, 0.0)
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X).reshape(-1, 1)
    if noise > 0:
        y = y + noise * as_generator(rng).standard_normal((samples, 1))
    return X, y


# --- a dataset as one value, and the registry the GUI builds its menu from ---


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """Inputs and targets ready to train on; the arrays are read-only copies.

    X : ndarray, shape (n_samples, n_features), float64
    y : ndarray, shape (n_samples,), int64 labels for classification;
        shape (n_samples, n_outputs), float64 for regression
    task : "classification" or "regression"
    n_classes : number of classes (labels are 0 .. n_classes - 1); None for regression
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int | None
    name: str

    def __post_init__(self) -> None:
        X = np.array(self.X, dtype=np.float64)
        if self.task == "classification":
            y = np.array(self.y, dtype=np.int64)
            ok = (
                y.ndim == 1
                and self.n_classes is not None
                and self.n_classes >= 2
                and np.all((y >= 0) & (y < self.n_classes))
            )
        elif self.task == "regression":
            y = np.array(self.y, dtype=np.float64)
            ok = y.ndim == 2 and self.n_classes is None
        else:
            raise ValueError(f"task must be 'classification' or 'regression', got {self.task!r}")
        if not ok or X.ndim != 2 or len(X) != len(y):
            raise ValueError(
                f"inconsistent {self.task} dataset: X {X.shape}, y {y.shape}, "
                f"n_classes {self.n_classes}"
            )
        X.flags.writeable = False
        y.flags.writeable = False
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def __repr__(self) -> str:
        kind = "regression" if self.n_classes is None else f"{self.n_classes} classes"
        return f"Dataset({self.name!r}, {len(self.X)} samples, {kind})"


@dataclass(frozen=True)
class DatasetSpec:
    """How to make one named dataset, and which settings apply to it."""

    generator: Callable[..., tuple[np.ndarray, np.ndarray]]
    task: str  # "classification" or "regression"
    default_noise: float
    default_classes: int | None  # None: regression, there are no classes
    classes_adjustable: bool  # False for regression and for the two-class-only xor, moons
    description: str


DATASETS: dict[str, DatasetSpec] = {
    "spiral": DatasetSpec(spiral, "classification", 0.2, 3, True, "Interleaved spiral arms"),
    "vertical": DatasetSpec(vertical, "classification", 0.1, 3, True, "Clusters side by side"),
    "circles": DatasetSpec(circles, "classification", 0.1, 2, True, "Concentric rings"),
    "xor": DatasetSpec(xor, "classification", 0.1, 2, False, "Opposite quadrants, XOR"),
    "gaussian_blobs": DatasetSpec(
        gaussian_blobs, "classification", 0.15, 3, True, "Gaussian clusters on a circle"
    ),
    "moons": DatasetSpec(moons, "classification", 0.1, 2, False, "Two interleaving half-moons"),
    "sine": DatasetSpec(sine, "regression", 0.0, None, False, "Regression: y = sin(2 pi x)"),
}
_ALIASES = {"blobs": "gaussian_blobs"}


def make_dataset(
    name: str,
    samples: int = 100,
    classes: int | None = None,
    noise: float | None = None,
    rng: RandomLike = None,
) -> Dataset:
    """Make the registered dataset ``name`` (see ``DATASETS``; "blobs" also works).

    ``classes`` and ``noise`` default to the dataset's own defaults. ``classes`` is ignored
    where it does not apply (``spec.classes_adjustable`` is False), so a GUI can always
    pass its current setting. For sine, ``samples`` is the total; otherwise per class.
    """
    key = _ALIASES.get(name, name)
    if key not in DATASETS:
        known = ", ".join(sorted([*DATASETS, *_ALIASES]))
        raise ValueError(f"unknown dataset {name!r}; known datasets: {known}")
    spec = DATASETS[key]
    noise = spec.default_noise if noise is None else noise
    if spec.task == "regression":
        X, y = spec.generator(samples, noise=noise, rng=rng)
        return Dataset(X, y, spec.task, None, key)
    if classes is None or not spec.classes_adjustable:
        classes = spec.default_classes
    X, y = spec.generator(samples, classes, noise=noise, rng=rng)
    return Dataset(X, y, spec.task, int(classes), key)


# --- splitting and loading ---


def train_validation_split(
    X: np.ndarray,
    y: np.ndarray,
    validation_fraction: float = 0.2,
    rng: RandomLike = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then hold out ``validation_fraction`` (0 to 0.9) of the samples.

    Integer labels (y of shape (n_samples,)) are split per class, so each class keeps its
    share in both parts, and every class keeps at least one training sample. Other targets
    (y of shape (n_samples, n_outputs)) are split as a whole.

    Returns X_train, y_train, X_val, y_val: new arrays, rows taken from X and y. A fraction
    of 0 gives empty validation arrays, e.g. shapes (0, 2) and (0,).
    """
    X, y = np.asarray(X), np.asarray(y)
    fraction = _check_real("validation_fraction", validation_fraction, 0.0, MAX_VALIDATION_FRACTION)
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X and y must have the same, non-zero length, got {len(X)} and {len(y)}")
    rng = as_generator(rng)
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    else:
        groups = [np.arange(len(y))]
    train, validation = [], []
    for rows in groups:
        rows = rng.permutation(rows)
        held_out = min(math.floor(fraction * len(rows) + 0.5), len(rows) - 1)
        validation.append(rows[:held_out])
        train.append(rows[held_out:])
    train_rows = rng.permutation(np.concatenate(train))
    validation_rows = rng.permutation(np.concatenate(validation))
    return X[train_rows], y[train_rows], X[validation_rows], y[validation_rows]


def load_csv(path: str | os.PathLike[str]) -> Dataset:
    """Load a user's CSV of ``x1,x2,label`` rows (header, blank lines, ``#`` comments allowed).

    Whole-number labels make a classification set (n_classes = max label + 1, at least two
    distinct labels); any fractional label makes a regression set with y of shape (n, 1).

    Raises DatasetError (a ValueError) naming the file and the 1-based line at fault.
    """
    X, y, task, n_classes = read_points(path, MAX_CLASSES)
    return Dataset(X, y, task, n_classes, Path(path).stem)
