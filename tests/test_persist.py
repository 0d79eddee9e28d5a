"""Specification of model.persist: exact round trips, atomic writes, and refusing bad files."""

import contextlib
import errno
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.build import HIDDEN_ACTIVATIONS, build_network
from model.datasets import spiral
from model.optimizers import SGD, Adagrad, Adam, RMSprop
from model.persist import FORMAT_VERSION, LoadedModel, ModelFileError, load_model, save_model
from model.trainer import Trainer

X, Y_CLASS = spiral(30, 3, rng=0)
Y_BINARY = (Y_CLASS == 1).astype(np.float64).reshape(-1, 1)
Y_REGRESSION = np.column_stack([np.sin(3 * X[:, 0]), X[:, 1] ** 2])
TARGETS = {"classification": (3, Y_CLASS), "binary": (1, Y_BINARY), "regression": (2, Y_REGRESSION)}


def trained(task="classification", dtype=np.float64, *, dropout=0.1, optimizer=None, epochs=3):
    """A small network of ``task`` trained a few epochs, with L2 and dropout by default."""
    n_outputs, y = TARGETS[task]
    net = build_network(
        2, n_outputs, (8, 5), task=task, dropout=dropout, weight_l2=5e-4, rng=1, dtype=dtype
    )
    optimizer = optimizer if optimizer is not None else Adam(0.02)
    Trainer(net, optimizer, X, y, rng=2).train(epochs)
    return net, optimizer


@pytest.fixture
def saved(tmp_path):
    """Path of a valid model file (classification, Adam with state)."""
    path = tmp_path / "model.npz"
    net, opt = trained()
    save_model(path, net, opt, epoch=3, metadata={"dataset": "spiral"})
    return path


@pytest.fixture(scope="session")
def model_bytes(tmp_path_factory):
    """The bytes of a valid model file, for tests that damage copies of it."""
    path = tmp_path_factory.mktemp("valid") / "model.npz"
    net, opt = trained(epochs=2)
    save_model(path, net, opt, epoch=2, metadata={"dataset": "spiral"})
    return path.read_bytes()


