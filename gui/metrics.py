"""Per-epoch metrics kept for export, in bounded memory however long a run lasts."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import numpy as np

from model.trainer import EpochStats

COLUMNS = (
    "epoch",
    "loss",
    "data_loss",
    "regularization_loss",
    "accuracy",
    "learning_rate",
    "val_loss",
    "val_accuracy",
)


def _value(x: float | None) -> float:
    return np.nan if x is None else float(x)


class MetricsLog:
    """Every epoch's numbers until ``capacity`` rows; then every other row is dropped and
    only every ``stride``-th epoch is kept from there on (``stride`` doubles each time)."""

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 2:
            raise ValueError(f"capacity must be >= 2, got {capacity}")
        self.capacity = int(capacity)
        self._rows = np.empty((self.capacity, len(COLUMNS)))
        self.clear()

    def clear(self) -> None:
        self._n = 0
        self.stride = 1
        self._since = 0

    def __len__(self) -> int:
        return self._n

    def append(self, stats: EpochStats) -> None:
        self._since += 1
        if self._since < self.stride:
            return
        self._since = 0
        if self._n == self.capacity:
            kept = self._rows[: self._n : 2].copy()
            self._n = len(kept)
            self._rows[: self._n] = kept
            self.stride *= 2
        self._rows[self._n] = (
            stats.epoch,
            stats.data_loss + stats.regularization_loss,
            stats.data_loss,
            stats.regularization_loss,
            stats.accuracy,
            stats.learning_rate,
            _value(stats.val_loss),
            _value(stats.val_accuracy),
        )
        self._n += 1

    def rows(self) -> np.ndarray:
        """Shape (n, len(COLUMNS)): a copy; NaN where there is no validation set."""
        return self._rows[: self._n].copy()

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self.rows():
            epoch, *values = row
            writer.writerow([int(epoch), *("" if np.isnan(v) else repr(float(v)) for v in values)])
        return out.getvalue()

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the metrics as CSV, atomically; OSError names the path on failure."""
        target = Path(path)
        text = self.to_csv()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".csv", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
