"""A run as one value: dataset, network, optimizer and training settings, read from JSON.

``RunConfig`` is what the headless command and the window share. ``RunConfig.from_dict``
and ``load_config`` validate everything, and every ``ConfigError`` names the field and what
is allowed (``network.hidden[1]: must be an integer in 1..512, got 0``). ``build_run`` is
the one place that turns a configuration into a dataset, a network, an optimizer and a
trainer. ``None`` in a field means "the default": the dataset's own noise, the output
layer the task calls for, the optimizer's own (the book's) hyperparameter.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.build import HIDDEN_ACTIVATIONS
from model.datasets import DATASETS
from model.features import FEATURES, check_features
from model.layers import WEIGHT_INITS
from model.optimizers import HYPERPARAMETER_RANGES, OPTIMIZERS, Optimizer

CONFIG_VERSION = 1
MAX_SEED = 2**32 - 1  # numpy's RandomState takes seeds up to this
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 512
CSV = "csv"
OUTPUTS = ("softmax", "sigmoid", "linear")
DTYPES = ("float64", "float32")
_ALIASES = {"blobs": "gaussian_blobs"}
_OPTIMIZER_NAMES = {name.lower(): name for name in OPTIMIZERS}


class ConfigError(ValueError):
    """A run configuration that cannot be used; the message names the field at fault."""


# --- checks: each returns the normalised value or raises ConfigError naming the field ---


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(name: str, allowed: str, value: Any) -> ConfigError:
    return ConfigError(f"{name}: must be {allowed}, got {_show(value)}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _int(name: str, value: Any, low: int, high: int | None = None) -> int:
    allowed = f"an integer >= {low}" if high is None else f"an integer in {low}..{high}"
    if _is_int(value) and value >= low and (high is None or value <= high):
        return int(value)
    raise _fail(name, allowed, value)


def _number(name: str, value: Any, allowed: str, ok) -> float:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            number = math.inf
        if math.isfinite(number) and ok(number):
            return number
    raise _fail(name, f"a number {allowed}", value)


def _choice(name: str, value: Any, choices: tuple[str, ...] | list[str]) -> str:
    if isinstance(value, str) and value in choices:
        return value
    raise _fail(name, f"one of {', '.join(choices)}", value)


def _positive(name: str, value: Any) -> float:
    return _number(name, value, "> 0", lambda x: x > 0)


def _nonnegative(name: str, value: Any) -> float:
    return _number(name, value, ">= 0", lambda x: x >= 0)


def _fraction(name: str, value: Any) -> float:
    return _number(name, value, "in 0..0.9", lambda x: 0 <= x <= 0.9)


def _per_layer(name: str, value: Any, n: int, check) -> Any:
    """One value for every hidden layer, or a list with one value per hidden layer."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ConfigError(
                f"{name}: needs one value per hidden layer ({n}) or a single value, "
                f"got {len(value)} values"
            )
        return tuple(check(f"{name}[{i}]", v) for i, v in enumerate(value))
    return check(name, value)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


# --- the four sections ---


