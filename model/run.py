"""From a run configuration to objects ready to train, and the book's runs as presets.

``build_run`` is the one place that turns a ``RunConfig`` into a dataset, a network, an
optimizer and a trainer; the headless command and the window both use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.build import build_network
from model.config import CSV, ConfigError, DataConfig, RunConfig, output_task
from model.datasets import Dataset, load_csv, make_dataset, train_validation_split
from model.features import RAW_FEATURES, check_features
from model.network import Network
from model.optimizers import Optimizer
from model.trainer import Trainer

# --- the book's runs ---


def _preset(data: dict, network: dict, optimizer: dict) -> RunConfig:
    return RunConfig.from_dict({"data": data, "network": network, "optimizer": optimizer})


_L2 = {"weight_l2": 5e-4, "bias_l2": 5e-4}
PRESETS: dict[str, RunConfig] = {
    "ch10": _preset(
        {"samples": 100, "classes": 3},
        {"hidden": [64]},
        {"type": "Adam", "learning_rate": 0.05, "decay": 5e-7},
    ),
    "ch14": _preset(
        {"samples": 1000, "classes": 3},
        {"hidden": [512], **_L2},
        {"type": "Adam", "learning_rate": 0.02, "decay": 5e-7},
    ),
    "ch15": _preset(
        {"samples": 1000, "classes": 3},
        {"hidden": [512], "dropout": 0.1, **_L2},
        {"type": "Adam", "learning_rate": 0.05, "decay": 5e-5},
    ),
    "ch16": _preset(
        {"samples": 100, "classes": 2},
        {"hidden": [64], "output": "sigmoid", **_L2},
        {"type": "Adam", "decay": 5e-7},
    ),
}
PRESET_DESCRIPTIONS: dict[str, str] = {
    "ch10": "Ch. 10: spiral 100x3, Dense 64 ReLU, Adam lr 0.05",
    "ch14": "Ch. 14: spiral 1000x3, Dense 512 ReLU with L2 5e-4, Adam lr 0.02",
    "ch15": "Ch. 15: as ch. 14 plus dropout 0.1, Adam lr 0.05 decay 5e-5",
    "ch16": "Ch. 16: binary spiral 100x2, sigmoid + binary cross-entropy, L2 5e-4",
}


# --- from a configuration to objects ---


@dataclass
class Run:
    """The objects a configuration describes, ready to train.

    X_train, X_val : shape (n, n_features); y_train, y_val : shape (n,) class labels, or
    (n, 1) for binary (0/1) and regression targets. The validation arrays are empty
    (n = 0) when ``data.validation_fraction`` is 0.
    """

    config: RunConfig
    task: str
    dataset: Dataset
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    network: Network
    optimizer: Optimizer
    trainer: Trainer


def _stream(seed: int, key: int) -> np.random.Generator:
    """An independent random stream derived from ``seed`` (``key`` tells streams apart)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


def make_run_dataset(data: DataConfig) -> Dataset:
    """The dataset ``data`` describes. Generated sets draw from ``RandomState(data.seed)``,
    so seed 0 is the book's ``nnfs.init()`` spiral bit for bit. Raises DatasetError
    (a ValueError) for a CSV file that cannot be used."""
    if data.dataset == CSV:
        return load_csv(data.csv_path)
    rng = np.random.RandomState(data.seed)
    return make_dataset(data.dataset, data.samples, data.classes, data.resolved_noise, rng)


def _features(names: tuple[str, ...] | None, n_inputs: int, dataset: str) -> tuple[str, ...]:
    """The network's input features for data with ``n_inputs`` columns; ConfigError if one
    of them needs a column the data does not have (x2 of the one-column sine)."""
    if names is None:
        return RAW_FEATURES[:n_inputs]
    try:
        return check_features(names, n_inputs)
    except ValueError as error:
        raise ConfigError(f"network.features: {error} (dataset {dataset!r})") from None


def build_run(config: RunConfig, dataset: Dataset | None = None) -> Run:
    """Make the dataset (or use ``dataset``), split it, and build network, optimizer and trainer.

    The split draws from a second stream of the data seed; weights and dropout from
    ``default_rng(training.seed)``; mini-batch shuffling from a second stream of the
    training seed. Raises ConfigError when the output layer does not fit the data, DatasetError
    for an unusable CSV file.
    """
    data, net_cfg = config.data, config.network
    if dataset is None:
        dataset = make_run_dataset(data)
    task = output_task(net_cfg.output, dataset.task, dataset.n_classes)
    X, y = dataset.X, dataset.y
    if data.validation_fraction > 0:
        split_rng = _stream(data.seed, 1)
        X_train, y_train, X_val, y_val = train_validation_split(
            X, y, data.validation_fraction, split_rng
        )
    else:  # keep the rows in their order, as the book trains on them
        X_train, y_train, X_val, y_val = X, y, X[:0], y[:0]
    if task == "binary":
        y_train, y_val = y_train.reshape(-1, 1), y_val.reshape(-1, 1)
    n_outputs = {"classification": dataset.n_classes, "binary": 1}.get(task, y.shape[-1])
    network = build_network(
        X.shape[1],
        n_outputs,
        net_cfg.hidden,
        task=task,
        activation=net_cfg.activation,
        dropout=net_cfg.dropout,
        weight_l1=net_cfg.weight_l1,
        weight_l2=net_cfg.weight_l2,
        bias_l1=net_cfg.bias_l1,
        bias_l2=net_cfg.bias_l2,
        init=net_cfg.init,
        rng=np.random.default_rng(config.training.seed),
        dtype=np.dtype(net_cfg.dtype),
        features=_features(net_cfg.features, X.shape[1], data.dataset),
    )
    optimizer = config.optimizer.build()
    shuffle_rng = _stream(config.training.seed, 1)
    trainer = Trainer(
        network,
        optimizer,
        X_train,
        y_train,
        X_val,
        y_val,
        batch_size=config.training.batch_size,
        rng=shuffle_rng,
    )
    return Run(config, task, dataset, X_train, y_train, X_val, y_val, network, optimizer, trainer)


def run_with_network(
    config: RunConfig, network: Network, optimizer: Optimizer | None = None, epoch: int = 0
) -> Run:
    """A run that trains an existing ``network`` (e.g. a loaded model) on the data
    ``config`` describes, with ``optimizer`` (its state kept) or the configured one.

    Raises ValueError naming both shapes when the network does not fit the data.
    """
    base = build_run(config)
    want = base.network
    if (network.n_inputs, network.n_outputs, network.task) != (
        want.n_inputs,
        want.n_outputs,
        want.task,
    ):
        raise ValueError(
            f"the model takes {network.n_inputs} inputs and gives {network.n_outputs} outputs "
            f"({network.task}), but the data ({config.data.dataset}) needs {want.n_inputs} "
            f"inputs and {want.n_outputs} outputs ({want.task})"
        )
    optimizer = optimizer if optimizer is not None else base.optimizer
    trainer = Trainer(
        network,
        optimizer,
        base.X_train,
        base.y_train,
        base.X_val,
        base.y_val,
        batch_size=config.training.batch_size,
        rng=base.trainer.rng,
    )
    trainer.epoch = epoch
    base.network, base.optimizer, base.trainer = network, optimizer, trainer
    return base
