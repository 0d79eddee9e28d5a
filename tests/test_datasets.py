"""Specification of model.datasets: the toy generators, the registry, the split and CSV loading."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.datasets import (
    DATASETS,
    MAX_SAMPLES,
    Dataset,
    DatasetError,
    as_generator,
    circles,
    gaussian_blobs,
    load_csv,
    make_dataset,
    moons,
    sine,
    spiral,
    train_validation_split,
    vertical,
    xor,
)

DATA = Path(__file__).parent / "data"
CLASSIFICATION = [name for name, spec in DATASETS.items() if spec.task == "classification"]
ANY_CLASS_COUNT = [spiral, vertical, circles, gaussian_blobs]
TWO_CLASS_ONLY = [xor, moons]


# --- the book's datasets, pinned to values nnfs 0.5.1 produced (nnfs is not imported) ---


def test_spiral_with_randomstate_0_matches_nnfs_spiral_data_bit_for_bit():
    # np.random.seed(0); nnfs.datasets.spiral_data(100, 3) -> X float64, y uint8
    X, y = spiral(100, 3, rng=np.random.RandomState(0))
    assert X.shape == (300, 2) and X.dtype == np.float64
    assert y.shape == (300,) and y.dtype == np.int64
    assert X[1, 0] == 0.0029955566779434318
    assert X[57, 1] == 0.5358788051981533
    assert X[99, 0] == -0.7005848082402775
    assert X[150, 1] == -0.3890100752173273
    assert X[230, 0] == -0.09736996208264902
    assert X[299, 1] == 0.3333906794222676
    assert X.sum() == pytest.approx(-15.34763395559485, abs=1e-12)
    assert (X**2).sum() == pytest.approx(100.50505050505052, abs=1e-12)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 100))


def test_vertical_with_randomstate_0_matches_nnfs_vertical_data_bit_for_bit():
    X, y = vertical(100, 3, rng=np.random.RandomState(0))
    assert X[0, 0] == 0.1764052345967664
    assert X[0, 1] == 0.6883150697056255
    assert X[150, 0] == 0.3854398209786092
    assert X[299, 1] == 0.4821410907912671
    assert X.sum() == pytest.approx(246.70296823447902, abs=1e-12)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 100))


def test_sine_without_noise_matches_nnfs_sine_data():
    X, y = sine(1000)
    assert X.shape == y.shape == (1000, 1)
    np.testing.assert_array_equal(X[:, 0], np.arange(1000) / 1000)
    np.testing.assert_array_equal(y, np.sin(2 * np.pi * X))


# --- shapes, labels and geometry ---


@pytest.mark.parametrize("generator", ANY_CLASS_COUNT)
@pytest.mark.parametrize("classes", [2, 3, 8])
def test_generator_returns_samples_per_class_with_labels_grouped_by_class(generator, classes):
    X, y = generator(40, classes, rng=0)
    assert X.shape == (40 * classes, 2) and X.dtype == np.float64
    assert y.shape == (40 * classes,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, np.repeat(np.arange(classes), 40))


@pytest.mark.parametrize("generator", TWO_CLASS_ONLY)
def test_two_class_generator_returns_two_labelled_groups(generator):
    X, y = generator(40, rng=0)
    assert X.shape == (80, 2) and X.dtype == np.float64
    np.testing.assert_array_equal(y, np.repeat([0, 1], 40))


@pytest.mark.parametrize("generator", TWO_CLASS_ONLY)
def test_two_class_generator_rejects_other_class_counts(generator):
    with pytest.raises(ValueError, match="classes must be 2 for this dataset, got 3"):
        generator(10, 3, rng=0)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_points_lie_roughly_within_minus_one_to_one(name):
    for classes in (2, 3, 8):
        X = make_dataset(name, 200, classes, rng=0).X
        assert np.abs(X).max() < 1.5


def test_xor_labels_points_by_whether_x_and_y_share_a_sign():
    X, y = xor(200, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


def test_circles_puts_class_zero_on_the_outer_ring_and_spaces_rings_evenly():
    X, y = circles(50, 4, noise=0.0, rng=0)
    radii = np.hypot(X[:, 0], X[:, 1])
    for label, radius in enumerate([1.0, 0.75, 0.5, 0.25]):
        np.testing.assert_allclose(radii[y == label], radius)


def test_circles_factor_sets_the_innermost_radius():
    X, y = circles(50, 2, noise=0.0, factor=0.3, rng=0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0], X[y == 1, 1]), 0.3)


@pytest.mark.parametrize("factor", [0, 1, -0.5, 1.5, float("nan"), "0.5", True])
def test_circles_rejects_factor_outside_the_open_unit_interval(factor):
    with pytest.raises(ValueError, match="factor must be a number strictly between 0 and 1"):
        circles(10, factor=factor, rng=0)


def test_gaussian_blobs_centres_sit_on_a_circle():
    X, y = gaussian_blobs(2000, 4, noise=0.1, rng=0)
    centres = np.array([X[y == label].mean(axis=0) for label in range(4)])
    np.testing.assert_allclose(np.hypot(centres[:, 0], centres[:, 1]), 0.6, atol=0.02)


def test_moons_without_noise_span_minus_one_to_one_in_x():
    X, _ = moons(500, noise=0.0, rng=0)
    assert -1.0 <= X[:, 0].min() < -0.99 and 0.99 < X[:, 0].max() <= 1.0


def test_sine_noise_perturbs_targets_but_not_inputs():
    X, y = sine(100, noise=0.1, rng=0)
    np.testing.assert_array_equal(X[:, 0], np.arange(100) / 100)
    assert 0 < np.abs(y - np.sin(2 * np.pi * X)).max() < 1


# --- randomness: explicit, reproducible, and never global ---


@pytest.mark.parametrize("name", DATASETS)
def test_same_seed_gives_the_same_data(name):
    first, second = make_dataset(name, 30, rng=7), make_dataset(name, 30, rng=7)
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.y, second.y)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_different_seeds_give_different_data(name):
    assert not np.array_equal(make_dataset(name, 30, rng=1).X, make_dataset(name, 30, rng=2).X)


def test_generator_randomstate_and_int_seed_are_all_accepted():
    seeded = spiral(20, 3, rng=5)
    np.testing.assert_array_equal(seeded[0], spiral(20, 3, rng=np.random.default_rng(5))[0])
    assert spiral(20, 3, rng=np.random.RandomState(5))[0].shape == (60, 2)


@pytest.mark.parametrize("name", DATASETS)
def test_global_numpy_random_state_is_neither_read_nor_changed(name):
    # The legacy global functions are used on purpose: they are what must not matter.
    np.random.seed(1)
    first = make_dataset(name, 30, noise=0.1, rng=3)
    np.random.seed(2)
    before = np.random.get_state()
    second = make_dataset(name, 30, noise=0.1, rng=3)
    make_dataset(name, 30, noise=0.1, rng=None)
    after = np.random.get_state()
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_as_generator_refuses_negative_seeds_and_other_types():
    with pytest.raises(ValueError, match="non-negative integer, got -1"):
        as_generator(-1)
    with pytest.raises(TypeError, match="rng must be"):
        as_generator("seed")


# --- argument checking: a ValueError that names the parameter and the value ---


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"samples": 0}, "samples must be an integer from 1 to 100000, got 0"),
        ({"samples": 2.5}, "samples must be an integer from 1 to 100000, got 2.5"),
        ({"samples": MAX_SAMPLES + 1}, "samples must be an integer from 1 to 100000"),
        ({"classes": 1}, "classes must be an integer from 2 to 26, got 1"),
        ({"classes": 27}, "classes must be an integer from 2 to 26, got 27"),
        ({"classes": True}, "classes must be an integer from 2 to 26, got True"),
        ({"noise": -0.1}, r"noise must be a finite number >= 0, got -0.1"),
        ({"noise": float("nan")}, "noise must be a finite number >= 0, got nan"),
        ({"noise": float("inf")}, "noise must be a finite number >= 0, got inf"),
        ({"noise": "0.1"}, "noise must be a finite number >= 0, got '0.1'"),
    ],
)
@pytest.mark.parametrize("generator", ANY_CLASS_COUNT)
def test_bad_argument_raises_value_error_naming_it(generator, kwargs, message):
    arguments = {"samples": 10, "classes": 3, "noise": 0.1, "rng": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        generator(**arguments)


# --- the registry ---


def test_registry_offers_every_dataset_with_its_task():
    assert set(DATASETS) == {
        "spiral",
        "vertical",
        "circles",
        "xor",
        "gaussian_blobs",
        "moons",
        "sine",
    }
    assert DATASETS["sine"].task == "regression" and DATASETS["sine"].default_classes is None
    assert not DATASETS["xor"].classes_adjustable and not DATASETS["moons"].classes_adjustable


def test_make_dataset_uses_the_dataset_default_noise():
    dataset = make_dataset("spiral", 100, 3, rng=np.random.RandomState(0))
    assert dataset.X.sum() == pytest.approx(-15.34763395559485, abs=1e-12)


def test_make_dataset_describes_a_classification_set():
    dataset = make_dataset("gaussian_blobs", 25, 4, rng=0)
    assert isinstance(dataset, Dataset)
    assert (dataset.name, dataset.task, dataset.n_classes) == (
        "gaussian_blobs",
        "classification",
        4,
    )
    assert dataset.X.shape == (100, 2)


def test_make_dataset_describes_a_regression_set_with_no_classes():
    dataset = make_dataset("sine", 50, classes=5, rng=0)
    assert (dataset.task, dataset.n_classes) == ("regression", None)
    assert dataset.X.shape == dataset.y.shape == (50, 1)


def test_make_dataset_ignores_classes_where_they_are_fixed():
    dataset = make_dataset("moons", 25, classes=6, rng=0)
    assert dataset.n_classes == 2 and dataset.y.max() == 1


def test_make_dataset_accepts_blobs_as_an_alias():
    assert make_dataset("blobs", 10, rng=0).name == "gaussian_blobs"


def test_make_dataset_unknown_name_lists_the_known_names():
    with pytest.raises(ValueError, match=r"unknown dataset 'swirl'; known datasets: blobs, circ"):
        make_dataset("swirl")


def test_dataset_arrays_are_read_only():
    dataset = make_dataset("spiral", 10, rng=0)
    with pytest.raises(ValueError, match="read-only"):
        dataset.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        dataset.y[0] = 1


# --- train / validation split ---


def _indexed_points(labels):
    """X whose first column is the row number, so rows can be traced through a split."""
    labels = np.asarray(labels)
    return np.column_stack([np.arange(len(labels)), np.zeros(len(labels))]), labels


def test_split_holds_out_the_requested_fraction():
    X, y = _indexed_points(np.repeat([0, 1, 2, 3], 25))
    X_train, y_train, X_val, y_val = train_validation_split(X, y, 0.2, rng=0)
    assert (X_train.shape, y_train.shape, X_val.shape, y_val.shape) == (
        (80, 2),
        (80,),
        (20, 2),
        (20,),
    )


def test_split_parts_are_disjoint_and_cover_every_row_once():
    X, y = _indexed_points(np.repeat([0, 1, 2], 33))
    X_train, y_train, X_val, y_val = train_validation_split(X, y, 0.3, rng=0)
    rows = np.concatenate([X_train[:, 0], X_val[:, 0]]).astype(int)
    np.testing.assert_array_equal(np.sort(rows), np.arange(99))
    np.testing.assert_array_equal(y[X_train[:, 0].astype(int)], y_train)
    np.testing.assert_array_equal(y[X_val[:, 0].astype(int)], y_val)


def test_split_is_stratified_so_each_class_keeps_its_share():
    X, y = _indexed_points(np.repeat([0, 1, 2], [80, 15, 5]))
    _, y_train, _, y_val = train_validation_split(X, y, 0.2, rng=0)
    np.testing.assert_array_equal(np.bincount(y_val), [16, 3, 1])
    np.testing.assert_array_equal(np.bincount(y_train), [64, 12, 4])


def test_split_leaves_every_class_at_least_one_training_sample():
    X, y = _indexed_points([0, 1, 1, 1])
    _, y_train, _, _ = train_validation_split(X, y, 0.9, rng=0)
    assert set(y_train) == {0, 1}


def test_split_with_zero_fraction_gives_empty_validation_arrays_of_the_right_shape():
    X, y = _indexed_points(np.repeat([0, 1], 10))
    X_train, _, X_val, y_val = train_validation_split(X, y, 0.0, rng=0)
    assert X_train.shape == (20, 2)
    assert X_val.shape == (0, 2) and y_val.shape == (0,) and y_val.dtype == y.dtype


def test_split_is_reproducible_with_a_seed_and_shuffles():
    X, y = _indexed_points(np.repeat([0, 1], 50))
    first = train_validation_split(X, y, 0.2, rng=4)
    second = train_validation_split(X, y, 0.2, rng=4)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0][:, 0], np.sort(first[0][:, 0]))


def test_split_of_regression_targets_keeps_their_column_shape():
    X, y = sine(50, rng=0)
    X_train, y_train, X_val, y_val = train_validation_split(X, y, 0.2, rng=0)
    assert (X_train.shape, y_train.shape, X_val.shape, y_val.shape) == (
        (40, 1),
        (40, 1),
        (10, 1),
        (10, 1),
    )


@pytest.mark.parametrize("fraction", [-0.1, 0.95, 1, float("nan"), "0.2", None])
def test_split_rejects_a_bad_fraction_naming_it(fraction):
    X, y = _indexed_points([0, 1, 0, 1])
    with pytest.raises(
        ValueError, match=r"validation_fraction must be a finite number from 0 to 0\.9"
    ):
        train_validation_split(X, y, fraction, rng=0)


def test_split_rejects_inputs_of_different_lengths():
    with pytest.raises(ValueError, match="same, non-zero length, got 3 and 2"):
        train_validation_split(np.zeros((3, 2)), np.array([0, 1]), 0.2, rng=0)


# --- CSV loading ---


def _write(tmp_path, text, name="data.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_load_csv_reads_a_file_with_header_comments_and_blank_lines():
    dataset = load_csv(DATA / "three_classes.csv")
    assert (dataset.name, dataset.task, dataset.n_classes) == ("three_classes", "classification", 3)
    assert dataset.X.shape == (6, 2)
    np.testing.assert_array_equal(dataset.y, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(dataset.X[2], [0.5, 0.5])


def test_load_csv_reads_a_file_without_header(tmp_path):
    dataset = load_csv(_write(tmp_path, "0.1,0.2,0\n-0.3,0.4,1\n"))
    np.testing.assert_array_equal(dataset.X, [[0.1, 0.2], [-0.3, 0.4]])
    np.testing.assert_array_equal(dataset.y, [0, 1])


def test_load_csv_accepts_a_byte_order_mark_windows_newlines_and_spaces(tmp_path):
    dataset = load_csv(_write(tmp_path, "\ufeffX1, X2, Label\r\n 1, 2 ,0\r\n3,4,1.0\r\n"))
    np.testing.assert_array_equal(dataset.X, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(dataset.y, [0, 1])


def test_load_csv_counts_classes_from_the_largest_label(tmp_path):
    assert load_csv(_write(tmp_path, "0,0,0\n1,1,3\n")).n_classes == 4


def test_load_csv_with_a_fractional_label_is_a_regression_set(tmp_path):
    dataset = load_csv(_write(tmp_path, "x1,x2,y\n0,0,1\n1,0,-2.5\n"))
    assert (dataset.task, dataset.n_classes) == ("regression", None)
    np.testing.assert_array_equal(dataset.y, [[1.0], [-2.5]])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "x1,x2,label\n# c\n\n0,0,0\n1,1,1\n\n1,2\n",
            7,
            "data.csv, line 7: expected 3 comma-separated values (x1,x2,label), got 2",
        ),
        ("0,0,0\n\n1,abc,1\n", 3, "data.csv, line 3: 'abc' is not a number"),
        ("0,0,0\n1,1,1\n" + "# c\n" * 6 + "2,2,-1\n", 9, "line 9: label -1 must be a non-neg"),
        ("0,0,0\n1,nan,1\n", 2, "data.csv, line 2: 'nan' is not a finite number"),
        ("0,0,0\n1,1,inf\n", 2, "data.csv, line 2: 'inf' is not a finite number"),
        ("0,0,0\n1,1,26\n", 2, "line 2: label 26 is too large (labels must be 0 to 25)"),
        ("0,0,0\n1,1,1,1\n", 2, "data.csv, line 2: expected 3 comma-separated values"),
    ],
)
def test_load_csv_bad_row_names_its_line(tmp_path, text, line, message):
    with pytest.raises(DatasetError, match=re.escape(message)) as error:
        load_csv(_write(tmp_path, text))
    assert error.value.line == line


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "x1,x2,label\n"])
def test_load_csv_without_data_rows_says_so(tmp_path, text):
    with pytest.raises(DatasetError, match=r"data\.csv: no data rows"):
        load_csv(_write(tmp_path, text))


def test_load_csv_with_a_single_class_says_two_are_needed(tmp_path):
    with pytest.raises(DatasetError, match="at least 2 classes, found only label 1"):
        load_csv(_write(tmp_path, "0,0,1\n1,1,1\n"))


def test_load_csv_missing_file_names_the_path(tmp_path):
    with pytest.raises(DatasetError, match=r"missing\.csv: file not found"):
        load_csv(tmp_path / "missing.csv")


def test_load_csv_directory_names_the_path(tmp_path):
    with pytest.raises(DatasetError, match="is a directory"):
        load_csv(tmp_path)


def test_load_csv_non_utf8_file_names_the_path(tmp_path):
    path = _write(tmp_path, "x1,x2,étiquette\n0,0,0\n", encoding="latin-1")
    with pytest.raises(DatasetError, match=r"data\.csv: not UTF-8 text"):
        load_csv(path)


def test_dataset_error_is_a_value_error():
    assert issubclass(DatasetError, ValueError)


# --- properties ---

seeds = st.integers(0, 2**32 - 1)
noises = st.floats(0, 2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(CLASSIFICATION),
    samples=st.integers(1, 60),
    classes=st.integers(2, 8),
    noise=noises,
    seed=seeds,
)
def test_property_valid_arguments_give_right_shapes_dtypes_and_labels(
    name, samples, classes, noise, seed
):
    dataset = make_dataset(name, samples, classes, noise, rng=seed)
    k = dataset.n_classes
    assert k == (classes if DATASETS[name].classes_adjustable else 2)
    assert dataset.X.shape == (samples * k, 2) and dataset.X.dtype == np.float64
    assert dataset.y.shape == (samples * k,) and dataset.y.dtype == np.int64
    assert np.all(np.isfinite(dataset.X))
    np.testing.assert_array_equal(np.bincount(dataset.y, minlength=k), [samples] * k)


not_a_count = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=MAX_SAMPLES + 1),
    st.floats(),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
)
not_a_noise = st.one_of(
    st.floats(max_value=-1e-300),
    st.sampled_from([float("nan"), float("inf"), "0.1", None, True]),
)


@settings(max_examples=100, deadline=None)
@given(
    generator=st.sampled_from([*ANY_CLASS_COUNT, *TWO_CLASS_ONLY]),
    bad=st.one_of(
        st.fixed_dictionaries({"samples": not_a_count}),
        st.fixed_dictionaries({"classes": not_a_count}),
        st.fixed_dictionaries({"noise": not_a_noise}),
    ),
)
def test_property_invalid_arguments_raise_value_error_and_nothing_else(generator, bad):
    with pytest.raises(ValueError):
        generator(**{"samples": 5, "classes": 2, "noise": 0.1, "rng": 0, **bad})


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(st.integers(0, 4), min_size=2, max_size=60).filter(lambda ls: len(set(ls)) > 1),
    fraction=st.floats(0, 0.9),
    seed=seeds,
)
def test_property_split_partitions_the_rows_and_keeps_every_class_in_training(
    labels, fraction, seed
):
    X, y = _indexed_points(labels)
    X_train, y_train, X_val, _ = train_validation_split(X, y, fraction, rng=seed)
    rows = np.concatenate([X_train[:, 0], X_val[:, 0]])
    np.testing.assert_array_equal(np.sort(rows), np.arange(len(labels)))
    assert set(y_train) == set(labels)


finite = st.floats(allow_nan=False, allow_infinity=False)


def _csv_text(rows, header):
    lines = [f"{x1!r},{x2!r},{label!r}" for x1, x2, label in rows]
    return "x1,x2,label\n" * header + "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(finite, finite, st.integers(0, 25)), min_size=2, max_size=30).filter(
        lambda rows: len({label for _, _, label in rows}) > 1
    ),
    header=st.booleans(),
)
def test_property_csv_round_trip_returns_the_labelled_points_written(
    tmp_path_factory, rows, header
):
    dataset = load_csv(_write(tmp_path_factory.mktemp("csv"), _csv_text(rows, header)))
    np.testing.assert_array_equal(dataset.X, [(x1, x2) for x1, x2, _ in rows])
    np.testing.assert_array_equal(dataset.y, [label for _, _, label in rows])
    assert dataset.n_classes == max(label for _, _, label in rows) + 1


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(finite, finite, finite), min_size=1, max_size=30).filter(
        lambda rows: any(not label.is_integer() for _, _, label in rows)
    ),
)
def test_property_csv_round_trip_returns_the_regression_targets_written(tmp_path_factory, rows):
    dataset = load_csv(_write(tmp_path_factory.mktemp("csv"), _csv_text(rows, header=False)))
    assert dataset.task == "regression"
    np.testing.assert_array_equal(dataset.X, [(x1, x2) for x1, x2, _ in rows])
    np.testing.assert_array_equal(dataset.y, [[label] for _, _, label in rows])
