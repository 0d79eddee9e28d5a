"""The status bar: epoch, loss, accuracy, learning rate and training speed."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from model.trainer import EpochStats


class StatusBar:
    """Permanent labels in ``window``'s status bar, updated from each snapshot."""

    def __init__(self, window: QMainWindow) -> None:
        bar = window.statusBar()
        bar.setObjectName("status_bar")
        self.labels: dict[str, QLabel] = {}
        for name, tip, width in (
            ("epoch", "Epochs trained since the last Reset", 110),
            ("loss", "Training loss (data + regularization) of the last epoch", 130),
            ("accuracy", "Training accuracy of the last epoch", 130),
            ("learning_rate", "The current learning rate, after decay", 140),
            ("rate", "Training speed", 120),
        ):
            label = QLabel()
            label.setObjectName(f"status_{name}")
            label.setToolTip(tip)
            label.setMinimumWidth(width)
            bar.addPermanentWidget(label)
            self.labels[name] = label
        self.show_rate(None)

    def show_stats(self, stats: EpochStats, rate: float | None) -> None:
        self.labels["epoch"].setText(f"Epoch {stats.epoch:,}")
        self.labels["loss"].setText(f"loss {stats.loss:.4g}")
        self.labels["accuracy"].setText(f"accuracy {stats.accuracy:.3f}")
        self.labels["learning_rate"].setText(f"lr {stats.learning_rate:.4g}")
        if rate is not None:
            self.show_rate(rate)

    def show_rate(self, rate: float | None) -> None:
        if rate is None:
            text = "idle"
        elif rate <= 0:
            text = "– epochs/s"  # training, not measured yet (the first half second)
        else:
            text = f"{rate:,.0f} epochs/s"
        self.labels["rate"].setText(text)
