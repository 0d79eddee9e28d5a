"""Cost of an epoch against the number of points and the width of the hidden layer.

Same network and optimizer as the ch10 workload (``benchmarks.bench_epoch``), full batch:
the points grow from 300 to 300,000 at width 64, then the width from 16 to 1,024 at 300
points. At 300 points fixed per-call costs dominate; at a few thousand the arrays still
sit in the CPU caches (cheapest per point); from tens of thousands on every epoch streams
its arrays through memory and the cost per point stays flat: training is linear in the
data. On two shared cores the large rows are the noisiest (BLAS uses both cores there).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.bench_epoch import HIDDEN, ch10_data, engine_epoch
from benchmarks.timing import interleave

POINTS = (300, 3_000, 30_000, 300_000)
WIDTHS = (16, 64, 256, 1024)
CLASSES = 3


@dataclass(frozen=True)
class ScalingRow:
    """Best-round microseconds per epoch of one configuration, float64 and float32."""

    points: int
    width: int
    us_f64: float
    us_f32: float

    @property
    def us_per_point_f64(self) -> float:
        return self.us_f64 / self.points

    @property
    def us_per_point_f32(self) -> float:
        return self.us_f32 / self.points


def time_configuration(
    points: int,
    width: int,
    *,
    rounds: int = 5,
    block_seconds: float = 0.2,
    block_epochs: int | None = None,
) -> ScalingRow:
    """Time one configuration (spiral with ``points`` points, hidden layer ``width``)."""
    X, y = ch10_data(points // CLASSES, CLASSES)
    with np.errstate(all="ignore"):
        f64, f32 = interleave(
            [
                ("f64", engine_epoch(X, y, hidden=width, dtype=np.float64)[1]),
                ("f32", engine_epoch(X, y, hidden=width, dtype=np.float32)[1]),
            ],
            rounds=rounds,
            block_seconds=block_seconds,
            block_epochs=block_epochs,
        )
    return ScalingRow(len(X), width, f64.best_us, f32.best_us)


def run_scaling(
    points: Sequence[int] = POINTS,
    widths: Sequence[int] = WIDTHS,
    *,
    rounds: int = 5,
    block_seconds: float = 0.2,
    block_epochs: int | None = None,
) -> tuple[list[ScalingRow], list[ScalingRow]]:
    """Rows against points (width 64) and against width (300 points)."""
    kwargs = {"rounds": rounds, "block_seconds": block_seconds, "block_epochs": block_epochs}
    by_points = [time_configuration(n, HIDDEN, **kwargs) for n in points]
    by_width = [time_configuration(POINTS[0], w, **kwargs) for w in widths]
    return by_points, by_width


def _table(title: str, rows: list[ScalingRow]) -> list[str]:
    lines = [
        f"| {title} | µs/epoch float64 | µs/point float64 | µs/epoch float32 | µs/point float32 |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        key = f"{row.points:,}" if title == "points" else f"{row.width:,}"
        lines.append(
            f"| {key} | {row.us_f64:,.0f} | {row.us_per_point_f64:.3f} "
            f"| {row.us_f32:,.0f} | {row.us_per_point_f32:.3f} |"
        )
    return lines


def scaling_markdown(tables: tuple[list[ScalingRow], list[ScalingRow]]) -> str:
    """Two markdown tables: cost against points (width 64), against width (300 points)."""
    by_points, by_width = tables
    growth = [
        f"{a.points:,} -> {b.points:,} points: float64 x{b.us_f64 / a.us_f64:.1f}, "
        f"float32 x{b.us_f32 / a.us_f32:.1f}"
        for a, b in itertools.pairwise(by_points)
    ]
    return "\n".join(
        [
            f"Full-batch epoch, hidden width {HIDDEN}, best of the interleaved rounds:",
            "",
            *_table("points", by_points),
            "",
            "Cost growth: " + "; ".join(growth) + "." if growth else "",
            "",
            f"Full-batch epoch, {POINTS[0]} points:",
            "",
            *_table("width", by_width),
        ]
    )
