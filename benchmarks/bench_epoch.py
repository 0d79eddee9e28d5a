"""How long a training epoch takes: the book's code against our engine, in one process.

The workload is chapter 10's: the spiral (100 points x 3 classes, ``RandomState(0)``),
``Dense(2, 64) -> ReLU -> Dense(64, 3) -> softmax + cross-entropy`` and
``Adam(learning_rate=0.05, decay=5e-7)``. An epoch is forward, loss, accuracy, backward and
the optimizer step, as ``Network.train_step`` does and as the book's loop does. Four
contestants run interleaved (see ``benchmarks.timing``), all from the same starting weights:

- the book's code with the fused softmax + cross-entropy (its final chapter 10 code);
- the book's code with softmax and loss apart, backpropagated through the per-sample
  Jacobian (the chapter's first version);
- our engine in float64 and in float32.

Usage::

    python -m benchmarks.bench_epoch                # report, targets, markdown table
    python -m benchmarks.bench_epoch --scaling      # and cost against points and width
    python -m benchmarks.bench_epoch --markdown     # only the markdown tables (README)
    python -m benchmarks.bench_epoch --blas-threads 1   # steadier on busy shared cores

OpenBLAS may be told its kernel by ``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE``; to see
their effect run the same command under ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE``.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.book_reference import BookRun
from benchmarks.timing import (
    Timing,
    environment_lines,
    interleave,
    paired_ratio,
    set_blas_threads,
)
from model import Adam, Network, build_network
from model.datasets import spiral
from model.layers import read_only

LEARNING_RATE = 0.05
DECAY = 5e-7
HIDDEN = 64
SEED = 0

BOOK_FUSED = "book, fused softmax + loss"
BOOK_JACOBIAN = "book, Jacobian softmax backward"
OURS_F64 = "Backprop Lab, float64"
OURS_F32 = "Backprop Lab, float32"

#: The speed targets of issue 2: ratios in the same run, and absolute microseconds.
TARGET_RATIO_FUSED = 3.0
TARGET_RATIO_JACOBIAN = 15.0
TARGET_US_F64 = 75.0
TARGET_US_F32 = 45.0


def ch10_data(samples: int = 100, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The book's spiral: X, shape (samples * classes, 2); y, shape (samples * classes,)."""
    return spiral(samples, classes, rng=np.random.RandomState(0))


def engine_epoch(
    X: np.ndarray, y: np.ndarray, *, hidden: int = HIDDEN, dtype: type = np.float64
) -> tuple[Network, Callable[[], object]]:
    """Our network for ``X, y`` and a zero-argument epoch (``Network.train_step``).

    The data are converted once, as ``Trainer`` does: read-only copies, X in the network's
    dtype and y as intp (``model.layers.read_only``).
    """
    n_classes = int(y.max()) + 1
    network = build_network(X.shape[1], n_classes, (hidden,), rng=SEED, dtype=dtype)
    optimizer = Adam(learning_rate=LEARNING_RATE, decay=DECAY)
    X = read_only(X, dtype)
    y = read_only(y, np.intp)
    return network, functools.partial(network.train_step, X, y, optimizer)


def book_run(X: np.ndarray, y: np.ndarray, network: Network, *, fused: bool) -> BookRun:
    """The book's network starting from ``network``'s weights (two Dense layers)."""
    dense1, dense2 = network.dense_layers
    return BookRun(
        X,
        y,
        dense1.weights,
        dense1.biases,
        dense2.weights,
        dense2.biases,
        learning_rate=LEARNING_RATE,
        decay=DECAY,
        fused=fused,
    )


def contestants(X: np.ndarray, y: np.ndarray) -> list[tuple[str, Callable[[], object]]]:
    """The four ``(name, epoch)`` pairs, all starting from the same weights."""
    network64, ours64 = engine_epoch(X, y, dtype=np.float64)
    _, ours32 = engine_epoch(X, y, dtype=np.float32)
    return [
        (BOOK_FUSED, book_run(X, y, network64, fused=True).epoch),
        (BOOK_JACOBIAN, book_run(X, y, network64, fused=False).epoch),
        (OURS_F64, ours64),
        (OURS_F32, ours32),
    ]


