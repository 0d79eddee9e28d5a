"""Per-epoch metrics kept for export, in bounded memory however long a run lasts."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from array import array
from collections.abc import Iterable
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


#: Numbers recorded per epoch by ``CurveRows``: every column but "loss" (computed).
_RECORDED = len(COLUMNS) - 1


class CurveRows:
    """Each epoch's numbers, recorded as plain doubles, until ``take`` hands them over as
    a table.

    The training worker adds every epoch and sends the window one table per snapshot.
    It used to keep the ``EpochStats`` objects themselves: hundreds per frame, alive until
    the GUI thread freed them, so every epoch's objects landed in memory another core had
    just touched. With the window drawing nothing, that alone cost the training thread
    about 6% of its speed (window / headless 0.88, against 0.94 without the rows).
    """

    def __init__(self) -> None:
        self._values = array("d")

    def __len__(self) -> int:
        return len(self._values) // _RECORDED

    def add(self, stats: EpochStats) -> None:
        """Record one epoch (None, no validation set, is kept as NaN)."""
        val_loss, val_accuracy = stats.val_loss, stats.val_accuracy
        self._values.extend(
            (
                stats.epoch,
                stats.data_loss,
                stats.regularization_loss,
                stats.accuracy,
                stats.learning_rate,
                _NAN if val_loss is None else val_loss,
                _NAN if val_accuracy is None else val_accuracy,
            )
        )

    def thin(self) -> None:
        """Drop every other recorded row (the first, third...), as the worker does when
        the window falls far behind."""
        kept = self._table_values()[1::2]
        self._values = array("d", kept.tobytes())

    def take(self) -> np.ndarray:
        """The rows recorded since the last ``take``, shape (n, len(COLUMNS)), read-only;
        the recorder starts empty again."""
        recorded = self._table_values()
        self._values = array("d")
        table = np.empty((len(recorded), len(COLUMNS)))
        table[:, 0] = recorded[:, 0]
        table[:, 2:] = recorded[:, 1:]
        np.add(table[:, 2], table[:, 3], out=table[:, 1])  # loss = data + regularization
        table.flags.writeable = False
        return table

    def _table_values(self) -> np.ndarray:
        return np.frombuffer(self._values, dtype=float).reshape(-1, _RECORDED).copy()


_NAN = float("nan")


class LayerRows:
    """The inspector's numbers of each epoch inspected for them, recorded as plain doubles
    until ``take`` hands them over as a table.

    The worker has one epoch before every snapshot (~30 a second) inspected for its
    scalars alone (``inspect="scalars"``, ~35 µs for ch10) and sends the rows with the
    next inspector snapshot (~5 a second): the inspector's plots over the epochs get six
    times the points for ~1 ms of the training thread's time a second. A row is the epoch
    and, for each Dense layer, ``PER_LAYER`` numbers: its dweights norm, dbiases norm,
    update ratio and dead fraction (NaN: no ReLU after it).
    """

    PER_LAYER = 4

    def __init__(self) -> None:
        self._values = array("d")
        self._width = 0

    def __len__(self) -> int:
        return len(self._values) // self._width if self._width else 0

    def add(self, stats: EpochStats) -> None:
        """Record ``stats`` (its ``layers`` must be filled in)."""
        row = [float(stats.epoch)]
        for layer in stats.layers:
            dead = layer.dead_fraction
            row += (
                layer.dweights_norm,
                layer.dbiases_norm,
                layer.update_ratio,
                _NAN if dead is None else dead,
            )
        if len(row) != self._width:  # another network: its rows would not fit the table
            self._values = array("d")
            self._width = len(row)
        self._values.extend(row)

    def take(self) -> np.ndarray:
        """The rows recorded since the last ``take``, shape (n, 1 + PER_LAYER * layers),
        read-only; the recorder starts empty again."""
        width = self._width or 1
        table = np.frombuffer(self._values, dtype=float).reshape(-1, width).copy()
        self._values = array("d")
        table.flags.writeable = False
        return table


def metrics_table(rows: Iterable[EpochStats]) -> np.ndarray:
    """The numbers of ``EpochStats`` rows, shape (len(rows), len(COLUMNS)); NaN for None."""
    recorder = CurveRows()
    for stats in rows:
        recorder.add(stats)
    return recorder.take()


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

    def extend(self, table: np.ndarray) -> None:
        """Append many rows at once (``metrics_table`` output), exactly as ``append``
        for each of them would, without a Python call per row.

        table : shape (n, len(COLUMNS)).
        """
        table = np.asarray(table, dtype=float).reshape(-1, len(COLUMNS))
        n, i = len(table), 0
        while i < n:
            first = i + self.stride - self._since - 1  # the next row that is kept
            if first >= n:
                self._since += n - i
                return
            if self._n == self.capacity:
                kept = self._rows[: self._n : 2].copy()
                self._n = len(kept)
                self._rows[: self._n] = kept
                self.stride *= 2
            # ``first`` and every ``stride``-th row after it, as far as there is room.
            index = np.arange(first, n, self.stride)[: self.capacity - self._n]
            self._rows[self._n : self._n + len(index)] = table[index]
            self._n += len(index)
            self._since = 0
            i = int(index[-1]) + 1

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
