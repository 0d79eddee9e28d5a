"""The report of ``benchmarks.bench_gui``: what one run measured, and its table.

Kept apart from the measuring (which needs Qt and a window) so the report can be built,
tested and printed from plain numbers.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import numpy as np

from benchmarks.timing import environment_lines

WINDOW_SIZE = (1600, 1000)
TARGET_RATIO = 0.90
TARGET_P99_MS = 30.0
TARGET_LAUNCH_S = 2.0


@dataclass
class WindowRound:
    """One timed stretch of training inside the window."""

    epochs_per_second: float
    lateness_ms: list[float]
    frames_per_second: dict[str, float]
    gui_cpu: float  # CPU seconds of the GUI thread per second (Python and Qt's C++ alike)
    other_cpu_us: float  # CPU microseconds per epoch of every other thread (the training)
    #: Epochs/s during the latency stretch (the probe's Python runs 200 times a second).
    probed_epochs_per_second: float = float("nan")


@dataclass
class Result:
    """Everything one benchmark run measured."""

    headless: list[float] = field(default_factory=list)  # epochs/s per round
    headless_cpu_us: list[float] = field(default_factory=list)  # CPU microseconds per epoch
    window: list[WindowRound] = field(default_factory=list)
    launch_first_paint: list[float] = field(default_factory=list)  # seconds per launch
    launch_ready: list[float] = field(default_factory=list)
    platform: str = ""
    seconds: float = 0.0
    #: Which docks showed: the default layout (Neurons raised over Hidden space and
    #: Network graph) or every dock at once (``--all-docks``).
    layout: str = "default docks"

    @property
    def ratios(self) -> list[float]:
        """Window / headless per round (each pair measured back to back)."""
        return [w.epochs_per_second / h for w, h in zip(self.window, self.headless, strict=True)]

    @property
    def probed_ratios(self) -> list[float]:
        """Window / headless per round, measured while the latency probe ran."""
        return [
            w.probed_epochs_per_second / h for w, h in zip(self.window, self.headless, strict=True)
        ]

    def latency_percentiles(self) -> tuple[float, float, float]:
        lateness = np.concatenate([np.asarray(w.lateness_ms, float) for w in self.window])
        if not lateness.size:
            return (float("nan"),) * 3
        p50, p95, p99 = np.percentile(lateness, (50, 95, 99))
        return float(p50), float(p95), float(p99)

    def frames(self) -> dict[str, float]:
        names = self.window[0].frames_per_second if self.window else {}
        return {n: statistics.median(w.frames_per_second[n] for w in self.window) for n in names}


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report_rows(result: Result) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, PASS/FAIL or "") rows of the report."""
    headless = statistics.median(result.headless)
    window = statistics.median(w.epochs_per_second for w in result.window)
    ratio = statistics.median(result.ratios)
    probed = [r for r in result.probed_ratios if r == r]  # NaN: not measured
    p50, p95, p99 = result.latency_percentiles()
    first = statistics.median(result.launch_first_paint) if result.launch_first_paint else None
    ready = statistics.median(result.launch_ready) if result.launch_ready else None
    frames = result.frames()
    rows = [
        ("headless engine (epochs/s)", f"{headless:,.0f}", "", ""),
        ("in the window (epochs/s)", f"{window:,.0f}", "", ""),
        (
            "window / headless",
            f"{ratio:.2f}",
            f">= {TARGET_RATIO:.2f}",
            _verdict(ratio >= TARGET_RATIO),
        ),
        *(
            [("  the same, latency probe running", f"{statistics.median(probed):.2f}", "", "")]
            if probed
            else []
        ),
        (
            "event latency p50 / p95 / p99 (ms)",
            f"{p50:.1f} / {p95:.1f} / {p99:.1f}",
            f"p99 <= {TARGET_P99_MS:.0f}",
            _verdict(p99 <= TARGET_P99_MS),
        ),
    ]
    if first is not None:
        rows.append(
            (
                "launch to first paint (s)",
                f"{first:.2f}",
                f"<= {TARGET_LAUNCH_S:.0f}",
                _verdict(first <= TARGET_LAUNCH_S),
            )
        )
        rows.append(("launch to first run drawn (s)", f"{ready:.2f}", "", ""))
    gui_cpu = statistics.median(w.gui_cpu for w in result.window)
    rows.append(("GUI thread CPU (% of a core)", f"{100 * gui_cpu:.0f}", "", ""))
    train_us = statistics.median(w.other_cpu_us for w in result.window)
    headless_us = statistics.median(result.headless_cpu_us)
    rows.append(
        (
            "training CPU per epoch (us)",
            f"{train_us:.0f} in the window, {headless_us:.0f} headless",
            "",
            "",
        )
    )
    rows.append(
        (
            "frames painted per second",
            ", ".join(f"{name} {fps:.1f}" for name, fps in frames.items()),
            "",
            "",
        )
    )
    return rows


def report(result: Result) -> str:
    """The plain-text report: per-round numbers, then the table with PASS/FAIL."""
    lines = [
        f"ch10 in the window vs headless: {len(result.headless)} rounds x {result.seconds:g} s, "
        f"Qt platform {result.platform}, window {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}, "
        f"{result.layout}",
        *environment_lines(),
        "rounds (epochs/s): headless "
        + ", ".join(f"{h:,.0f}" for h in result.headless)
        + "; window "
        + ", ".join(f"{w.epochs_per_second:,.0f}" for w in result.window)
        + "; ratio "
        + ", ".join(f"{r:.2f}" for r in result.ratios)
        + "; with the probe "
        + ", ".join(f"{r:.2f}" for r in result.probed_ratios),
    ]
    if result.launch_first_paint:
        lines.append(
            "launches (s): first paint "
            + ", ".join(f"{t:.2f}" for t in result.launch_first_paint)
            + "; first run drawn "
            + ", ".join(f"{t:.2f}" for t in result.launch_ready)
        )
    lines.append("")
    rows = report_rows(result)
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows if r[2]) if any(r[2] for r in rows) else 0
    for measure, value, target, verdict in rows:
        if target:
            lines.append(f"{measure:<{width}}  {value:<{value_width}}  {target:<10} {verdict}")
        else:
            lines.append(f"{measure:<{width}}  {value}")
    return "\n".join(lines)


def markdown(result: Result) -> str:
    """The table as markdown, for the README."""
    lines = [
        f"| ch10, window {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]} ({result.platform}) "
        "| measured | target | |",
        "| --- | --- | --- | --- |",
    ]
    for measure, value, target, verdict in report_rows(result):
        lines.append(f"| {measure} | {value} | {target} | {verdict} |")
    return "\n".join(lines)
