"""Optimizers apply the book's update rules, defaults and decay schedule exactly."""

from __future__ import annotations

import numpy as np
import pytest

from model import SGD, Adagrad, Adam, Dense, RMSprop, build_network, optimizer_from_config
from model.config import ConfigError, OptimizerConfig
from model.optimizers import HYPERPARAMETER_RANGES, OPTIMIZERS

STEPS = 3


def _grads(step: int) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(step)
    return g.standard_normal((2, 3)), g.standard_normal((1, 3))


def _book_run(kind: str, steps: int = STEPS, **hp) -> np.ndarray:
    """The book's update code, written out by hand for a weights matrix and a bias row."""
    w = np.arange(6, dtype=float).reshape(2, 3) / 10
    b = np.array([[0.1, -0.2, 0.3]])
    m_w, m_b = np.zeros_like(w), np.zeros_like(b)
    c_w, c_b = np.zeros_like(w), np.zeros_like(b)
    lr, decay = hp["learning_rate"], hp["decay"]
    eps = hp.get("epsilon", 1e-7)
    for it in range(steps):
        clr = lr * (1.0 / (1.0 + decay * it))
        dw, db = _grads(it)
        if kind == "sgd":
            mom = hp.get("momentum", 0.0)
            if mom:
                uw = mom * m_w - clr * dw
                m_w = uw
                ub = mom * m_b - clr * db
                m_b = ub
            else:
                uw, ub = -clr * dw, -clr * db
            w, b = w + uw, b + ub
        elif kind == "adagrad":
            c_w, c_b = c_w + dw**2, c_b + db**2
            w = w + -clr * dw / (np.sqrt(c_w) + eps)
            b = b + -clr * db / (np.sqrt(c_b) + eps)
        elif kind == "rmsprop":
            rho = hp.get("rho", 0.9)
            c_w = rho * c_w + (1 - rho) * dw**2
            c_b = rho * c_b + (1 - rho) * db**2
            w = w + -clr * dw / (np.sqrt(c_w) + eps)
            b = b + -clr * db / (np.sqrt(c_b) + eps)
        else:
            b1, b2 = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999)
            m_w = b1 * m_w + (1 - b1) * dw
            m_b = b1 * m_b + (1 - b1) * db
            mw_hat, mb_hat = m_w / (1 - b1 ** (it + 1)), m_b / (1 - b1 ** (it + 1))
            c_w = b2 * c_w + (1 - b2) * dw**2
            c_b = b2 * c_b + (1 - b2) * db**2
            cw_hat, cb_hat = c_w / (1 - b2 ** (it + 1)), c_b / (1 - b2 ** (it + 1))
            w = w + -clr * mw_hat / (np.sqrt(cw_hat) + eps)
            b = b + -clr * mb_hat / (np.sqrt(cb_hat) + eps)
    return np.concatenate([w.ravel(), b.ravel()])


def _our_run(optimizer, steps: int = STEPS) -> np.ndarray:
    layer = Dense(2, 3, rng=0)
    layer.weights[...] = np.arange(6, dtype=float).reshape(2, 3) / 10
    layer.biases[...] = [[0.1, -0.2, 0.3]]
    for it in range(steps):
        layer.dweights[...], layer.dbiases[...] = _grads(it)
        optimizer.pre_update_params()
        optimizer.update_params(layer)
        optimizer.post_update_params()
    return np.concatenate([layer.weights.ravel(), layer.biases.ravel()])


CASES = [
    ("sgd", SGD, {"learning_rate": 0.5, "decay": 0.1}),
    ("sgd", SGD, {"learning_rate": 0.5, "decay": 0.1, "momentum": 0.9}),
    ("adagrad", Adagrad, {"learning_rate": 0.3, "decay": 0.01}),
    ("rmsprop", RMSprop, {"learning_rate": 0.02, "decay": 1e-3, "rho": 0.95}),
    ("adam", Adam, {"learning_rate": 0.05, "decay": 5e-3}),
    ("adam", Adam, {"learning_rate": 0.05, "decay": 0.0, "beta_1": 0.8, "beta_2": 0.99}),
]


