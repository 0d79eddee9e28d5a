"""Input features (TF Playground's x1², x1·x2, sin...): values, gradients, checks."""

from __future__ import annotations

import numpy as np
import pytest

from model.features import FEATURES, InputFeatures, check_features, features_for

POINTS = np.array([[0.5, -0.25], [-1.0, 0.75], [0.0, 0.3]])


def test_each_feature_has_its_value():
    layer = InputFeatures(list(FEATURES))
    out = layer.forward(POINTS)
    x1, x2 = POINTS[:, 0], POINTS[:, 1]
    expected = np.column_stack(
        [x1, x2, x1**2, x2**2, x1 * x2, np.sin(np.pi * x1), np.sin(np.pi * x2)]
    )
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)


def test_the_columns_follow_the_order_chosen():
    out = InputFeatures(["x1*x2", "x1"]).forward(POINTS)
    np.testing.assert_array_equal(out, np.column_stack([POINTS[:, 0] * POINTS[:, 1], POINTS[:, 0]]))


def test_backward_matches_central_differences():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(6, 2))
    upstream = rng.standard_normal((6, len(FEATURES)))
    layer = InputFeatures(list(FEATURES))
    layer.forward(X)
    analytic = layer.backward(upstream)
    numeric = np.zeros_like(X)
    h = 1e-6
    for i in range(X.shape[0]):
        for j in range(2):
            plus, minus = X.copy(), X.copy()
            plus[i, j] += h
            minus[i, j] -= h
            f_plus = float(np.sum(InputFeatures(list(FEATURES)).forward(plus) * upstream))
            f_minus = float(np.sum(InputFeatures(list(FEATURES)).forward(minus) * upstream))
            numeric[i, j] = (f_plus - f_minus) / (2 * h)
    error = np.abs(analytic - numeric).max() / max(np.abs(numeric).max(), 1e-12)
    assert error < 1e-7


def test_float32_inputs_give_float32_features():
    out = InputFeatures(["x1^2", "sin(x2)"]).forward(POINTS.astype(np.float32))
    assert out.dtype == np.float32


def test_one_column_data_offers_only_the_features_of_x1():
    assert features_for(1) == ("x1", "x1^2", "sin(x1)")


def test_a_feature_of_x2_is_refused_for_one_column_data():
    with pytest.raises(ValueError, match=r"'x2\^2' needs two input columns.*allowed are x1"):
        InputFeatures(["x1", "x2^2"], n_inputs=1)


def test_an_unknown_feature_is_refused_with_the_allowed_names():
    with pytest.raises(ValueError, match=r"'x3' is unknown: allowed are x1, x2, x1\^2"):
        check_features(["x1", "x3"])


def test_a_repeated_feature_is_refused():
    with pytest.raises(ValueError, match=r"'x1' is chosen twice"):
        check_features(["x1", "x1"])


def test_an_empty_choice_is_refused():
    with pytest.raises(ValueError, match="choose at least one"):
        check_features([])


def test_a_comma_separated_string_names_the_features():
    assert check_features("x1, x2 ,x1*x2") == ("x1", "x2", "x1*x2")


def test_the_config_names_the_features():
    layer = InputFeatures(["x1^2", "x2^2"])
    assert layer.config() == {"type": "InputFeatures", "features": ["x1^2", "x2^2"], "n_inputs": 2}


# --- in a network, a run, a file and the command line ----------------------------------------

CIRCLES = {"dataset": "circles", "samples": 100, "classes": 2}


def _train(features, epochs=500):
    from model.config import RunConfig
    from model.run import build_run

    config = RunConfig.from_dict(
        {
            "data": CIRCLES,
            "network": {"hidden": [], "features": features},
            "optimizer": {"type": "Adam", "learning_rate": 0.05},
        }
    )
    run = build_run(config)
    for _ in range(epochs):
        stats = run.trainer.run_epoch()
    return run, stats


