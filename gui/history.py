"""A bounded time series for plotting: flat memory however many epochs a run lasts."""

from __future__ import annotations

import math

import numpy as np

MIN_CAPACITY = 16
#: ``extend`` fills fewer whole buckets than this one by one: the vectorised way costs
#: more numpy calls than it saves for one or two buckets.
FEW_BUCKETS = 3


class History:
    """At most ``capacity`` (epoch, value) points of a series of any length, for display.

    Consecutive appends are grouped into buckets of ``stride`` points; each bucket keeps
    its lowest and its highest point (so spikes survive, as in pyqtgraph's "peak"
    downsampling). When the buckets are full, neighbours merge pairwise and ``stride``
    doubles. The first point and the latest point are always kept, every kept point is a
    real (epoch, value) pair that was appended, and epochs come out strictly increasing.
    NaN and None values (e.g. no validation set) are skipped.
    """

    def __init__(self, capacity: int = 4096) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)):
            raise ValueError(f"capacity must be an integer >= {MIN_CAPACITY}, got {capacity!r}")
        if capacity < MIN_CAPACITY:
            raise ValueError(f"capacity must be an integer >= {MIN_CAPACITY}, got {capacity}")
        self.capacity = int(capacity)
        # Two points per closed bucket, plus the open bucket's two, the first and the latest.
        self._n_buckets = (self.capacity - 4) // 4 * 2
        shape = (self._n_buckets,)
        self._lo_epoch, self._lo_value = np.empty(shape), np.empty(shape)
        self._hi_epoch, self._hi_value = np.empty(shape), np.empty(shape)
        # What ``points`` returns, kept up to date as buckets close (rebuilt when they
        # merge): row 0 the first point, then the closed buckets' points in epoch order,
        # then the open bucket's and the latest point (written by ``points``).
        self._points = np.empty((2 * self._n_buckets + 4, 2))
        self.clear()

    def clear(self) -> None:
        """Forget every point; the next append starts a new series."""
        self.stride = 1
        self._used = 0
        self._open_count = 0
        self._open_lo: tuple[float, float] | None = None
        self._open_hi: tuple[float, float] | None = None
        self._first: tuple[float, float] | None = None
        self._last: tuple[float, float] | None = None
        self._shown = 0  # rows of ``_points`` after row 0 that hold closed buckets' points
        self._low, self._high = math.inf, -math.inf  # their finite values' range
        self._all_finite = True  # whether their epochs and values are all finite

    def append(self, epoch: float, value: float | None) -> None:
        """Add the value at ``epoch`` (epochs must increase); NaN or None is skipped."""
        if value is None:
            return
        value = float(value)
        if math.isnan(value):
            return
        epoch = float(epoch)
        if self._last is not None and epoch <= self._last[0]:
            raise ValueError(
                f"epochs must increase: got {epoch:g} after {self._last[0]:g} (clear() first)"
            )
        point = (epoch, value)
        self._last = point
        if self._first is None:
            self._first = point
            return
        if self._open_lo is None or value < self._open_lo[1]:
            self._open_lo = point
        if self._open_hi is None or value > self._open_hi[1]:
            self._open_hi = point
        self._open_count += 1
        if self._open_count == self.stride:
            self._close_bucket()

    def extend(self, epochs, values) -> None:
        """Append many points at once, exactly as ``append`` one by one would, with numpy.

        epochs, values : shape (n,); NaN values are skipped; epochs must increase.
        The window hands over every epoch trained since its last frame (hundreds when the
        engine is fast): one call instead of one Python call per epoch and series.
        """
        epochs = np.asarray(epochs, dtype=float).reshape(-1)
        values = np.asarray(values, dtype=float).reshape(-1)
        if len(epochs) != len(values):
            raise ValueError(f"need as many epochs as values, got {len(epochs)} and {len(values)}")
        missing = np.isnan(values)
        if missing.any():
            if missing.all():  # e.g. no validation set
                return
            epochs, values = epochs[~missing], values[~missing]
        if not len(epochs):
            return
        previous = self._last[0] if self._last is not None else -math.inf
        if epochs[0] <= previous or (epochs[1:] <= epochs[:-1]).any():
            bad = np.concatenate([[previous], epochs])
            i = int(np.argmax(np.diff(bad) <= 0))
            raise ValueError(
                f"epochs must increase: got {bad[i + 1]:g} after {bad[i]:g} (clear() first)"
            )
        self._last = (float(epochs[-1]), float(values[-1]))
        start = 0
        if self._first is None:
            self._first = (float(epochs[0]), float(values[0]))
            start = 1
        n = len(epochs)
        while start < n:
            if (
                self._open_count
                or self._used == self._n_buckets
                or n - start < FEW_BUCKETS * self.stride
            ):
                # Fill the open bucket point by point's equivalent: its lowest and highest.
                stop = min(n, start + self.stride - self._open_count)
                self._take_into_open(epochs[start:stop], values[start:stop])
                start = stop
                if self._open_count == self.stride:
                    self._close_bucket()
                continue
            # Whole buckets at once, as many as the remaining points fill and the table holds.
            k = min((n - start) // self.stride, self._n_buckets - self._used)
            if k == 0:
                self._take_into_open(epochs[start:], values[start:])
                break
            stop = start + k * self.stride
            block_e = epochs[start:stop].reshape(k, self.stride)
            block_v = values[start:stop].reshape(k, self.stride)
            rows = np.arange(k)
            lo, hi = block_v.argmin(axis=1), block_v.argmax(axis=1)
            i = self._used
            self._lo_epoch[i : i + k], self._lo_value[i : i + k] = (
                block_e[rows, lo],
                block_v[rows, lo],
            )
            self._hi_epoch[i : i + k], self._hi_value[i : i + k] = (
                block_e[rows, hi],
                block_v[rows, hi],
            )
            self._show_buckets(i, i + k)
            self._used += k
            start = stop

    def _take_into_open(self, epochs: np.ndarray, values: np.ndarray) -> None:
        """Add points to the open bucket (fewer than it still has room for)."""
        lo, hi = int(values.argmin()), int(values.argmax())
        if self._open_lo is None or values[lo] < self._open_lo[1]:
            self._open_lo = (float(epochs[lo]), float(values[lo]))
        if self._open_hi is None or values[hi] > self._open_hi[1]:
            self._open_hi = (float(epochs[hi]), float(values[hi]))
        self._open_count += len(values)

    def _close_bucket(self) -> None:
        if self._used == self._n_buckets:
            self._merge_pairs()
            if self._open_count < self.stride:  # the open bucket now has room to grow
                return
        i = self._used
        self._lo_epoch[i], self._lo_value[i] = self._open_lo
        self._hi_epoch[i], self._hi_value[i] = self._open_hi
        self._used += 1
        # Its one or two points, in epoch order, without numpy.
        pair = sorted({self._open_lo, self._open_hi})
        if pair[0][0] == pair[-1][0]:
            pair = [min(pair)]  # same epoch: the lowest's entry, as ``_show_buckets`` keeps
        for epoch, value in pair:
            self._shown += 1
            self._points[self._shown] = epoch, value
            self._note(epoch, value)
        self._open_count = 0
        self._open_lo = self._open_hi = None

    def _merge_pairs(self) -> None:
        """Halve the number of buckets: each pair becomes one bucket twice as wide."""
        half = self._n_buckets // 2
        for epochs, values, pick_second in (
            (self._lo_epoch, self._lo_value, np.less),
            (self._hi_epoch, self._hi_value, np.greater),
        ):
            first_e, second_e = epochs[0::2].copy(), epochs[1::2].copy()
            first_v, second_v = values[0::2].copy(), values[1::2].copy()
            second = pick_second(second_v, first_v)
            epochs[:half] = np.where(second, second_e, first_e)
            values[:half] = np.where(second, second_v, first_v)
        self._used = half
        self.stride *= 2
        self._shown, self._low, self._high, self._all_finite = 0, math.inf, -math.inf, True
        self._show_buckets(0, half)

    def _note(self, epoch: float, value: float) -> None:
        """Count one closed bucket's point in the range and the finiteness of ``_points``."""
        if math.isfinite(value):
            self._low, self._high = min(self._low, value), max(self._high, value)
        else:
            self._all_finite = False
        if not math.isfinite(epoch):
            self._all_finite = False

    def _show_buckets(self, start: int, stop: int) -> None:
        """Append buckets ``start:stop``'s points, in epoch order, to ``_points``."""
        epochs, values = self._bucket_points(start, stop)
        j = self._shown + 1
        self._points[j : j + len(epochs), 0] = epochs
        self._points[j : j + len(epochs), 1] = values
        self._shown += len(epochs)
        finite = np.isfinite(values)
        if finite.any():
            self._low = min(self._low, float(values[finite].min()))
            self._high = max(self._high, float(values[finite].max()))
        if not finite.all() or not np.isfinite(epochs).all():
            self._all_finite = False

    def _bucket_points(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Buckets ``start:stop``'s points: two per bucket in epoch order (one if both are
        the same point), shape (m,) each."""
        lo_e, hi_e = self._lo_epoch[start:stop], self._hi_epoch[start:stop]
        lo_v, hi_v = self._lo_value[start:stop], self._hi_value[start:stop]
        lo_first = lo_e <= hi_e
        epochs = np.empty((stop - start, 2))
        values = np.empty((stop - start, 2))
        epochs[:, 0] = np.where(lo_first, lo_e, hi_e)
        epochs[:, 1] = np.where(lo_first, hi_e, lo_e)
        values[:, 0] = np.where(lo_first, lo_v, hi_v)
        values[:, 1] = np.where(lo_first, hi_v, lo_v)
        keep = np.ones((stop - start, 2), dtype=bool)
        keep[:, 1] = epochs[:, 1] != epochs[:, 0]
        return epochs[keep], values[keep]

    def points(self) -> np.ndarray:
        """The kept points, shape (n, 2): rows of (epoch, value), epochs increasing.

        A view of a buffer this history keeps up to date as points come (no work over
        all the points, and no copy): valid until the next append, extend or clear.
        """
        if self._first is None:
            return self._points[:0]
        self._points[0] = self._first
        end = self._shown + 1
        tail = sorted({self._open_lo, self._open_hi}) if self._open_lo is not None else []
        newest = tail[-1][0] if tail else self._points[end - 1, 0]
        if self._last[0] > newest:
            # The latest point is not already the top of the open or the last closed bucket.
            tail.append(self._last)
        for point in tail:
            self._points[end] = point
            end += 1
        return self._points[:end]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(epochs, values)``: new float64 arrays of the same length, epochs increasing."""
        points = self.points()
        return points[:, 0].copy(), points[:, 1].copy()

    def value_range(self) -> tuple[float, float] | None:
        """The lowest and highest finite value among the kept points (None if none is
        finite), without a pass over them."""
        low, high = self._low, self._high
        for _, value in self._unclosed_points():
            if math.isfinite(value):
                low, high = min(low, value), max(high, value)
        return (low, high) if low <= high else None

    def all_finite(self) -> bool:
        """Whether every kept point's epoch and value is finite."""
        return self._all_finite and all(
            math.isfinite(e) and math.isfinite(v) for e, v in self._unclosed_points()
        )

    def _unclosed_points(self) -> list[tuple[float, float]]:
        """The points kept outside the closed buckets: the first, the latest and the open
        bucket's lowest and highest (none before the first append)."""
        if self._first is None:
            return []
        points = [self._first, self._last]
        if self._open_lo is not None:
            points += [self._open_lo, self._open_hi]
        return points

    @property
    def first(self) -> tuple[float, float] | None:
        """The first (epoch, value) appended since the last clear, or None."""
        return self._first

    @property
    def last(self) -> tuple[float, float] | None:
        """The latest (epoch, value) appended, or None."""
        return self._last

    def __len__(self) -> int:
        return len(self.points())

    def __repr__(self) -> str:
        return f"History({len(self)} points, capacity {self.capacity}, stride {self.stride})"


def smooth(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's scalar smoothing: an exponential moving average with weight
    ``weight`` (0 <= weight < 1; 0 leaves the values as they are), debiased so the first
    points are not pulled towards 0. Non-finite values stay where they are and are left
    out of the average, as TensorBoard does.

    values : shape (n,) -> smoothed : shape (n,), a new array.
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    if weight == 0.0 or values.size == 0:
        return out
    last, count = 0.0, 0
    for i, value in enumerate(values.tolist()):
        if not math.isfinite(value):
            continue
        last = last * weight + (1.0 - weight) * value
        count += 1
        out[i] = last / (1.0 - weight**count)
    return out
