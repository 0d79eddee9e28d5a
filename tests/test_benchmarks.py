"""The benchmark runs, and it compares like with like: the book's code as written computes
the same loss, accuracy, gradients and Adam updates as our engine from the same weights."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.bench_epoch import (
    BOOK_FUSED,
    BOOK_JACOBIAN,
    OURS_F32,
    OURS_F64,
    book_run,
    ch10_data,
    engine_epoch,
    epoch_report,
    main,
    run_epoch_benchmark,
)
from benchmarks.book_reference import Activation_ReLU, Activation_Softmax
from benchmarks.scaling import scaling_markdown, time_configuration
from benchmarks.timing import blas_threads, set_blas_threads
from model import ReLU, Softmax


@pytest.fixture
def workload():
    X, y = ch10_data()
    network, epoch = engine_epoch(X, y, dtype=np.float64)
    return X, y, network, epoch


def test_one_tiny_round_times_all_four_contestants():
    result = run_epoch_benchmark(rounds=1, block_epochs=1)
    assert list(result.timings) == [BOOK_FUSED, BOOK_JACOBIAN, OURS_F64, OURS_F32]
    assert all(t.per_round_us[0] > 0 for t in result.timings.values())


def test_report_has_ratios_targets_and_markdown_table():
    report = epoch_report(run_epoch_benchmark(rounds=1, block_epochs=1))
    assert "book fused / ours f64" in report
    assert sum(line.startswith(("PASS", "FAIL")) for line in report.splitlines()) == 4
    assert "| ch10 epoch" in report
    assert "BLAS:" in report


def test_markdown_option_prints_only_the_table(capsys):
    assert main(["--rounds", "1", "--block-epochs", "1", "--markdown"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("| ch10 epoch") and len(out) == 6


def test_blas_threads_option_sets_the_count_the_report_shows(capsys):
    before = blas_threads()
    if before is None:
        pytest.skip("this numpy's BLAS is not a reachable OpenBLAS")
    try:
        assert main(["--rounds", "1", "--block-epochs", "1", "--blas-threads", "1"]) == 0
        assert "; 1 thread" in capsys.readouterr().out
        assert blas_threads() == 1
    finally:
        set_blas_threads(before)


def test_scaling_row_times_both_dtypes():
    row = time_configuration(300, 16, rounds=1, block_epochs=1)
    assert row.points == 300 and row.width == 16
    assert row.us_f64 > 0 and row.us_f32 > 0
    assert "| 300 |" in scaling_markdown(([row], [row]))


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "jacobian"])
def test_book_code_computes_our_loss_accuracy_and_gradients(workload, fused):
    X, y, network, _ = workload
    book = book_run(X, y, network, fused=fused)
    book_loss, book_accuracy = book.forward_backward()

    output = network.forward(X)
    loss, accuracy = network.data_loss(output, y), network.accuracy(output, y)
    network.backward(output, y)

    assert loss == pytest.approx(book_loss, rel=1e-12)
    assert accuracy == book_accuracy
    for ours, theirs in zip(network.dense_layers, (book.dense1, book.dense2), strict=True):
        np.testing.assert_allclose(ours.dweights, theirs.dweights, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(ours.dbiases, theirs.dbiases, rtol=1e-9, atol=1e-15)


def test_book_adam_and_ours_take_the_same_steps(workload):
    X, y, network, epoch = workload
    book = book_run(X, y, network, fused=True)
    for _ in range(5):  # bias correction and decay change with every step
        book.epoch()
        epoch()
    for ours, theirs in zip(network.dense_layers, (book.dense1, book.dense2), strict=True):
        np.testing.assert_allclose(ours.weights, theirs.weights, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(ours.biases, theirs.biases, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("n_classes", [2, 3, 8, 12])
def test_book_softmax_and_ours_agree_for_few_and_many_classes(n_classes):
    g = np.random.default_rng(n_classes)
    logits, dvalues = g.standard_normal((40, n_classes)) * 5, g.standard_normal((40, n_classes))
    ours, book = Softmax(), Activation_Softmax()
    book.forward(logits)
    book.backward(dvalues)
    np.testing.assert_allclose(ours.forward(logits), book.output, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(ours.backward(dvalues), book.dinputs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n_samples", [300, 3000], ids=["cached-zeros", "scalar-zero"])
def test_book_relu_and_ours_agree_on_small_and_large_batches(n_samples):
    g = np.random.default_rng(n_samples)
    inputs, dvalues = g.standard_normal((n_samples, 64)), g.standard_normal((n_samples, 64))
    ours, book = ReLU(), Activation_ReLU()
    book.forward(inputs)
    book.backward(dvalues)
    np.testing.assert_array_equal(ours.forward(inputs), book.output)
    np.testing.assert_array_equal(ours.backward(dvalues), book.dinputs)
