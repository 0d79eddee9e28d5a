"""A million epochs in the window: memory stays flat and every history stays bounded."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from model.config import RunConfig

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]

TINY = RunConfig.from_dict(
    {
        "data": {"samples": 10, "classes": 2, "dataset": "circles"},
        "network": {"hidden": [4]},
        "optimizer": {"type": "SGD", "learning_rate": 0.1},
        "training": {"epochs": 1_000_000},
    }
)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_a_million_epochs_keep_memory_flat(qtbot, main_window):
    main_window.apply_config_to_controls(TINY)
    with qtbot.waitSignal(main_window.run_ready, timeout=5000):
        main_window.reset()
    qtbot.mouseClick(main_window.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main_window.worker.run.trainer.epoch >= 100_000, timeout=120_000)
    early = rss_mb()
    with qtbot.waitSignal(main_window.training_stopped, timeout=900_000) as blocker:
        pass
    assert blocker.args == [1_000_000, "limit"]
    grown = rss_mb() - early
    assert grown < 40, f"memory grew by {grown:.1f} MB between epoch 100,000 and 1,000,000"
    for plot in (main_window.loss_plot, main_window.accuracy_plot):
        epochs, _ = plot.train_history.arrays()
        assert len(epochs) <= plot.train_history.capacity
        assert epochs[-1] == 1_000_000
    assert len(main_window.metrics) <= main_window.metrics.capacity
    for row in main_window.gradient_panel.rows:
        history = row.dweights_history
        assert len(history) <= history.capacity