@pytest.mark.parametrize("kind,cls,hp", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_optimizer_equals_hand_computed_book_updates(kind, cls, hp):
    expected = _book_run(kind, **hp)
    np.testing.assert_allclose(_our_run(cls(**hp)), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind,cls,hp", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_one_call_step_equals_per_layer_updates(kind, cls, hp):
    per_layer = _our_run(cls(**hp))
    layer = Dense(2, 3, rng=0)
    layer.weights[...] = np.arange(6, dtype=float).reshape(2, 3) / 10
    layer.biases[...] = [[0.1, -0.2, 0.3]]
    optimizer = cls(**hp)
    for it in range(STEPS):
        layer.dweights[...], layer.dbiases[...] = _grads(it)
        optimizer.step([layer.weights, layer.biases], [layer.dweights, layer.dbiases])
    np.testing.assert_array_equal(
        np.concatenate([layer.weights.ravel(), layer.biases.ravel()]), per_layer
    )


@pytest.mark.parametrize(
    "cls,defaults",
    [
        (SGD, {"learning_rate": 1.0, "decay": 0.0, "momentum": 0.0}),
        (Adagrad, {"learning_rate": 1.0, "decay": 0.0, "epsilon": 1e-7}),
        (RMSprop, {"learning_rate": 0.001, "decay": 0.0, "epsilon": 1e-7, "rho": 0.9}),
        (
            Adam,
            {"learning_rate": 0.001, "decay": 0.0, "epsilon": 1e-7, "beta_1": 0.9, "beta_2": 0.999},
        ),
    ],
)
def test_optimizer_defaults_are_the_books(cls, defaults):
    assert {k: v for k, v in cls().get_config().items() if k != "type"} == defaults


def test_current_learning_rate_follows_the_decay_schedule():
    opt = Adam(learning_rate=0.05, decay=5e-7)
    layer = Dense(2, 3, rng=0)
    rates = []
    for _ in range(4):
        opt.pre_update_params()
        rates.append(opt.current_learning_rate)
        opt.update_params(layer)
        opt.post_update_params()
    assert rates == [0.05 / (1 + 5e-7 * i) for i in range(4)]


def test_optimizer_state_lives_in_the_optimizer_not_on_the_layer():
    layer = Dense(2, 3, rng=0)
    before = set(vars(layer))
    Adam().update_params(layer)
    assert set(vars(layer)) == before


def test_parameters_are_updated_in_place():
    layer = Dense(2, 3, rng=0)
    weights = layer.weights
    layer.dweights[...] = 1.0
    SGD(0.1).update_params(layer)
    assert layer.weights is weights
    np.testing.assert_allclose(weights, layer.weights)


def test_changing_the_learning_rate_between_steps_takes_effect():
    opt = SGD(learning_rate=1.0)
    layer = Dense(1, 1, rng=0)
    layer.weights[...] = 0.0
    layer.dweights[...] = 1.0
    opt.step([layer.weights], [layer.dweights])
    opt.learning_rate = 0.25
    opt.step([layer.weights], [layer.dweights])
    assert layer.weights[0, 0] == pytest.approx(-1.25)


@pytest.mark.parametrize(
    "cls,name,value",
    [
        (SGD, "learning_rate", 0.0),
        (SGD, "learning_rate", -1.0),
        (SGD, "learning_rate", float("nan")),
        (SGD, "decay", -0.1),
        (SGD, "momentum", 1.0),
        (Adagrad, "epsilon", 0.0),
        (RMSprop, "rho", 1.5),
        (Adam, "beta_1", -0.1),
        (Adam, "beta_2", 1.0),
        (Adam, "learning_rate", float("inf")),
    ],
)
def test_bad_hyperparameter_raises_value_error_naming_it(cls, name, value):
    with pytest.raises(ValueError, match=name):
        cls(**{name: value})
    opt = cls()
    with pytest.raises(ValueError, match=name):
        setattr(opt, name, value)


def test_optimizer_from_config_rebuilds_type_and_hyperparameters():
    opt = optimizer_from_config({"type": "RMSprop", "learning_rate": 0.01, "rho": 0.5})
    assert isinstance(opt, RMSprop)
    assert (opt.learning_rate, opt.rho) == (0.01, 0.5)


def test_optimizer_from_config_names_an_unknown_hyperparameter():
    with pytest.raises(ValueError, match="momentum"):
        optimizer_from_config({"type": "Adam", "momentum": 0.9})


def test_network_step_updates_all_layers_through_one_flat_vector():
    net = build_network(2, 3, [4], rng=0)
    X = np.random.default_rng(0).standard_normal((8, 2))
    y = np.arange(8) % 3
    before = [d.weights.copy() for d in net.dense_layers]
    net.train_step(X, y, Adam(0.01))
    for layer, old in zip(net.dense_layers, before, strict=True):
        assert not np.array_equal(layer.weights, old)
        assert np.shares_memory(layer.weights, net.params)


@pytest.mark.parametrize("name", sorted(HYPERPARAMETER_RANGES))
@pytest.mark.parametrize("value", [-1.0, 0.0, 0.5, 0.999, 1.0, 2.0, 1e9, float("inf")])
def test_the_run_configuration_accepts_exactly_the_hyperparameters_the_engine_accepts(name, value):
    cls = next(c for c in OPTIMIZERS.values() if name in c.hyperparameters)
    try:
        cls(**{name: value})
        engine_ok = True
    except ValueError:
        engine_ok = False
    try:
        OptimizerConfig(type=cls.__name__, **{name: value})
        config_ok = True
    except ConfigError:
        config_ok = False
    assert engine_ok == config_ok == (value in HYPERPARAMETER_RANGES[name])


def test_every_hyperparameter_of_every_optimizer_has_a_range():
    names = {name for cls in OPTIMIZERS.values() for name in cls.hyperparameters}
    assert names == set(HYPERPARAMETER_RANGES)
