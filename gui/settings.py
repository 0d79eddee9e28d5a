"""What the app remembers between launches: the last run, the window layout, the rates.

Settings live in Qt's usual per-user place (``QSettings``, organisation "BackpropLab",
application "Backprop Lab"). Setting ``BACKPROP_LAB_SETTINGS_DIR`` to a folder keeps them
in an INI file there instead; the tests use it so they never touch a user's settings.
"""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QByteArray, QSettings

from model.config import ConfigError, RunConfig

ORGANIZATION = "BackpropLab"
APPLICATION = "Backprop Lab"
ENV_VAR = "BACKPROP_LAB_SETTINGS_DIR"
FILE_NAME = "backprop-lab.ini"

#: Default refresh rates (per second) of curves, boundary and inspector.
DEFAULT_RATES = (30.0, 10.0, 5.0)
RATE_RANGE = (0.5, 60.0)


def open_settings() -> QSettings:
    """The app's settings store (an INI file in ``$BACKPROP_LAB_SETTINGS_DIR`` if set)."""
    folder = os.environ.get(ENV_VAR)
    if folder:
        return QSettings(os.path.join(folder, FILE_NAME), QSettings.Format.IniFormat)
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


class AppSettings:
    """Typed access to the stored values; anything unreadable falls back to the default."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.store = settings if settings is not None else open_settings()

    # --- the last run configuration ---------------------------------------------------
    def last_config(self) -> RunConfig | None:
        text = self.store.value("run/config")
        if not isinstance(text, str) or not text:
            return None
        try:
            return RunConfig.from_dict(json.loads(text))
        except (ConfigError, ValueError, TypeError):
            return None

    def set_last_config(self, config: RunConfig) -> None:
        self.store.setValue("run/config", json.dumps(config.to_dict()))

    # --- window layout ----------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.setValue("window/state", state)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.store.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # --- refresh rates ----------------------------------------------------------------
    def rates(self) -> tuple[float, float, float]:
        """(curves, boundary, inspector) refreshes per second."""
        out = []
        for key, default in zip(("curves", "boundary", "inspector"), DEFAULT_RATES, strict=True):
            try:
                value = float(self.store.value(f"rates/{key}", default))
            except (TypeError, ValueError):
                value = default
            low, high = RATE_RANGE
            out.append(value if low <= value <= high else default)
        return out[0], out[1], out[2]

    def set_rates(self, curves: float, boundary: float, inspector: float) -> None:
        for key, value in zip(
            ("curves", "boundary", "inspector"), (curves, boundary, inspector), strict=True
        ):
            self.store.setValue(f"rates/{key}", float(value))

    # --- views ------------------------------------------------------------------------
    def smoothing(self) -> float:
        """The curves' smoothing weight, 0 (off) to 0.99."""
        try:
            value = float(self.store.value("view/smoothing", 0.0))
        except (TypeError, ValueError):
            return 0.0
        return value if 0.0 <= value <= 0.99 else 0.0

    def set_smoothing(self, weight: float) -> None:
        self.store.setValue("view/smoothing", float(weight))

    # --- recent folders ---------------------------------------------------------------
    def last_folder(self) -> str:
        value = self.store.value("files/folder", "")
        return value if isinstance(value, str) and os.path.isdir(value) else os.getcwd()

    def set_last_folder(self, path: str) -> None:
        folder = path if os.path.isdir(path) else os.path.dirname(path)
        self.store.setValue("files/folder", folder)

    def sync(self) -> None:
        self.store.sync()