@dataclass(frozen=True)
class DataConfig:
    """Which dataset, how big and how noisy, the validation share and the data seed.

    ``samples`` counts points per class (for ``sine``, the total). ``classes`` is forced to
    2 for xor and moons and ignored for sine and CSV files. ``noise`` None means the
    dataset's default (``DATASETS[name].default_noise``). ``dataset="csv"`` reads
    ``csv_path`` (rows ``x1,x2,label``).
    """

    dataset: str = "spiral"
    samples: int = 100
    classes: int = 3
    noise: float | None = None
    validation_fraction: float = 0.0
    seed: int = 0
    csv_path: str | None = None

    def __post_init__(self) -> None:
        dataset = self.dataset
        if isinstance(dataset, str):
            dataset = _ALIASES.get(dataset, dataset)
        _set(self, "dataset", _choice("data.dataset", dataset, [*DATASETS, CSV]))
        _set(self, "samples", _int("data.samples", self.samples, 1, 100_000))
        classes = _int("data.classes", self.classes, 2, 8)
        spec = DATASETS.get(self.dataset)
        if spec is not None and spec.task == "classification" and not spec.classes_adjustable:
            classes = spec.default_classes
        _set(self, "classes", classes)
        if self.noise is not None:
            _set(self, "noise", _nonnegative("data.noise", self.noise))
        _set(
            self,
            "validation_fraction",
            _fraction("data.validation_fraction", self.validation_fraction),
        )
        _set(self, "seed", _int("data.seed", self.seed, 0, MAX_SEED))
        if self.csv_path is not None and (not isinstance(self.csv_path, str) or not self.csv_path):
            raise _fail("data.csv_path", "a file path (text)", self.csv_path)
        if self.dataset == CSV and self.csv_path is None:
            raise ConfigError("data.csv_path: required when data.dataset is 'csv'")
        if self.dataset != CSV and self.csv_path is not None:
            raise ConfigError(
                f"data.csv_path: only used with data.dataset 'csv', not {self.dataset!r}"
            )

    @property
    def task(self) -> str | None:
        """The data's task, classification or regression; None for a CSV file until read."""
        spec = DATASETS.get(self.dataset)
        return None if spec is None else spec.task

    @property
    def resolved_noise(self) -> float:
        if self.noise is not None:
            return self.noise
        spec = DATASETS.get(self.dataset)
        return 0.2 if spec is None else spec.default_noise


@dataclass(frozen=True)
class NetworkConfig:
    """Hidden layers and their settings; a scalar applies to every hidden layer, a list
    gives one value per layer. ``output`` None means what the task calls for: softmax for
    classes, linear for regression (``"sigmoid"`` with 2 classes is the book's binary
    logistic regression with binary cross-entropy)."""

    hidden: tuple[int, ...] = (64,)
    activation: str | tuple[str, ...] = "relu"
    dropout: float | tuple[float, ...] = 0.0
    weight_l1: float | tuple[float, ...] = 0.0
    weight_l2: float | tuple[float, ...] = 0.0
    bias_l1: float | tuple[float, ...] = 0.0
    bias_l2: float | tuple[float, ...] = 0.0
    # He initialisation, not the book's 0.01 * randn: with the book's start the ch10 run
    # ends with loss <= 0.10 for only 9 of 20 weight seeds (measured), with He for all of
    # them, and deeper networks train at all. ``init="nnfs"`` reproduces the book exactly.
    init: str = "he"
    dtype: str = "float64"
    output: str | None = None
    #: TF Playground's input features (model/features.py); None: the raw coordinates.
    features: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        allowed = f"a list of 0..{MAX_HIDDEN_LAYERS} layer sizes"
        if not isinstance(self.hidden, (list, tuple)):
            raise _fail("network.hidden", allowed, self.hidden)
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ConfigError(
                f"network.hidden: must have 0..{MAX_HIDDEN_LAYERS} layers, got {len(self.hidden)}"
            )
        hidden = tuple(
            _int(f"network.hidden[{i}]", w, 1, MAX_WIDTH) for i, w in enumerate(self.hidden)
        )
        _set(self, "hidden", hidden)
        n = len(hidden)

        def activation(name: str, value: Any) -> str:
            return _choice(name, value, HIDDEN_ACTIVATIONS)

        _set(self, "activation", _per_layer("network.activation", self.activation, n, activation))
        _set(self, "dropout", _per_layer("network.dropout", self.dropout, n, _fraction))
        for name in ("weight_l1", "weight_l2", "bias_l1", "bias_l2"):
            _set(self, name, _per_layer(f"network.{name}", getattr(self, name), n, _nonnegative))
        _choice("network.init", self.init, WEIGHT_INITS)
        if self.features is not None:
            if not isinstance(self.features, (list, tuple)):
                raise _fail("network.features", f"a list of {', '.join(FEATURES)}", self.features)
            try:
                _set(self, "features", check_features(self.features))
            except ValueError as error:
                raise ConfigError(f"network.features: {error}") from None
        _choice("network.dtype", self.dtype, DTYPES)
        if self.output is not None:
            _choice("network.output", self.output, OUTPUTS)


