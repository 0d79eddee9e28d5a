"""Trainer: epochs, mini-batches, per-layer stats, hyperparameter changes, divergence."""

from __future__ import annotations

import numpy as np
import pytest

from model import SGD, Adam, Trainer, TrainingDiverged, build_network, spiral


@pytest.fixture
def data():
    return spiral(40, 3, rng=0)


def make_trainer(data, **kwargs) -> Trainer:
    X, y = data
    net = build_network(2, 3, kwargs.pop("hidden", [16, 16]), rng=0, init="he")
    return Trainer(net, kwargs.pop("optimizer", Adam(0.02)), X, y, **kwargs)


def test_full_batch_epoch_is_one_train_step(data):
    X, y = data
    trainer = make_trainer(data)
    twin = build_network(2, 3, [16, 16], rng=0, init="he")
    stats = trainer.run_epoch()
    step = twin.train_step(X, y, Adam(0.02))
    assert (stats.epoch, stats.data_loss, stats.accuracy) == (1, step.data_loss, step.accuracy)
    np.testing.assert_array_equal(trainer.network.params, twin.params)


def test_epoch_stats_report_the_learning_rate_used(data):
    trainer = make_trainer(data, optimizer=Adam(0.1, decay=0.5))
    rates = [trainer.run_epoch().learning_rate for _ in range(3)]
    assert rates == pytest.approx([0.1, 0.1 / 1.5, 0.1 / 2.0])


def test_training_lowers_the_loss(data):
    trainer = make_trainer(data)
    first = trainer.run_epoch().loss
    for _ in range(200):
        last = trainer.run_epoch()
    assert last.loss < first / 2
    assert last.accuracy > 0.6


def test_mini_batches_take_one_optimizer_step_per_batch(data):
    trainer = make_trainer(data, batch_size=32, rng=0)
    trainer.run_epoch()
    assert trainer.optimizer.iterations == int(np.ceil(120 / 32))


def test_mini_batch_loss_is_the_sample_weighted_mean_over_batches(data):
    trainer = make_trainer(data, batch_size=50, rng=0)
    stats = trainer.run_epoch()
    assert 0 < stats.data_loss < 2 * np.log(3)
    assert 0.0 <= stats.accuracy <= 1.0


def test_mini_batch_order_is_reproducible_from_the_seed(data):
    a = make_trainer(data, batch_size=16, rng=3)
    b = make_trainer(data, batch_size=16, rng=3)
    for _ in range(3):
        a.run_epoch()
        b.run_epoch()
    np.testing.assert_array_equal(a.network.params, b.network.params)


def test_batch_size_must_be_a_positive_integer_or_none(data):
    trainer = make_trainer(data)
    with pytest.raises(ValueError, match="batch_size"):
        trainer.batch_size = 0


def test_validation_stats_are_reported_when_there_is_validation_data(data):
    X, y = data
    trainer = make_trainer(data, X_val=X[::3], y_val=y[::3])
    stats = trainer.run_epoch()
    assert stats.val_loss is not None and np.isfinite(stats.val_loss)
    assert 0.0 <= stats.val_accuracy <= 1.0


def test_no_validation_stats_without_validation_data(data):
    stats = make_trainer(data).run_epoch()
    assert stats.val_loss is None and stats.val_accuracy is None


def test_inspect_reports_one_layer_stats_per_dense_layer(data):
    stats = make_trainer(data).run_epoch(inspect=True)
    assert [s.name for s in stats.layers] == ["Dense 1 (2→16)", "Dense 2 (16→16)", "Dense 3 (16→3)"]


def test_layer_stats_norms_match_the_gradients(data):
    trainer = make_trainer(data)
    stats = trainer.run_epoch(inspect=True)
    for layer_stats, dense in zip(stats.layers, trainer.network.dense_layers, strict=True):
        assert layer_stats.dweights_norm == pytest.approx(np.linalg.norm(dense.dweights))
        assert layer_stats.dbiases_norm == pytest.approx(np.linalg.norm(dense.dbiases))
        assert layer_stats.histogram_counts.sum() == dense.dweights.size
        assert len(layer_stats.histogram_edges) == len(layer_stats.histogram_counts) + 1


def test_a_scalars_inspection_gives_the_same_numbers_without_the_histograms(data):
    full = make_trainer(data, batch_size=32, rng=0)
    light = make_trainer(data, batch_size=32, rng=0)
    for _ in range(3):
        full.run_epoch()
        light.run_epoch()
    expected = full.run_epoch(inspect=True).layers
    got = light.run_epoch(inspect="scalars").layers
    for a, b in zip(expected, got, strict=True):
        assert (b.name, b.weights_norm, b.dweights_norm, b.dbiases_norm) == (
            a.name,
            a.weights_norm,
            a.dweights_norm,
            a.dbiases_norm,
        )
        assert (b.update_ratio, b.dead_fraction) == (a.update_ratio, a.dead_fraction)
        assert b.histogram_counts is None and b.histogram_edges is None
        assert np.isnan(b.weights_quantiles).all()


def test_an_unknown_inspection_is_refused_by_name(data):
    with pytest.raises(ValueError, match="'histograms'"):
        make_trainer(data).run_epoch(inspect="histograms")


def test_layer_stats_give_the_tensorboard_percentiles_of_weights_and_dweights(data):
    from model.trainer import QUANTILES

    trainer = make_trainer(data)
    stats = trainer.run_epoch(inspect=True)
    for layer_stats, dense in zip(stats.layers, trainer.network.dense_layers, strict=True):
        for got, values in (
            (layer_stats.weights_quantiles, dense.weights),
            (layer_stats.dweights_quantiles, dense.dweights),
        ):
            np.testing.assert_allclose(got, np.percentile(values, QUANTILES), rtol=1e-12)


