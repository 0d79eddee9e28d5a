"""The window benchmark runs end to end and reports issue 3's three numbers (not timed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.bench_gui_report import Result, WindowRound, markdown, report

ROOT = Path(__file__).resolve().parent.parent


def fake_result() -> Result:
    rounds = [
        WindowRound(
            7000.0, [0.0, 1.0, 2.0, 40.0], {"curves": 30.0, "snapshots": 30.0}, 0.2, 120.0, 6400.0
        ),
        WindowRound(
            7400.0, [0.0, 1.0, 3.0], {"curves": 28.0, "snapshots": 29.0}, 0.25, 125.0, 6800
        ),
    ]
    return Result(
        headless=[8000.0, 8000.0],
        headless_cpu_us=[110.0, 112.0],
        window=rounds,
        launch_first_paint=[0.6, 0.7, 0.65],
        launch_ready=[0.8, 0.9, 0.85],
        platform="offscreen",
        seconds=5.0,
    )


def test_a_tiny_run_reports_the_ratio_the_latency_and_the_launch_time(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACKPROP_LAB_SETTINGS_DIR=str(tmp_path))
    tiny = ["--rounds", "1", "--seconds", "0.5", "--warmup", "0.3", "--launches", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_gui", *tiny],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    verdicts = [line for line in done.stdout.splitlines() if line.endswith(("PASS", "FAIL"))]
    assert [line.split("  ")[0] for line in verdicts] == [
        "window / headless",
        "event latency p50 / p95 / p99 (ms)",
        "launch to first paint (s)",
    ]
    assert "frames painted per second" in done.stdout


def test_the_ratio_is_the_median_of_ratios_taken_round_by_round():
    assert fake_result().ratios == [7000.0 / 8000.0, 7400.0 / 8000.0]
    assert "window / headless                   0.90" in report(fake_result())


def test_the_ratio_while_the_latency_probe_runs_is_reported_beside_it():
    assert fake_result().probed_ratios == [6400.0 / 8000.0, 6800.0 / 8000.0]
    lines = report(fake_result()).splitlines()
    ratio = next(i for i, line in enumerate(lines) if line.startswith("window / headless"))
    assert lines[ratio + 1].startswith("  the same, latency probe running")
    assert lines[ratio + 1].endswith("0.82")


def test_latency_percentiles_pool_every_round():
    p50, _, p99 = fake_result().latency_percentiles()
    assert p50 == 1.0
    assert 30.0 < p99 < 40.0


def test_the_markdown_table_has_a_row_per_measure_with_its_verdict():
    table = markdown(fake_result()).splitlines()
    assert table[0].startswith("| ch10, window 1600x1000 (offscreen)")
    assert "| window / headless | 0.90 | >= 0.90 | PASS |" in table
    assert any(row.startswith("| event latency") and row.endswith("| FAIL |") for row in table)
    assert "| launch to first paint (s) | 0.65 | <= 2 | PASS |" in table


def test_the_report_says_which_docks_showed():
    result = fake_result()
    result.layout = "every dock shown"
    assert report(result).splitlines()[0].endswith("every dock shown")