def _hyperparameter(name: str, value: Any) -> float:
    """``optimizer.<hyperparameter>``, checked against the engine's own range for it."""
    allowed = HYPERPARAMETER_RANGES[name.rpartition(".")[2]]
    return _number(name, value, allowed.describe(), allowed.__contains__)


@dataclass(frozen=True)
class OptimizerConfig:
    """The optimizer and its hyperparameters; None means the optimizer's (the book's) default.

    A hyperparameter the optimizer does not have (momentum for Adam) must stay None.
    """

    type: str = "Adam"
    learning_rate: float | None = None
    decay: float | None = None
    momentum: float | None = None
    epsilon: float | None = None
    rho: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.type, str):  # "adam" and "ADAM" mean Adam
            _set(self, "type", _OPTIMIZER_NAMES.get(self.type.lower(), self.type))
        _choice("optimizer.type", self.type, list(OPTIMIZERS))
        own = OPTIMIZERS[self.type].hyperparameters
        for name in HYPERPARAMETER_RANGES:
            value = getattr(self, name)
            if value is None:
                continue
            if name not in own:
                raise ConfigError(
                    f"optimizer.{name}: {self.type} has no {name} "
                    f"(its hyperparameters: {', '.join(own)})"
                )
            _set(self, name, _hyperparameter(f"optimizer.{name}", value))

    def hyperparameters(self) -> dict[str, float]:
        """Every hyperparameter of this optimizer, defaults filled in."""
        cls = OPTIMIZERS[self.type]
        signature = inspect.signature(cls.__init__).parameters
        values = {}
        for name in cls.hyperparameters:
            value = getattr(self, name)
            values[name] = signature[name].default if value is None else value
        return values

    def build(self) -> Optimizer:
        return OPTIMIZERS[self.type](**self.hyperparameters())


@dataclass(frozen=True)
class TrainingConfig:
    """How long and how: epochs, mini-batch size (None: full batch), seed for the weights,
    dropout and shuffling, and how often the headless command prints a line."""

    epochs: int = 10001
    batch_size: int | None = None
    seed: int = 0
    print_every: int = 100

    def __post_init__(self) -> None:
        _set(self, "epochs", _int("training.epochs", self.epochs, 1, 10_000_000))
        if self.batch_size is not None:
            _set(self, "batch_size", _int("training.batch_size", self.batch_size, 1))
        _set(self, "seed", _int("training.seed", self.seed, 0, MAX_SEED))
        _set(self, "print_every", _int("training.print_every", self.print_every, 1, 10_000_000))


SECTIONS: dict[str, type] = {
    "data": DataConfig,
    "network": NetworkConfig,
    "optimizer": OptimizerConfig,
    "training": TrainingConfig,
}


def output_task(output: str | None, data_task: str | None, n_classes: int | None) -> str:
    """The network's task for this output choice and data; ConfigError if they clash."""
    if data_task is None:  # a CSV file not read yet
        return {"sigmoid": "binary", "linear": "regression"}.get(output, "classification")
    if data_task == "regression":
        if output not in (None, "linear"):
            raise ConfigError(
                f"network.output: {output!r} needs classification data; this dataset is "
                "regression (use 'linear')"
            )
        return "regression"
    if output == "linear":
        raise ConfigError(
            "network.output: 'linear' needs regression data (sine, or a CSV with fractional "
            "labels); this dataset is classification"
        )
    if output == "sigmoid":
        if n_classes != 2:
            raise ConfigError(
                f"network.output: 'sigmoid' (binary) needs 2 classes, got {n_classes}"
            )
        return "binary"
    return "classification"