def test_a_large_layers_percentiles_come_from_a_sample_with_exact_extremes():
    from model.trainer import QUANTILES, distribution_bands

    values = np.random.default_rng(0).standard_normal((512, 512))
    bands = distribution_bands(values, max_sample=20_000)
    assert bands[0] == values.min() and bands[-1] == values.max()
    exact = np.percentile(values, QUANTILES[1:-1])
    np.testing.assert_allclose(bands[1:-1], exact, atol=0.03)
    assert np.all(np.diff(bands) >= 0)


def test_update_ratio_is_the_relative_change_of_the_weights(data):
    trainer = make_trainer(data, optimizer=SGD(0.5))
    before = trainer.network.dense_layers[0].weights.copy()
    stats = trainer.run_epoch(inspect=True)
    after = trainer.network.dense_layers[0].weights
    expected = np.linalg.norm(after - before) / np.linalg.norm(before)
    assert stats.layers[0].update_ratio == pytest.approx(expected)


def test_dead_fraction_counts_relu_units_silent_for_every_sample(data):
    trainer = make_trainer(data)
    trainer.network.dense_layers[0].biases[0, :4] = -100.0  # 4 of 16 units never fire
    stats = trainer.run_epoch(inspect=True)
    assert stats.layers[0].dead_fraction == pytest.approx(4 / 16)
    assert stats.layers[2].dead_fraction is None  # the output layer feeds Softmax


def test_no_layer_stats_unless_asked(data):
    assert make_trainer(data).run_epoch().layers is None


def test_learning_rate_changes_between_epochs_without_resetting_weights(data):
    trainer = make_trainer(data)
    trainer.run_epoch()
    params = trainer.network.get_params()
    trainer.optimizer.learning_rate = 0.001
    stats = trainer.run_epoch()
    assert stats.learning_rate == 0.001
    assert np.abs(trainer.network.params - params).max() < 0.01


def test_divergence_raises_naming_the_epoch_and_likely_cause(data):
    trainer = make_trainer(data, optimizer=SGD(1e300))
    with pytest.raises(TrainingDiverged, match=r"epoch \d+.*learning rate.*1e\+300"):
        for _ in range(50):
            trainer.run_epoch()


def test_a_non_finite_loss_rolls_back_to_weights_whose_loss_was_finite(data):
    trainer = make_trainer(data, optimizer=SGD(1e300))
    history = {0: trainer.network.get_params()}
    with pytest.raises(TrainingDiverged) as info:
        for _ in range(50):
            trainer.run_epoch()
            history[trainer.epoch] = trainer.network.get_params()
    back = info.value.rolled_back_to
    assert trainer.epoch == back < info.value.epoch
    np.testing.assert_array_equal(trainer.network.params, history[back])
    X, y = data
    assert np.isfinite(trainer.network.evaluate(X, y).data_loss)


def test_training_resumes_after_divergence_with_a_lower_learning_rate(data):
    trainer = make_trainer(data, optimizer=SGD(1e300))
    with pytest.raises(TrainingDiverged):
        for _ in range(50):
            trainer.run_epoch()
    trainer.optimizer.learning_rate = 0.1
    assert np.isfinite(trainer.run_epoch().loss)


def test_non_finite_weights_roll_back_weights_and_optimizer_state_to_the_epochs_start(data):
    trainer = make_trainer(data, optimizer=Adam(0.01))
    trainer.train(2)
    params = trainer.network.get_params()
    state = {k: v.copy() for k, v in trainer.optimizer.state_for(trainer.network.params).items()}
    trainer.optimizer.learning_rate = 1e308  # Adam's first step overflows to inf
    with pytest.raises(TrainingDiverged, match="a weight or bias") as info:
        trainer.run_epoch()
    assert (info.value.epoch, info.value.rolled_back_to, trainer.epoch) == (3, 2, 2)
    np.testing.assert_array_equal(trainer.network.params, params)
    assert trainer.optimizer.iterations == 2
    for key, value in trainer.optimizer.state_for(trainer.network.params).items():
        np.testing.assert_array_equal(value, state[key])


def test_train_runs_the_requested_epochs_and_stops_when_the_callback_says_so(data):
    trainer = make_trainer(data)
    assert trainer.train(5).epoch == 5
    last = trainer.train(100, callback=lambda stats: stats.epoch < 8)
    assert last.epoch == 8


@pytest.mark.parametrize(
    "y,message",
    [
        (np.full(120, 3), r"0\.\.2"),
        (np.full(120, -1), r"0\.\.2"),
        (np.zeros(119, dtype=int), "120 inputs but 119 targets"),
        (np.zeros(120), "integers"),
    ],
)
def test_bad_labels_are_refused_with_a_clear_message(data, y, message):
    X, _ = data
    with pytest.raises(ValueError, match=message):
        Trainer(build_network(2, 3, [4], rng=0), Adam(), X, y)


def test_non_finite_inputs_are_refused(data):
    X, y = data
    X = X.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Trainer(build_network(2, 3, [4], rng=0), Adam(), X, y)


def test_weights_too_large_to_square_but_finite_are_not_divergence():
    from model.trainer import _all_finite

    values = np.array([1e200, -3.0, 2e300])
    with np.errstate(over="ignore", invalid="ignore"):  # as run_epoch calls it
        assert _all_finite(values)  # the sum of squares overflows; every value is finite
        for bad in (np.nan, np.inf, -np.inf):
            values[1] = bad
            assert not _all_finite(values)
