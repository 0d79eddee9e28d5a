"""Writing points as CSV: what ``load_csv`` reads back is exactly what was written."""

from __future__ import annotations

import os

import numpy as np
import pytest

from model.csvdata import write_points
from model.datasets import load_csv, spiral


def test_classification_points_survive_the_round_trip_bit_for_bit(tmp_path):
    X, y = spiral(50, 3, rng=np.random.default_rng(0))
    path = tmp_path / "points.csv"
    write_points(path, X, y)
    loaded = load_csv(path)
    assert np.array_equal(loaded.X, X)
    assert np.array_equal(loaded.y, y)
    assert loaded.task == "classification" and loaded.n_classes == 3


def test_regression_targets_survive_the_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    X, y = rng.uniform(-1, 1, (20, 2)), rng.standard_normal((20, 1))
    path = tmp_path / "targets.csv"
    write_points(path, X, y)
    loaded = load_csv(path)
    assert loaded.task == "regression"
    assert np.array_equal(loaded.y, y)


def test_the_file_starts_with_a_header(tmp_path):
    path = tmp_path / "points.csv"
    write_points(path, np.array([[0.5, -0.25]]), np.array([1]))
    assert path.read_text().splitlines() == ["x1,x2,label", "0.5,-0.25,1"]


def test_one_column_points_are_refused_naming_the_shape(tmp_path):
    with pytest.raises(ValueError, match=r"shape \(n, 2\).*got \(5, 1\)"):
        write_points(tmp_path / "sine.csv", np.zeros((5, 1)), np.zeros((5, 1)))


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,label\n0,0,0\n0,1,1\n")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_points(path, np.ones((3, 2)), np.array([0, 1, 1]))
    assert path.read_text() == "x1,x2,label\n0,0,0\n0,1,1\n"
    assert os.listdir(tmp_path) == ["points.csv"]