def _optimizer_name(section: dict[str, Any], default: str) -> Any:
    kind = section.get("type", default)
    return _OPTIMIZER_NAMES.get(kind.lower(), kind) if isinstance(kind, str) else kind


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a run: ``data``, ``network``, ``optimizer``, ``training``."""

    data: DataConfig = field(default_factory=DataConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise _fail(name, f"a {cls.__name__}", getattr(self, name))
        output_task(self.network.output, self.data.task, self.data.classes)

    @property
    def task(self) -> str:
        """The task: classification, binary or regression (for a CSV file, as far as known)."""
        return output_task(self.network.output, self.data.task, self.data.classes)

    @classmethod
    def from_dict(cls, d: Any) -> RunConfig:
        """Validate a JSON-style dict; missing sections and fields take their defaults."""
        return cls().updated(d)

    def updated(self, changes: Any) -> RunConfig:
        """A copy with ``changes`` (same shape as ``to_dict()``, any part of it) applied.

        Choosing another ``optimizer.type`` starts that optimizer from its own defaults:
        hyperparameters tuned for the old one are dropped unless given in ``changes``.
        """
        if not isinstance(changes, dict):
            raise _fail("configuration", "a JSON object", changes)
        unknown = [k for k in changes if k not in SECTIONS and k != "version"]
        if unknown:
            raise ConfigError(
                f"unknown key {_show(unknown[0])} (allowed: version, {', '.join(SECTIONS)})"
            )
        if "version" in changes and changes["version"] != CONFIG_VERSION:
            raise _fail("version", str(CONFIG_VERSION), changes["version"])
        sections = {}
        for name, section_cls in SECTIONS.items():
            current = getattr(self, name)
            section = changes.get(name, {})
            if not isinstance(section, dict):
                raise _fail(name, "a JSON object", section)
            fields = [f.name for f in dataclasses.fields(section_cls)]
            unknown = [k for k in section if k not in fields]
            if unknown:
                raise ConfigError(
                    f"{name}: unknown key {_show(unknown[0])} (allowed: {', '.join(fields)})"
                )
            values = dataclasses.asdict(current)
            if name == "optimizer" and _optimizer_name(section, current.type) != current.type:
                values = {}  # another optimizer starts from its own defaults
            if name == "data" and "csv_path" not in section and section.get("dataset", CSV) != CSV:
                values["csv_path"] = None  # a generated dataset replaces the file
            if name == "data" and section.get("csv_path") is not None and "dataset" not in section:
                values["dataset"] = CSV  # a path alone means "train on this file"
            values.update(section)
            sections[name] = section_cls(**values)
        return RunConfig(**sections)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: lists for per-layer values, None (null) for defaults."""
        out: dict[str, Any] = {"version": CONFIG_VERSION}
        for name in SECTIONS:
            section = dataclasses.asdict(getattr(self, name))
            out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}
        return out


# --- files ---


def read_config_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON object in ``path``, not yet validated; ConfigError naming the path."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a JSON file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text (bad byte at offset {error.start})") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must hold a JSON object {{...}}, got {type(data).__name__}")
    return data


def load_config(path: str | os.PathLike[str]) -> RunConfig:
    """Read and validate a run configuration; errors start with the path."""
    data = read_config_dict(path)
    try:
        return RunConfig.from_dict(data)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def save_config(path: str | os.PathLike[str], config: RunConfig) -> None:
    """Write ``config`` as indented JSON, atomically (a temporary file, then a rename)."""
    path = Path(path)
    text = json.dumps(config.to_dict(), indent=2) + "\n"
    tmp = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as file:
            tmp = file.name
            file.write(text)
        os.replace(tmp, path)
    except OSError as error:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise ConfigError(f"{path}: cannot be written ({error.strerror or error})") from None
