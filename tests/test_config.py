"""Specification of model.config: validation, presets, JSON files and build_run."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.config import (
    SECTIONS,
    ConfigError,
    DataConfig,
    OptimizerConfig,
    RunConfig,
    load_config,
    save_config,
)
from model.datasets import DATASETS, spiral
from model.optimizers import SGD, Adagrad, Adam, RMSprop
from model.run import PRESET_DESCRIPTIONS, PRESETS, build_run

DATA = Path(__file__).parent / "data"


def error_of(d: dict) -> str:
    with pytest.raises(ConfigError) as info:
        RunConfig.from_dict(d)
    return str(info.value)


# --- validation: every message names the field and what is allowed ---


@pytest.mark.parametrize(
    ("d", "message"),
    [
        ({"data": {"dataset": "spirals"}}, "data.dataset: must be one of spiral, "),
        ({"data": {"samples": 0}}, "data.samples: must be an integer in 1..100000, got 0"),
        ({"data": {"samples": "100"}}, "data.samples: must be an integer in 1..100000, got '100'"),
        ({"data": {"classes": 9}}, "data.classes: must be an integer in 2..8, got 9"),
        ({"data": {"noise": -0.1}}, "data.noise: must be a number >= 0, got -0.1"),
        (
            {"data": {"validation_fraction": 0.95}},
            "data.validation_fraction: must be a number in 0..0.9",
        ),
        ({"data": {"seed": -1}}, "data.seed: must be an integer in 0..4294967295, got -1"),
        (
            {"network": {"hidden": [64, 0]}},
            "network.hidden[1]: must be an integer in 1..512, got 0",
        ),
        ({"network": {"hidden": [8] * 7}}, "network.hidden: must have 0..6 layers, got 7"),
        ({"network": {"hidden": 64}}, "network.hidden: must be a list of 0..6 layer sizes, got 64"),
        ({"network": {"activation": "gelu"}}, "network.activation: must be one of relu, tanh"),
        ({"network": {"hidden": [4, 4], "activation": ["relu", "elu"]}}, "network.activation[1]:"),
        ({"network": {"dropout": 1.0}}, "network.dropout: must be a number in 0..0.9, got 1.0"),
        ({"network": {"weight_l2": -1}}, "network.weight_l2: must be a number >= 0, got -1"),
        ({"network": {"init": "xavier"}}, "network.init: must be one of nnfs, he, glorot"),
        ({"network": {"dtype": "float16"}}, "network.dtype: must be one of float64, float32"),
        ({"network": {"output": "relu"}}, "network.output: must be one of softmax, sigmoid"),
        ({"optimizer": {"type": "Nadam"}}, "optimizer.type: must be one of SGD, Adagrad, RMSprop"),
        (
            {"optimizer": {"learning_rate": -1}},
            "optimizer.learning_rate: must be a number > 0, got -1",
        ),
        ({"optimizer": {"decay": -1e-3}}, "optimizer.decay: must be a number >= 0, got -0.001"),
        ({"optimizer": {"epsilon": 0}}, "optimizer.epsilon: must be a number > 0, got 0"),
        ({"optimizer": {"beta_1": 1}}, "optimizer.beta_1: must be a number in [0, 1), got 1"),
        (
            {"optimizer": {"type": "SGD", "momentum": 1.5}},
            "optimizer.momentum: must be a number in [0, 1)",
        ),
        (
            {"optimizer": {"type": "RMSprop", "rho": True}},
            "optimizer.rho: must be a number in [0, 1), got True",
        ),
        ({"training": {"epochs": 0}}, "training.epochs: must be an integer in 1..10000000, got 0"),
        (
            {"training": {"epochs": 10.0}},
            "training.epochs: must be an integer in 1..10000000, got 10.0",
        ),
        ({"training": {"batch_size": 0}}, "training.batch_size: must be an integer >= 1, got 0"),
        (
            {"training": {"print_every": 0}},
            "training.print_every: must be an integer in 1..10000000",
        ),
    ],
)
def test_each_bad_field_is_refused_with_its_name_and_allowed_range(d, message):
    assert error_of(d).startswith(message)


def test_nan_and_infinity_are_refused():
    assert "got nan" in error_of({"data": {"noise": float("nan")}})
    assert "got inf" in error_of({"optimizer": {"learning_rate": float("inf")}})


def test_unknown_top_level_key_is_named():
    assert error_of({"netwrok": {}}).startswith("unknown key 'netwrok' (allowed: version, data,")


def test_unknown_section_key_is_named_with_the_allowed_ones():
    message = error_of({"network": {"hiden": [8]}})
    assert message.startswith("network: unknown key 'hiden' (allowed: hidden, activation,")


def test_a_section_that_is_not_an_object_is_refused():
    assert error_of({"training": [1, 2]}) == "training: must be a JSON object, got [1, 2]"


def test_the_whole_configuration_must_be_an_object():
    with pytest.raises(ConfigError, match="configuration: must be a JSON object"):
        RunConfig.from_dict([])


def test_an_unknown_version_is_refused():
    assert error_of({"version": 2}) == "version: must be 1, got 2"


def test_a_per_layer_list_of_the_right_length_is_accepted():
    assert RunConfig.from_dict({"network": {"bias_l1": [0.1]}}).network.bias_l1 == (0.1,)


def test_per_layer_list_must_match_the_number_of_hidden_layers():
    message = error_of({"network": {"hidden": [8, 8], "dropout": [0.1, 0.2, 0.3]}})
    assert message == (
        "network.dropout: needs one value per hidden layer (2) or a single value, got 3 values"
    )


def test_a_hyperparameter_the_optimizer_does_not_have_is_refused():
    message = error_of({"optimizer": {"type": "Adam", "momentum": 0.9}})
    assert message.startswith("optimizer.momentum: Adam has no momentum")


def test_errors_are_value_errors():
    assert issubclass(ConfigError, ValueError)


# hypothesis: whatever a user writes in a JSON file loads or raises ConfigError, nothing else

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["spiral", "csv", "relu", "Adam", "sgd", "sigmoid", "linear", "he"]),
    lambda children: (
        st.lists(children, max_size=7) | st.dictionaries(st.text(max_size=5), children)
    ),
    max_leaves=10,
)
sections = st.fixed_dictionaries(
    {},
    optional={
        name: st.dictionaries(
            st.sampled_from([*cls.__dataclass_fields__, "bogus"]), json_values, max_size=5
        )
        for name, cls in SECTIONS.items()
    },
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(sections, json_values))
def test_random_configurations_load_or_raise_config_error(d):
    try:
        config = RunConfig.from_dict(d)
    except ConfigError:
        return
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


# --- defaults and normalisation ---


def test_empty_dict_gives_the_defaults():
    config = RunConfig.from_dict({})
    assert config == RunConfig()
    assert config.data == DataConfig("spiral", 100, 3, None, 0.0, 0, None)
    assert config.network.hidden == (64,) and config.network.activation == "relu"
    assert config.training.epochs == 10001 and config.training.batch_size is None
    assert config.task == "classification"


def test_noise_none_means_the_dataset_default():
    for name, spec in DATASETS.items():
        assert DataConfig(dataset=name).resolved_noise == spec.default_noise


@pytest.mark.parametrize("name", ["xor", "moons"])
def test_two_class_datasets_force_two_classes(name):
    assert RunConfig.from_dict({"data": {"dataset": name, "classes": 5}}).data.classes == 2


def test_blobs_is_an_alias_of_gaussian_blobs():
    assert DataConfig(dataset="blobs").dataset == "gaussian_blobs"


@pytest.mark.parametrize(
    ("kind", "cls"), [("SGD", SGD), ("Adagrad", Adagrad), ("RMSprop", RMSprop), ("Adam", Adam)]
)
def test_unset_hyperparameters_take_the_books_defaults(kind, cls):
    optimizer = OptimizerConfig(type=kind).build()
    assert type(optimizer) is cls
    assert optimizer.get_config() == cls().get_config()


def test_optimizer_type_is_case_insensitive():
    assert OptimizerConfig(type="rmsprop").type == "RMSprop"


def test_choosing_another_optimizer_drops_the_old_ones_hyperparameters():
    config = PRESETS["ch10"].updated({"optimizer": {"type": "SGD", "momentum": 0.9}})
    assert config.optimizer == OptimizerConfig(type="SGD", momentum=0.9)


def test_naming_the_same_optimizer_keeps_its_hyperparameters():
    config = PRESETS["ch10"].updated({"optimizer": {"type": "adam"}})
    assert config.optimizer == PRESETS["ch10"].optimizer


def test_updated_changes_only_the_given_fields():
    config = PRESETS["ch14"].updated({"network": {"dropout": 0.2}, "training": {"epochs": 5}})
    assert config.network.hidden == (512,) and config.network.weight_l2 == 5e-4
    assert config.network.dropout == 0.2 and config.training.epochs == 5


def test_per_layer_lists_become_tuples_and_round_trip_as_lists():
    d = {"network": {"hidden": [8, 4], "activation": ["tanh", "relu"], "dropout": [0.1, 0]}}
    config = RunConfig.from_dict(d)
    assert config.network.activation == ("tanh", "relu")
    assert config.to_dict()["network"]["dropout"] == [0.1, 0.0]


# --- the output layer follows the task ---


def test_sine_is_regression_with_a_linear_output():
    assert RunConfig.from_dict({"data": {"dataset": "sine"}}).task == "regression"


def test_sigmoid_output_with_two_classes_is_binary():
    d = {"data": {"classes": 2}, "network": {"output": "sigmoid"}}
    assert RunConfig.from_dict(d).task == "binary"


def test_sigmoid_output_needs_two_classes():
    message = error_of({"network": {"output": "sigmoid"}})
    assert message == "network.output: 'sigmoid' (binary) needs 2 classes, got 3"


def test_linear_output_needs_regression_data():
    assert error_of({"network": {"output": "linear"}}).startswith(
        "network.output: 'linear' needs regression data"
    )


def test_softmax_output_needs_classification_data():
    message = error_of({"data": {"dataset": "sine"}, "network": {"output": "softmax"}})
    assert message.startswith("network.output: 'softmax' needs classification data")


def test_csv_dataset_needs_a_path():
    assert error_of({"data": {"dataset": "csv"}}) == (
        "data.csv_path: required when data.dataset is 'csv'"
    )


def test_a_csv_path_alone_selects_the_csv_dataset():
    config = RunConfig.from_dict({"data": {"csv_path": "points.csv"}})
    assert config.data.dataset == "csv"


def test_choosing_a_generated_dataset_drops_the_csv_path():
    config = RunConfig.from_dict({"data": {"csv_path": "points.csv"}})
    assert config.updated({"data": {"dataset": "moons"}}).data.csv_path is None


# --- presets ---


def test_every_preset_has_a_description():
    assert set(PRESET_DESCRIPTIONS) == set(PRESETS) == {"ch10", "ch14", "ch15", "ch16"}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_round_trips_through_to_dict_and_from_dict(name):
    assert RunConfig.from_dict(PRESETS[name].to_dict()) == PRESETS[name]


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_round_trips_through_a_json_file(name, tmp_path):
    path = tmp_path / f"{name}.json"
    save_config(path, PRESETS[name])
    assert load_config(path) == PRESETS[name]


def test_ch10_is_the_books_chapter_10_run():
    config = PRESETS["ch10"]
    assert (config.data.dataset, config.data.samples, config.data.classes) == ("spiral", 100, 3)
    assert config.network.hidden == (64,) and config.network.activation == "relu"
    assert config.optimizer.build().get_config() == Adam(0.05, 5e-7).get_config()
    assert config.training.epochs == 10001


def test_ch14_adds_l2_on_weights_and_biases():
    config = PRESETS["ch14"]
    assert config.data.samples == 1000 and config.network.hidden == (512,)
    assert config.network.weight_l2 == config.network.bias_l2 == 5e-4
    assert config.optimizer.build().get_config() == Adam(0.02, 5e-7).get_config()


def test_ch15_adds_dropout():
    config = PRESETS["ch15"]
    assert config.network.dropout == 0.1 and config.network.weight_l2 == 5e-4
    assert config.optimizer.build().get_config() == Adam(0.05, 5e-5).get_config()


def test_ch16_is_binary_with_sigmoid_and_binary_cross_entropy():
    config = PRESETS["ch16"]
    assert config.task == "binary" and config.data.classes == 2
    assert config.optimizer.build().get_config() == Adam(decay=5e-7).get_config()
    assert type(build_run(config).network.loss).__name__ == "BinaryCrossentropy"


# --- files ---


def test_json_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{\n  "data": {"samples": 10,}\n}\n')
    with pytest.raises(ConfigError, match=r"run\.json: invalid JSON at line 2, column 26"):
        load_config(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.json: file not found"):
        load_config(tmp_path / "nope.json")


def test_a_directory_is_not_a_config_file(tmp_path):
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


def test_a_json_array_is_not_a_configuration(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must hold a JSON object"):
        load_config(path)


def test_validation_errors_in_a_file_start_with_its_path(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{"network": {"hidden": [64, 0]}}')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: network.hidden[1]: must be an integer in 1..512, got 0"


def test_save_config_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "run.json"
    path.write_text("old")
    save_config(path, PRESETS["ch15"])
    assert os.listdir(tmp_path) == ["run.json"]
    assert json.loads(path.read_text())["network"]["dropout"] == 0.1


def test_save_config_into_a_missing_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot be written"):
        save_config(tmp_path / "no" / "run.json", RunConfig())


# --- build_run: the one place a configuration becomes objects ---


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_build_run_shapes_for_each_dataset(name):
    config = RunConfig.from_dict({"data": {"dataset": name, "samples": 20}})
    run = build_run(config)
    n = 20 if name == "sine" else 20 * run.dataset.n_classes
    assert run.X_train.shape == (n, 1 if name == "sine" else 2)
    assert len(run.y_train) == n and len(run.X_val) == 0
    assert run.network.n_inputs == run.X_train.shape[1]
    expected = 1 if name == "sine" else run.dataset.n_classes
    assert run.network.n_outputs == expected
    assert run.network.task == run.task == config.task
    run.trainer.run_epoch()


def test_build_run_binary_task_has_one_output_and_column_targets():
    run = build_run(PRESETS["ch16"].updated({"data": {"validation_fraction": 0.2}}))
    assert run.network.n_outputs == 1 and run.network.task == "binary"
    assert run.y_train.shape == (160, 1) and run.y_val.shape == (40, 1)
    assert set(np.unique(run.y_train)) == {0, 1}


def test_build_run_splits_off_the_validation_fraction():
    run = build_run(RunConfig.from_dict({"data": {"validation_fraction": 0.2}}))
    assert run.X_train.shape == (240, 2) and run.X_val.shape == (60, 2)
    assert run.trainer.run_epoch().val_loss is not None


def test_data_seed_0_is_the_books_nnfs_spiral():
    X, y = spiral(100, 3, rng=np.random.RandomState(0))
    run = build_run(PRESETS["ch10"])
    np.testing.assert_array_equal(run.X_train, X)
    np.testing.assert_array_equal(run.y_train, y)


def test_training_seed_changes_the_weights_but_not_the_data():
    a = build_run(PRESETS["ch10"])
    b = build_run(PRESETS["ch10"].updated({"training": {"seed": 1}}))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.network.params, b.network.params)


def test_same_configuration_builds_the_same_run():
    config = PRESETS["ch15"].updated({"data": {"samples": 50}, "training": {"batch_size": 32}})
    a, b = build_run(config), build_run(config)
    for run in (a, b):
        for _ in range(3):
            run.trainer.run_epoch()
    np.testing.assert_array_equal(a.network.params, b.network.params)


def test_build_run_applies_network_settings():
    d = {"network": {"hidden": [8, 4], "activation": ["tanh", "sigmoid"], "dtype": "float32"}}
    run = build_run(RunConfig.from_dict(d))
    assert run.network.summary().startswith("2 -> 8 Tanh -> 4 Sigmoid -> 3 Softmax")
    assert run.network.dtype == np.float32


def test_build_run_with_no_hidden_layers_is_a_linear_classifier():
    run = build_run(RunConfig.from_dict({"network": {"hidden": []}}))
    assert len(run.network.dense_layers) == 1


def test_build_run_reads_a_csv_file():
    run = build_run(RunConfig.from_dict({"data": {"csv_path": str(DATA / "three_classes.csv")}}))
    assert run.dataset.n_classes == 3 and run.network.n_outputs == 3


def test_build_run_refuses_an_output_that_does_not_fit_the_csv(tmp_path):
    d = {"data": {"csv_path": str(DATA / "three_classes.csv")}, "network": {"output": "sigmoid"}}
    with pytest.raises(ConfigError, match="needs 2 classes, got 3"):
        build_run(RunConfig.from_dict(d))


def test_build_run_reports_an_unusable_csv_as_a_value_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,0\n1,x,1\n")
    with pytest.raises(ValueError, match="line 2"):
        build_run(RunConfig.from_dict({"data": {"csv_path": str(path)}}))


def test_optimizer_settings_reach_the_trainer():
    run = build_run(PRESETS["ch15"])
    assert run.trainer.optimizer is run.optimizer
    assert run.optimizer.learning_rate == 0.05 and run.optimizer.decay == 5e-5