def entries(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def rewrite(path, **changes):
    """Rewrite the model at ``path`` with entries replaced (None removes one)."""
    values = entries(path)
    for key, value in changes.items():
        if value is None:
            values.pop(key)
        else:
            values[key] = value
    with open(path, "wb") as fh:
        np.savez(fh, **values)
    return path


def edit_architecture(path, edit):
    config = json.loads(str(entries(path)["architecture"]))
    edit(config)
    return rewrite(path, architecture=np.array(json.dumps(config)))


class WritesMarker:
    """Unpickling this creates the file ``marker``: proof that a pickle was executed."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


# --- round trips --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("task", ["classification", "binary", "regression"])
def test_round_trip_predicts_identically(tmp_path, task, dtype):
    net, opt = trained(task, dtype)
    save_model(tmp_path / "m.npz", net, opt)
    loaded = load_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.network.predict_proba(X), net.predict_proba(X))
    assert loaded.network.predict_proba(X).dtype == dtype


def test_round_trip_restores_architecture_and_exact_parameters(tmp_path):
    net, _ = trained(dtype=np.float32)
    save_model(tmp_path / "m.npz", net)
    loaded = load_model(tmp_path / "m.npz").network
    assert loaded.config() == net.config()
    assert loaded.params.dtype == np.float32
    np.testing.assert_array_equal(loaded.params, net.params)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: Adam(0.05, decay=5e-3),
        lambda: SGD(0.5, decay=1e-2, momentum=0.9),
        lambda: RMSprop(0.01, rho=0.8),
        lambda: Adagrad(0.5),
    ],
    ids=["Adam", "SGD-momentum", "RMSprop", "Adagrad"],
)
def test_training_after_load_continues_exactly_as_without_saving(tmp_path, make_optimizer):
    net, opt = trained(dropout=0.0, optimizer=make_optimizer(), epochs=5)
    save_model(tmp_path / "m.npz", net, opt, epoch=5)
    Trainer(net, opt, X, Y_CLASS).train(5)
    loaded = load_model(tmp_path / "m.npz")
    Trainer(loaded.network, loaded.optimizer, X, Y_CLASS).train(5)
    np.testing.assert_array_equal(loaded.network.params, net.params)


def test_optimizer_settings_iterations_and_learning_rate_round_trip(tmp_path):
    net, opt = trained(optimizer=Adam(0.05, decay=1e-2, epsilon=1e-6, beta_1=0.8, beta_2=0.99))
    save_model(tmp_path / "m.npz", net, opt)
    loaded = load_model(tmp_path / "m.npz").optimizer
    assert type(loaded) is Adam and loaded.get_config() == opt.get_config()
    assert loaded.iterations == opt.iterations == 3
    assert loaded.current_learning_rate == opt.current_learning_rate


def test_optimizer_that_never_stepped_is_saved_without_state(tmp_path):
    net = build_network(2, 3, (4,), rng=0)
    save_model(tmp_path / "m.npz", net, Adam())
    assert not [k for k in entries(tmp_path / "m.npz") if k.startswith("optimizer_state")]
    assert load_model(tmp_path / "m.npz").optimizer.iterations == 0


def test_network_saved_without_optimizer_loads_with_none(tmp_path):
    net, _ = trained()
    save_model(tmp_path / "m.npz", net)
    assert load_model(tmp_path / "m.npz").optimizer is None


def test_metadata_and_epoch_round_trip(tmp_path):
    metadata = {
        "dataset": "spiral",
        "samples": 100,
        "classes": 3,
        "noise": 0.2,
        "seed": 0,
        "validation": 0.2,
        "note": "späť",
        "hidden": [64, 64],
        "extra": None,
    }
    net, opt = trained()
    save_model(tmp_path / "m.npz", net, opt, epoch=10001, metadata=metadata)
    loaded = load_model(tmp_path / "m.npz")
    assert isinstance(loaded, LoadedModel)
    assert loaded.epoch == 10001 and loaded.metadata == metadata


def test_numpy_scalars_in_metadata_are_saved_as_plain_numbers(tmp_path):
    net, _ = trained()
    save_model(tmp_path / "m.npz", net, metadata={"seed": np.int64(7), "noise": np.float32(0.5)})
    assert load_model(tmp_path / "m.npz").metadata == {"seed": 7, "noise": 0.5}


def test_load_rng_seeds_the_rebuilt_dropout_layers(saved):
    first, second = (load_model(saved, rng=5).network for _ in range(2))
    np.testing.assert_array_equal(first.forward(X, training=True), second.forward(X, training=True))


def test_save_writes_exactly_the_given_path(tmp_path):
    net, _ = trained()
    save_model(tmp_path / "model.bin", net)
    assert os.listdir(tmp_path) == ["model.bin"]
    assert load_model(str(tmp_path / "model.bin")).network.config() == net.config()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metadata": {"x": object()}}, "metadata cannot be saved as JSON"),
        ({"metadata": {"loss": float("nan")}}, "metadata cannot be saved as JSON"),
        ({"metadata": [1, 2]}, "metadata must be a dict"),
        ({"epoch": -1}, "epoch must be an integer >= 0"),
    ],
)
def test_save_refuses_bad_arguments_and_writes_nothing(tmp_path, kwargs, message):
    net, _ = trained()
    with pytest.raises((TypeError, ValueError), match=message):
        save_model(tmp_path / "m.npz", net, **kwargs)
    assert os.listdir(tmp_path) == []


def test_save_refuses_a_network_with_non_finite_parameters(tmp_path):
    net, _ = trained()
    net.params[0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite parameters"):
        save_model(tmp_path / "m.npz", net)


# --- atomic writes ------------------------------------------------------------------


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(saved, monkeypatch):
    before = saved.read_bytes()

    def disk_full(fh, **arrays):
        fh.write(b"PK\x03\x04 half a model")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="No space left") as info:
        save_model(saved, build_network(2, 3, (4,), rng=0))
    assert info.value.filename == str(saved)
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == [saved.name]


def test_failed_rename_keeps_the_old_file_and_leaves_no_temporary(saved, monkeypatch):
    before = saved.read_bytes()

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        save_model(saved, build_network(2, 3, (4,), rng=0))
    assert saved.read_bytes() == before
    assert os.listdir(saved.parent) == [saved.name]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saved_file_has_the_permissions_of_an_ordinary_new_file(tmp_path):
    umask = os.umask(0o022)
    try:
        save_model(tmp_path / "m.npz", build_network(2, 3, (4,), rng=0))
    finally:
        os.umask(umask)
    assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_overwriting_keeps_the_existing_file_permissions(saved):
    saved.chmod(0o640)
    save_model(saved, build_network(2, 3, (4,), rng=0))
    assert saved.stat().st_mode & 0o777 == 0o640


def test_interrupted_first_save_leaves_no_file(tmp_path, monkeypatch):
    def interrupted(fh, **arrays):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(tmp_path / "m.npz", build_network(2, 3, (4,), rng=0))
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_folder_names_the_target(tmp_path):
    target = tmp_path / "no" / "such" / "m.npz"
    with pytest.raises(FileNotFoundError) as info:
        save_model(target, build_network(2, 3, (4,), rng=0))
    assert info.value.filename == str(target)


# --- damaged and foreign files ------------------------------------------------------


def test_missing_file_is_a_model_file_error_naming_the_path(tmp_path):
    with pytest.raises(ModelFileError, match=r"nothing\.npz: cannot be read") as info:
        load_model(tmp_path / "nothing.npz")
    assert isinstance(info.value, ValueError) and info.value.path == str(tmp_path / "nothing.npz")


@pytest.mark.parametrize("keep", [0.0, 0.001, 0.1, 0.5, 0.9, 0.99, -22, -1])
def test_truncated_file_is_refused(saved, keep):
    data = saved.read_bytes()
    cut = int(len(data) * keep) if keep >= 0 else len(data) + keep
    saved.write_bytes(data[:cut])
    with pytest.raises(ModelFileError, match=str(saved)):
        load_model(saved)


def test_corrupted_parameter_bytes_are_refused(saved):
    data = bytearray(saved.read_bytes())
    start = data.index(b"params.npy") + 200  # inside the stored parameter data
    data[start : start + 8] = b"\x00\xff" * 4
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="'params' is damaged"):
        load_model(saved)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_bytes_are_refused(tmp_path, seed):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(seed).bytes(5000))
    with pytest.raises(ModelFileError, match="not a Backprop Lab model file"):
        load_model(path)


def test_random_bytes_behind_a_zip_signature_are_refused(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(b"PK\x03\x04" + np.random.default_rng(0).bytes(5000))
    with pytest.raises(ModelFileError, match=r"not a readable \.npz archive"):
        load_model(path)


def test_an_npz_that_is_not_a_model_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", weights=np.ones(3))
    with pytest.raises(ModelFileError, match="no 'format' entry"):
        load_model(tmp_path / "other.npz")


def test_a_wrong_format_marker_is_refused(saved):
    rewrite(saved, format=np.array("keras-model"))
    with pytest.raises(ModelFileError, match="format 'keras-model'"):
        load_model(saved)


def test_a_newer_format_version_names_the_version(saved):
    rewrite(saved, version=np.array(FORMAT_VERSION + 2))
    message = f"newer Backprop Lab \\(format {FORMAT_VERSION + 2}\\); this version reads format 1"
    with pytest.raises(ModelFileError, match=message):
        load_model(saved)


@pytest.mark.parametrize("key", ["architecture", "params", "epoch", "metadata", "version"])
def test_a_missing_entry_is_named(saved, key):
    rewrite(saved, **{key: None})
    with pytest.raises(ModelFileError, match=f"'{key}'"):
        load_model(saved)


TAMPERED = {
    "unknown layer type": lambda c: c["layers"][0].update(type="Conv2D"),
    "sizes that do not chain": lambda c: c["layers"][3].update(n_inputs=7),
    "more outputs than the parameters hold": lambda c: c["layers"][6].update(n_neurons=4),
    "string sizes": lambda c: c["layers"][0].update(n_inputs="2"),
    "negative regularization": lambda c: c["layers"][0].update(weight_regularizer_l2=-1),
    "bad dropout rate": lambda c: c["layers"][2].update(rate=1.5),
    "unknown loss": lambda c: c.update(loss={"type": "Hinge"}),
    "layers not a list": lambda c: c.update(layers={"a": 1}),
    "a dtype the parameters do not have": lambda c: c.update(dtype="float32"),
    "an unsupported dtype": lambda c: c.update(dtype="int8"),
}


@pytest.mark.parametrize("edit", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_architecture_is_refused(saved, edit):
    edit_architecture(saved, edit)
    with pytest.raises(ModelFileError, match=r"architecture|'params'"):
        load_model(saved)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"layers": NaN}', "[" * 100_000])
def test_architecture_that_is_not_a_json_object_is_refused(saved, text):
    rewrite(saved, architecture=np.array(text))
    with pytest.raises(ModelFileError, match="'architecture'"):
        load_model(saved)


def test_absurd_declared_architecture_is_refused_before_allocating(saved):
    edit_architecture(saved, lambda c: c["layers"][0].update(n_inputs=10**7, n_neurons=10**7))
    with pytest.raises(ModelFileError, match="over 20,000,000 parameters"):
        load_model(saved)


def test_params_entry_declaring_an_absurd_size_is_refused_from_its_header(saved):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    values = entries(saved)
    del values["params"]
    np.savez(saved, **values)
    with zipfile.ZipFile(saved, "a") as archive:
        archive.writestr("params.npy", header.getvalue() + b"\x00" * 64)
    with pytest.raises(ModelFileError, match=r"shape \(1000000000000,\)"):
        load_model(saved)


def test_non_finite_parameters_are_refused(saved):
    params = entries(saved)["params"]
    params[3] = np.inf
    rewrite(saved, params=params)
    with pytest.raises(ModelFileError, match="'params' contains NaN or infinity"):
        load_model(saved)


def test_parameters_of_the_wrong_dtype_are_refused(saved):
    rewrite(saved, params=entries(saved)["params"].astype(np.float32))
    with pytest.raises(ModelFileError, match="'params' holds float32"):
        load_model(saved)


def test_optimizer_state_of_the_wrong_shape_is_refused(saved):
    rewrite(saved, **{"optimizer_state.cache": np.zeros(5)})
    with pytest.raises(ModelFileError, match=r"'optimizer_state\.cache' holds float64 of shape"):
        load_model(saved)


def test_optimizer_state_that_does_not_fit_the_optimizer_is_refused(saved):
    rewrite(saved, **{"optimizer_state.cache": None})
    with pytest.raises(ModelFileError, match="Adam keeps cache, momentums"):
        load_model(saved)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"iterations": -1}, "iterations must be an integer >= 0"),
        ({"current_learning_rate": "fast"}, "current_learning_rate must be a number > 0"),
        ({"config": {"type": "Nesterov"}}, "invalid optimizer"),
        ({"config": {"type": "Adam", "beta_1": 2}}, "invalid optimizer"),
    ],
)
def test_bad_optimizer_settings_are_refused(saved, change, message):
    settings_ = json.loads(str(entries(saved)["optimizer"]))
    settings_.update(change)
    rewrite(saved, optimizer=np.array(json.dumps(settings_)))
    with pytest.raises(ModelFileError, match=message):
        load_model(saved)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"metadata": np.array("[1, 2]")}, "'metadata' must be a JSON object"),
        ({"epoch": np.array(-3)}, "'epoch' must be >= 0"),
        ({"epoch": np.array(2.5)}, "'epoch' must be one integer"),
        ({"metadata": np.array(7)}, "'metadata' must be text"),
    ],
)
def test_bad_epoch_or_metadata_is_refused(saved, change, message):
    rewrite(saved, **change)
    with pytest.raises(ModelFileError, match=message):
        load_model(saved)


# --- hostile files: pickles are never executed --------------------------------------


@pytest.mark.parametrize("key", ["params", "architecture", "metadata"])
def test_object_array_entry_is_refused_and_never_unpickled(saved, tmp_path, key):
    marker = tmp_path / "pwned"
    payload = np.empty(1, dtype=object)
    payload[0] = WritesMarker(marker)
    rewrite(saved, **{key: payload})  # np.savez pickles object arrays
    with pytest.raises(ModelFileError, match="holds Python objects"):
        load_model(saved)
    assert not marker.exists()


def test_npy_file_with_a_pickled_object_is_refused_and_never_unpickled(tmp_path):
    marker, path = tmp_path / "pwned", tmp_path / "model.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.array([WritesMarker(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(ModelFileError, match=r"a single \.npy array"):
        load_model(path)
    assert not marker.exists()


def test_plain_pickle_file_is_refused_and_never_unpickled(tmp_path):
    marker, path = tmp_path / "pwned", tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(WritesMarker(marker)))
    with pytest.raises(ModelFileError, match=r"not an \.npz archive"):
        load_model(path)
    assert not marker.exists()


# --- property: any architecture the builder makes round-trips exactly ---------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n_hidden=st.integers(1, 3),
    task=st.sampled_from(["classification", "binary", "regression"]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_architectures_round_trip_exactly(
    tmp_path_factory, data, n_hidden, task, dtype, seed
):
    hidden = data.draw(st.lists(st.integers(1, 16), min_size=n_hidden, max_size=n_hidden))
    activation = data.draw(
        st.lists(st.sampled_from(HIDDEN_ACTIVATIONS), min_size=n_hidden, max_size=n_hidden)
    )
    dropout = data.draw(
        st.lists(st.sampled_from([0.0, 0.1, 0.5]), min_size=n_hidden, max_size=n_hidden)
    )
    n_inputs = data.draw(st.integers(1, 4))
    n_outputs = {"classification": data.draw(st.integers(2, 4)), "binary": 1}.get(task, 2)
    net = build_network(
        n_inputs,
        n_outputs,
        hidden,
        task=task,
        activation=activation,
        dropout=dropout,
        init="he",
        rng=seed,
        dtype=dtype,
    )
    inputs = np.random.default_rng(seed).standard_normal((20, n_inputs))
    path = tmp_path_factory.mktemp("property") / "model.npz"
    save_model(path, net, epoch=seed % 1000, metadata={"seed": seed})
    loaded = load_model(path)
    assert loaded.network.config() == net.config()
    np.testing.assert_array_equal(loaded.network.params, net.params)
    np.testing.assert_array_equal(loaded.network.predict_proba(inputs), net.predict_proba(inputs))
    assert (loaded.epoch, loaded.metadata) == (seed % 1000, {"seed": seed})


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**30) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), value=JSON_VALUES)
def test_any_json_in_a_setting_gives_a_model_or_a_model_file_error(
    tmp_path_factory, model_bytes, data, value
):
    path = tmp_path_factory.mktemp("fuzz") / "model.npz"
    path.write_bytes(model_bytes)
    values = entries(path)
    key = data.draw(st.sampled_from(["architecture", "optimizer"]))
    setting = json.loads(str(values[key]))
    nested = setting["config"] if key == "optimizer" else setting
    spots = [setting, nested]
    if key == "architecture":
        spots += [*setting["layers"], setting["loss"]]
    spot = data.draw(st.sampled_from(spots))
    spot[data.draw(st.sampled_from([*sorted(spot), "extra", "rng"]))] = value
    rewrite(path, **{key: np.array(json.dumps(setting))})
    with contextlib.suppress(ModelFileError):
        load_model(path)


@settings(max_examples=300, deadline=None)
@given(
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1),
    keep=st.none() | st.floats(0, 1),
)
def test_damaged_bytes_give_a_model_or_a_model_file_error(
    tmp_path_factory, model_bytes, flips, keep
):
    damaged = bytearray(model_bytes)
    for where, byte in flips:
        damaged[int(where * len(damaged))] = byte
    if keep is not None:
        damaged = damaged[: int(keep * len(damaged))]
    path = tmp_path_factory.mktemp("damaged") / "model.npz"
    path.write_bytes(bytes(damaged))
    with contextlib.suppress(ModelFileError):
        load_model(path)