def test_squared_features_let_a_network_without_hidden_layers_separate_the_circles():
    _, stats = _train(["x1^2", "x2^2"])
    assert stats.accuracy >= 0.97


def test_without_features_a_network_without_hidden_layers_cannot_separate_the_circles():
    _, stats = _train(None)
    assert stats.accuracy <= 0.7


def test_a_network_with_features_takes_the_raw_coordinates():
    from model.build import build_network

    network = build_network(2, 3, (8,), features=["x1", "x1*x2", "sin(x2)"], rng=0)
    assert network.n_inputs == 2
    assert network.dense_layers[0].n_inputs == 3
    assert network.predict_proba(POINTS).shape == (3, 3)


def test_the_raw_coordinates_as_features_add_no_layer():
    from model.build import build_network

    network = build_network(2, 3, (8,), features=["x1", "x2"], rng=0)
    assert not any(isinstance(layer, InputFeatures) for layer in network.layers)


def test_the_summary_names_the_features():
    from model.build import build_network

    summary = build_network(2, 2, (4,), features=["x1^2", "x2^2"], rng=0).summary()
    assert summary.startswith("2 -> [x1^2, x2^2] -> 4 ReLU -> 2 Softmax")


def test_gradients_through_a_network_with_features_pass_the_check():
    from model.build import build_network
    from model.gradcheck import gradient_check

    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(20, 2))
    y = rng.integers(0, 3, size=20)
    network = build_network(2, 3, (5,), features=list(FEATURES), activation="tanh", rng=0)
    result = gradient_check(network, X, y)
    assert result.passed, result


def test_features_that_do_not_chain_into_the_first_dense_layer_are_refused():
    from model.activations import Softmax
    from model.layers import Dense
    from model.losses import CategoricalCrossentropy
    from model.network import Network

    with pytest.raises(ValueError, match="3 input features are followed by Dense"):
        Network(
            [InputFeatures(["x1", "x2", "x1^2"]), Dense(2, 3), Softmax()], CategoricalCrossentropy()
        )


def test_a_saved_model_with_features_loads_and_predicts_the_same(tmp_path):
    from model.persist import load_model, save_model

    run, _ = _train(["x1^2", "x2^2", "x1*x2"], epochs=20)
    path = tmp_path / "model.npz"
    save_model(path, run.network, run.optimizer)
    loaded = load_model(path).network
    assert loaded.layers[0].features == ("x1^2", "x2^2", "x1*x2")
    np.testing.assert_array_equal(loaded.predict_proba(POINTS), run.network.predict_proba(POINTS))


def test_a_configuration_refuses_an_unknown_feature_naming_the_field():
    from model.config import ConfigError, RunConfig

    with pytest.raises(ConfigError, match=r"network.features: feature 'x1\^3' is unknown"):
        RunConfig.from_dict({"network": {"features": ["x1^3"]}})


def test_a_feature_of_x2_on_the_one_column_sine_is_refused_when_the_run_is_built():
    from model.config import ConfigError, RunConfig
    from model.run import build_run

    config = RunConfig.from_dict({"data": {"dataset": "sine"}, "network": {"features": ["x2"]}})
    with pytest.raises(ConfigError, match=r"network.features: .*'x2' needs two input columns"):
        build_run(config)


def test_the_configuration_keeps_the_features_through_json():
    from model.config import RunConfig

    config = RunConfig.from_dict({"network": {"features": ["x1", "sin(x1)"]}})
    assert RunConfig.from_dict(config.to_dict()).network.features == ("x1", "sin(x1)")


def test_one_samples_trace_ends_at_the_first_dense_layer():
    from model.build import build_network
    from model.walkthrough import sample_trace

    network = build_network(2, 3, (8,), features=["x1", "x2", "x1^2"], rng=0)
    X = np.random.default_rng(0).uniform(-1, 1, (10, 2))
    trace = sample_trace(network, X, np.arange(10) % 3, 0)
    assert [t.kind for t in trace] == ["Softmax+loss", "Dense", "ReLU", "Dense"]
