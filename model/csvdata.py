"""Read and write CSVs of 2-D points (``x1,x2,label``); read errors name the line.

The public entry point is ``model.datasets.load_csv``, which wraps ``read_points`` in a
``Dataset``. Parsing is plain text and the ``csv`` module: nothing is ever unpickled.
``write_points`` writes what ``read_points`` reads back exactly.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from pathlib import Path

import numpy as np


class DatasetError(ValueError):
    """A dataset file that cannot be used; ``line`` is the 1-based line at fault, if any."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _number(text: str) -> float | None:
    """``text`` as a float, or None if it is not a number at all."""
    try:
        return float(text)
    except ValueError:
        return None


def _read_text(path: Path) -> str:
    """The file's text with newlines normalised, or a DatasetError naming the path."""
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs like to write.
        with open(path, encoding="utf-8-sig") as file:
            return file.read()
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError as error:
        raise DatasetError(
            f"{path}: not UTF-8 text (bad byte at offset {error.start}); save the file as UTF-8 CSV"
        ) from None
    except OSError as error:
        raise DatasetError(f"{path}: cannot be read ({error.strerror or error})") from None


def read_points(
    path: str | os.PathLike[str], max_classes: int
) -> tuple[np.ndarray, np.ndarray, str, int | None]:
    """Parse a CSV whose rows are ``x1,x2,label``.

    Blank lines and lines starting with ``#`` are skipped. A first row in which no field is
    a number is a header and is skipped too. If every label is a whole number the file is a
    classification set (labels 0 .. max_classes - 1, at least two distinct); otherwise it is
    a regression set.

    Returns
    -------
    X : ndarray, shape (n_samples, 2), float64
    y : ndarray, shape (n_samples,), int64 labels; or shape (n_samples, 1), float64 targets
    task : "classification" or "regression"
    n_classes : max label + 1 for classification, None for regression

    Raises
    ------
    DatasetError
        With the file name and the 1-based line number of the first bad row.
    """
    path = Path(path)
    name = path.name
    rows: list[list[float]] = []
    lines: list[int] = []  # the file line each row came from, for label errors
    header_allowed = True
    for number, line in enumerate(_read_text(path).split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = [field.strip() for field in next(csv.reader([stripped]))]
        values = [_number(field) for field in fields]
        if header_allowed and all(value is None for value in values):
            header_allowed = False
            continue
        header_allowed = False
        if len(fields) != 3:
            raise DatasetError(
                f"{name}, line {number}: expected 3 comma-separated values (x1,x2,label), "
                f"got {len(fields)}",
                number,
            )
        row = []
        for field, value in zip(fields, values, strict=True):
            if value is None:
                raise DatasetError(f"{name}, line {number}: {field!r} is not a number", number)
            if not math.isfinite(value):
                raise DatasetError(
                    f"{name}, line {number}: {field!r} is not a finite number", number
                )
            row.append(value)
        rows.append(row)
        lines.append(number)

    if not rows:
        raise DatasetError(f"{name}: no data rows (expected lines of x1,x2,label)")

    data = np.array(rows, dtype=np.float64)
    X, labels = data[:, :2], data[:, 2]
    if not np.all(labels == np.round(labels)):
        return X, labels.reshape(-1, 1), "regression", None

    for label, number in zip(labels, lines, strict=True):
        if label < 0:
            raise DatasetError(
                f"{name}, line {number}: label {int(label)} must be a non-negative integer",
                number,
            )
        if label >= max_classes:
            raise DatasetError(
                f"{name}, line {number}: label {int(label)} is too large "
                f"(labels must be 0 to {max_classes - 1})",
                number,
            )
    y = labels.astype(np.int64)
    distinct = np.unique(y)
    if len(distinct) < 2:
        raise DatasetError(
            f"{name}: classification needs at least 2 classes, found only label {distinct[0]}"
        )
    return X, y, "classification", int(y.max()) + 1


def write_points(path: str | os.PathLike[str], X: np.ndarray, y: np.ndarray) -> None:
    """Write ``x1,x2,label`` rows (header first) that ``read_points`` reads back exactly.

    X : shape (n_samples, 2); y : shape (n_samples,) or (n_samples, 1), class labels
    (whole numbers) or regression targets. Floats are written with 17 significant digits,
    so every value survives the round trip bit for bit. The file is written to a temporary
    name and renamed, so a failed write never leaves half a file.

    Raises ValueError when the shapes are not 2-D points with one label each, and OSError
    when the folder cannot be written.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2) (x1, x2), got {X.shape}")
    if y.reshape(len(y), -1).shape != (len(X), 1):
        raise ValueError(f"need one label per point: {len(X)} points, labels of shape {y.shape}")
    labels = y.reshape(-1)
    whole = np.issubdtype(labels.dtype, np.integer)
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write("x1,x2,label\n")
            for (x1, x2), label in zip(X.tolist(), labels.tolist(), strict=True):
                text = str(int(label)) if whole else format(float(label), ".17g")
                file.write(f"{x1:.17g},{x2:.17g},{text}\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