@dataclass(frozen=True)
class EpochBenchmark:
    """Per-contestant timings of one run, and the ratios taken round by round."""

    timings: dict[str, Timing]
    rounds: int

    def ratio(self, slow: str, fast: str) -> float:
        return paired_ratio(self.timings[slow], self.timings[fast])

    def targets(self) -> list[tuple[bool, str]]:
        """``(passed, line)`` for each target of the engine's speed."""
        fused = self.ratio(BOOK_FUSED, OURS_F64)
        jacobian = self.ratio(BOOK_JACOBIAN, OURS_F64)
        f64, f32 = self.timings[OURS_F64].best_us, self.timings[OURS_F32].best_us
        return [
            (
                fused >= TARGET_RATIO_FUSED,
                f"float64 is {fused:.2f}x the book's fused code "
                f"(target >= {TARGET_RATIO_FUSED:g}x)",
            ),
            (
                jacobian >= TARGET_RATIO_JACOBIAN,
                f"float64 is {jacobian:.1f}x the book's Jacobian path "
                f"(target >= {TARGET_RATIO_JACOBIAN:g}x)",
            ),
            (
                f64 <= TARGET_US_F64,
                f"float64 {f64:.1f} us/epoch, best round (target <= {TARGET_US_F64:g}; "
                "informational, depends on the machine)",
            ),
            (
                f32 <= TARGET_US_F32,
                f"float32 {f32:.1f} us/epoch, best round (target <= {TARGET_US_F32:g}; "
                "informational, depends on the machine)",
            ),
        ]


def run_epoch_benchmark(
    *, rounds: int = 9, block_seconds: float = 0.2, block_epochs: int | None = None
) -> EpochBenchmark:
    """Time the four contestants on the ch10 workload, ``rounds`` interleaved rounds."""
    X, y = ch10_data()
    with np.errstate(all="ignore"):
        timings = interleave(
            contestants(X, y),
            rounds=rounds,
            block_seconds=block_seconds,
            block_epochs=block_epochs,
        )
    return EpochBenchmark({t.name: t for t in timings}, rounds)


def epoch_markdown(result: EpochBenchmark) -> str:
    """The README table: microseconds per epoch and speed-up over the book's fused code."""
    lines = [
        "| ch10 epoch (300 points, 2-64-3, Adam) | µs/epoch (median) | µs/epoch (best) "
        "| speed-up vs book fused |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, timing in result.timings.items():
        speedup = result.ratio(BOOK_FUSED, name)
        lines.append(
            f"| {name} | {timing.median_us:,.1f} | {timing.best_us:,.1f} | {speedup:.2f}x |"
        )
    return "\n".join(lines)


def epoch_report(result: EpochBenchmark) -> str:
    """The human report: environment, timings, ratios, PASS/FAIL lines and the table."""
    lines = [
        "Training epoch on the ch10 workload: spiral 100 x 3, Dense(2, 64) ReLU Dense(64, 3),",
        f"softmax + cross-entropy, Adam(lr={LEARNING_RATE:g}, decay={DECAY:g}).",
        *environment_lines(),
        f"{result.rounds} interleaved rounds; per round each contestant runs one block.",
        "",
    ]
    for name, timing in result.timings.items():
        lines.append(
            f"{name:34s} {timing.median_us:9.1f} us/epoch median  {timing.best_us:9.1f} best"
            f"  ({timing.epochs_per_block} epochs/block)"
        )
    lines += [
        "",
        "ratios (median of the per-round ratios):",
        f"  book fused / ours f64:     {result.ratio(BOOK_FUSED, OURS_F64):6.2f}x",
        f"  book Jacobian / ours f64:  {result.ratio(BOOK_JACOBIAN, OURS_F64):6.2f}x",
        f"  book fused / ours f32:     {result.ratio(BOOK_FUSED, OURS_F32):6.2f}x",
        f"  ours f64 / ours f32:       {result.ratio(OURS_F64, OURS_F32):6.2f}x",
        "",
    ]
    lines += [f"{'PASS' if ok else 'FAIL'}  {text}" for ok, text in result.targets()]
    lines += ["", epoch_markdown(result)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_epoch", description=__doc__)
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (default 9)")
    parser.add_argument(
        "--block-seconds", type=float, default=0.2, help="length of one block (default 0.2 s)"
    )
    parser.add_argument(
        "--block-epochs", type=int, default=None, help="fixed epochs per block (default: timed)"
    )
    parser.add_argument(
        "--scaling", action="store_true", help="also time cost against points and width"
    )
    parser.add_argument("--markdown", action="store_true", help="print only markdown tables")
    parser.add_argument(
        "--blas-threads", type=int, default=None, help="set OpenBLAS's thread count first"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.block_seconds <= 0 or (args.block_epochs or 1) < 1:
        parser.error("--rounds and --block-epochs must be >= 1, --block-seconds > 0")
    if args.blas_threads is not None:
        if args.blas_threads < 1:
            parser.error(f"--blas-threads must be >= 1, got {args.blas_threads}")
        if not set_blas_threads(args.blas_threads):
            parser.error("--blas-threads: this numpy's BLAS is not OpenBLAS or cannot be reached")

    result = run_epoch_benchmark(
        rounds=args.rounds, block_seconds=args.block_seconds, block_epochs=args.block_epochs
    )
    print(epoch_markdown(result) if args.markdown else epoch_report(result), flush=True)
    if args.scaling:
        from benchmarks.scaling import run_scaling, scaling_markdown

        print()
        table = run_scaling(block_seconds=args.block_seconds, block_epochs=args.block_epochs)
        print(scaling_markdown(table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
