"""Specification of gui.history.History: a bounded, downsampled series for the curves."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gui.history import History

N_LONG = 1_000_000


@pytest.fixture(scope="module")
def long_run() -> tuple[History, np.ndarray]:
    """A History fed one million noisy, decreasing values (a loss curve), epochs 1..N."""
    rng = np.random.default_rng(0)
    epochs = np.arange(1, N_LONG + 1)
    values = 1.0 / np.sqrt(epochs) + 0.01 * rng.standard_normal(N_LONG)
    history = History(capacity=4096)
    for epoch, value in zip(epochs.tolist(), values.tolist(), strict=True):
        history.append(epoch, value)
    return history, values


def test_a_million_appends_keep_at_most_capacity_points(long_run):
    history, _ = long_run
    epochs, values = history.arrays()
    assert len(history) == len(epochs) == len(values) <= history.capacity
    assert len(epochs) > history.capacity // 2  # downsampled, not emptied


def test_the_first_and_the_latest_epoch_are_kept(long_run):
    history, _ = long_run
    epochs, _ = history.arrays()
    assert epochs[0] == 1
    assert epochs[-1] == N_LONG


def test_kept_epochs_strictly_increase(long_run):
    epochs, _ = long_run[0].arrays()
    assert np.all(np.diff(epochs) > 0)


def test_kept_values_are_the_values_appended_at_those_epochs(long_run):
    history, values = long_run
    epochs, kept = history.arrays()
    np.testing.assert_array_equal(kept, values[epochs.astype(np.int64) - 1])


def test_the_lowest_and_highest_values_survive_downsampling(long_run):
    history, values = long_run
    _, kept = history.arrays()
    assert kept.min() == values.min()
    assert kept.max() == values.max()


def test_a_single_spike_survives_downsampling():
    history = History(capacity=64)
    for epoch in range(10_000):
        history.append(epoch, 100.0 if epoch == 4321 else 1.0)
    epochs, values = history.arrays()
    assert 4321 in epochs
    assert values[epochs == 4321][0] == 100.0


def test_a_short_series_is_kept_whole():
    history = History(capacity=64)
    for epoch in range(1, 41):
        history.append(epoch, epoch * 0.5)
    epochs, values = history.arrays()
    np.testing.assert_array_equal(epochs, np.arange(1, 41))
    np.testing.assert_array_equal(values, np.arange(1, 41) * 0.5)


def test_every_length_stays_within_capacity_and_ends_with_the_latest_epoch():
    history = History(capacity=16)
    for epoch in range(1, 3000):
        history.append(epoch, math.sin(epoch))
        epochs, _ = history.arrays()
        assert len(epochs) <= 16
        assert epochs[-1] == epoch
        assert np.all(np.diff(epochs) > 0)


def test_none_and_nan_values_are_skipped():
    history = History()
    history.append(1, None)
    history.append(2, float("nan"))
    history.append(3, 0.5)
    epochs, values = history.arrays()
    np.testing.assert_array_equal(epochs, [3.0])
    np.testing.assert_array_equal(values, [0.5])


def test_an_empty_history_gives_empty_arrays():
    epochs, values = History().arrays()
    assert epochs.shape == values.shape == (0,)
    assert len(History()) == 0
    assert History().last is None


def test_clear_forgets_every_point_and_allows_earlier_epochs_again():
    history = History(capacity=16)
    for epoch in range(100):
        history.append(epoch, epoch)
    history.clear()
    assert len(history) == 0
    history.append(0, 7.0)
    assert history.arrays()[1].tolist() == [7.0]


def test_last_is_the_latest_point_appended():
    history = History()
    history.append(1, 2.0)
    history.append(5, 3.0)
    assert history.last == (5.0, 3.0)


def test_arrays_are_copies_that_do_not_change_the_history():
    history = History()
    for epoch in range(10):
        history.append(epoch, 1.0)
    epochs, values = history.arrays()
    epochs[:] = -1
    values[:] = -1
    assert history.arrays()[1].tolist() == [1.0] * 10


def test_an_epoch_that_does_not_increase_is_refused():
    history = History()
    history.append(5, 1.0)
    with pytest.raises(ValueError, match="epochs must increase"):
        history.append(5, 2.0)


@pytest.mark.parametrize("capacity", [0, 15, 2.5, True, "4096"])
def test_a_capacity_below_16_or_not_an_integer_is_refused(capacity):
    with pytest.raises(ValueError, match="capacity"):
        History(capacity)


# --- extend: many points at once ------------------------------------------------------------


def _state(history: History):
    epochs, values = history.arrays()
    return epochs.tolist(), values.tolist(), history.stride, history.last


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.floats(-10, 10), st.just(float("nan")), st.sampled_from([0.0, 1.0])),
        max_size=400,
    ),
    cuts=st.lists(st.integers(0, 400), max_size=8),
    capacity=st.integers(16, 40),
)
def test_extend_keeps_exactly_what_appending_one_by_one_keeps(values, cuts, capacity):
    one_by_one, at_once = History(capacity), History(capacity)
    for epoch, value in enumerate(values):
        one_by_one.append(epoch, value)
    bounds = [0, *sorted(c for c in cuts if c <= len(values)), len(values)]
    epochs = np.arange(len(values), dtype=float)
    for a, b in itertools.pairwise(bounds):
        at_once.extend(epochs[a:b], values[a:b])
    assert _state(at_once) == _state(one_by_one)


def test_extend_of_a_million_points_stays_bounded_and_keeps_the_extremes():
    rng = np.random.default_rng(1)
    values = rng.standard_normal(1_000_000)
    history = History(capacity=1024)
    for chunk in np.array_split(np.arange(1_000_000), 300):
        history.extend(chunk + 1, values[chunk])
    epochs, kept = history.arrays()
    assert len(epochs) <= 1024 and epochs[0] == 1 and epochs[-1] == 1_000_000
    assert kept.min() == values.min() and kept.max() == values.max()


def test_extend_refuses_epochs_that_do_not_increase():
    history = History()
    history.extend([1, 2, 3], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="epochs must increase: got 3 after 3"):
        history.extend([3, 4], [1.0, 1.0])
    with pytest.raises(ValueError, match="epochs must increase: got 5 after 6"):
        history.extend([4, 6, 5], [1.0, 1.0, 1.0])


def test_extend_refuses_arrays_of_different_lengths():
    with pytest.raises(ValueError, match="as many epochs as values"):
        History().extend([1, 2], [1.0])


# --- MetricsLog.extend: the exported metrics, many epochs at once ------------------------------


def _points_from_buckets(history: History) -> np.ndarray:
    """What the buckets hold, worked out from scratch as the kept points were before they
    were kept up to date as points come: an oracle for ``History.points``."""
    used = history._used
    lo_e, hi_e = history._lo_epoch[:used], history._hi_epoch[:used]
    lo_v, hi_v = history._lo_value[:used], history._hi_value[:used]
    lo_first = lo_e <= hi_e
    epochs = np.stack([np.where(lo_first, lo_e, hi_e), np.where(lo_first, hi_e, lo_e)], 1)
    values = np.stack([np.where(lo_first, lo_v, hi_v), np.where(lo_first, hi_v, lo_v)], 1)
    keep = np.ones((used, 2), dtype=bool)
    keep[:, 1] = epochs[:, 1] != epochs[:, 0]
    points = list(zip(epochs[keep].tolist(), values[keep].tolist(), strict=True))
    if history._first is None:
        return np.zeros((0, 2))
    tail = sorted({history._open_lo, history._open_hi}) if history._open_lo is not None else []
    points = [history._first, *points, *tail]
    if history.last[0] > points[-1][0]:
        points.append(history.last)
    return np.array(points, dtype=float).reshape(-1, 2)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.floats(-10, 10),
            st.just(float("nan")),
            st.sampled_from([0.0, 1.0, float("inf"), -float("inf")]),
        ),
        max_size=400,
    ),
    cuts=st.lists(st.integers(0, 400), max_size=8),
    capacity=st.integers(16, 40),
)
def test_points_kept_up_to_date_are_what_the_buckets_hold(values, cuts, capacity):
    history = History(capacity)
    bounds = [0, *sorted(c for c in cuts if c <= len(values)), len(values)]
    epochs = np.arange(len(values), dtype=float)
    for a, b in itertools.pairwise(bounds):
        if b - a == 1:
            history.append(epochs[a], values[a])
        else:
            history.extend(epochs[a:b], values[a:b])
        np.testing.assert_array_equal(history.points(), _points_from_buckets(history))


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.floats(-10, 10), st.sampled_from([float("inf"), -float("inf")])),
        max_size=300,
    ),
    capacity=st.integers(16, 40),
)
def test_value_range_and_all_finite_describe_the_kept_points(values, capacity):
    history = History(capacity)
    history.extend(np.arange(len(values), dtype=float), values)
    kept = history.points()[:, 1]
    finite = kept[np.isfinite(kept)]
    expected = (finite.min(), finite.max()) if len(finite) else None
    assert history.value_range() == expected
    assert history.all_finite() == bool(np.isfinite(kept).all())


def test_points_are_rows_of_epoch_and_value():
    history = History(16)
    history.extend([1.0, 2.0, 3.0], [0.5, 0.25, 0.125])
    np.testing.assert_array_equal(history.points(), [[1, 0.5], [2, 0.25], [3, 0.125]])


def _stats(epoch: int, loss: float, val: float | None):
    from model.trainer import EpochStats

    return EpochStats(epoch, loss, 0.01, 0.5, 0.05, val, None if val is None else 0.5)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 300),
    cuts=st.lists(st.integers(0, 300), max_size=8),
    capacity=st.integers(2, 40),
)
def test_metrics_extend_keeps_exactly_what_appending_one_by_one_keeps(n, cuts, capacity):
    from gui.metrics import MetricsLog, metrics_table

    rows = [_stats(i, 1.0 / (i + 1), None if i % 3 else 0.2) for i in range(n)]
    one_by_one, at_once = MetricsLog(capacity), MetricsLog(capacity)
    for row in rows:
        one_by_one.append(row)
    bounds = [0, *sorted(c for c in cuts if c <= n), n]
    for a, b in itertools.pairwise(bounds):
        at_once.extend(metrics_table(rows[a:b]))
    np.testing.assert_array_equal(at_once.rows(), one_by_one.rows())
    assert at_once.stride == one_by_one.stride
    assert at_once.to_csv() == one_by_one.to_csv()


def test_metrics_table_puts_each_field_in_its_column_and_none_as_nan():
    from gui.metrics import COLUMNS, metrics_table
    from model.trainer import EpochStats

    rows = [EpochStats(7, 0.5, 0.25, 0.75, 0.05, 0.625, 0.875), EpochStats(8, 0.4, 0.0, 0.8, 0.04)]
    table = metrics_table(rows)
    assert table.shape == (2, len(COLUMNS))
    np.testing.assert_array_equal(table[0], [7, 0.75, 0.5, 0.25, 0.75, 0.05, 0.625, 0.875])
    np.testing.assert_array_equal(table[1], [8, 0.4, 0.4, 0.0, 0.8, 0.04, np.nan, np.nan])


def test_metrics_table_of_no_rows_is_empty():
    from gui.metrics import COLUMNS, metrics_table

    assert metrics_table(()).shape == (0, len(COLUMNS))


def _epoch_stats(epoch: int, val: float | None = None):
    from model.trainer import EpochStats

    return EpochStats(epoch, 0.5 / epoch, 0.25, 0.1 * epoch, 0.05, val, val)


def test_curve_rows_hand_over_what_was_recorded_and_start_again():
    from gui.metrics import CurveRows, metrics_table

    rows = CurveRows()
    for epoch in (1, 2, 3):
        rows.add(_epoch_stats(epoch, 0.7 if epoch == 2 else None))
    table = rows.take()
    expected = metrics_table([_epoch_stats(1), _epoch_stats(2, 0.7), _epoch_stats(3)])
    np.testing.assert_array_equal(table, expected)
    assert not table.flags.writeable
    assert len(rows) == 0 and rows.take().shape == (0, table.shape[1])


def test_curve_rows_thinning_keeps_every_other_row():
    from gui.metrics import CurveRows

    rows = CurveRows()
    for epoch in range(1, 7):
        rows.add(_epoch_stats(epoch))
    rows.thin()
    rows.add(_epoch_stats(7))
    assert rows.take()[:, 0].tolist() == [2, 4, 6, 7]


def _layer_stats(epoch: int, dead: float | None):
    from model.trainer import EpochStats, LayerStats

    layers = tuple(
        LayerStats(f"Dense {i + 1}", 1.0, 0.1 * epoch + i, 0.01 * epoch, 1e-3 * epoch, d)
        for i, d in enumerate((dead, None))
    )
    return EpochStats(epoch, 1.0, 0.0, 0.5, 0.01, layers=layers)


def test_layer_rows_hand_over_each_layers_numbers_with_nan_for_no_relu():
    from gui.metrics import LayerRows

    rows = LayerRows()
    for epoch in (4, 5):
        rows.add(_layer_stats(epoch, 0.25))
    table = rows.take()
    assert table.shape == (2, 1 + 2 * LayerRows.PER_LAYER)
    np.testing.assert_allclose(table[1, :5], [5, 0.5, 0.05, 5e-3, 0.25])
    np.testing.assert_allclose(table[1, 5:8], [1.5, 0.05, 5e-3])
    assert np.isnan(table[1, 8])
    assert not table.flags.writeable
    assert len(rows) == 0
