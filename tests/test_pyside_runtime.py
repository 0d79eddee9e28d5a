"""The PySide6 runtime we run on is not the broken PySide6-Essentials 6.12.0 + CPython 3.11 pair.

On CPython < 3.12 (no immortal objects) PySide6-Essentials 6.12.0 drops a reference to True on
every Python-side ``Signal.emit()`` and one to None on every void-returning Qt method, and the
interpreter dies ("bool_dealloc", "none_dealloc") after a few hundred to a few thousand calls.
The stress tests run in a subprocess so such a crash fails one test instead of the whole session.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

CALLS = 100_000  # far past the few thousand calls the broken pair survives
REFCOUNT_DRIFT_LIMIT = 1_000  # a leak shows as drift of about CALLS
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

_PRELUDE = """
import json, sys
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

CALLS = int(sys.argv[1])
app = QApplication([])


class Emitter(QObject):
    fired = Signal(int)


class Counter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    @Slot(int)
    def on_fired(self, value):
        self.count += 1
"""

_EMIT_SIGNAL = """
emitter, counter = Emitter(), Counter()
emitter.fired.connect(counter.on_fired)
before = sys.getrefcount(True), sys.getrefcount(None)
for i in range(CALLS):
    emitter.fired.emit(i)
after = sys.getrefcount(True), sys.getrefcount(None)
print(json.dumps({"slot_calls": counter.count, "before": before, "after": after}))
"""

_CALL_VOID_METHODS = """
obj, widget = QObject(), QWidget()
before = sys.getrefcount(True), sys.getrefcount(None)
for _ in range(CALLS):
    obj.setObjectName("x")
    widget.update()
after = sys.getrefcount(True), sys.getrefcount(None)
print(json.dumps({"before": before, "after": after}))
"""


def _run_qt_script(body: str) -> dict:
    """Run ``body`` after the Qt prelude in a fresh offscreen interpreter; return its JSON line."""
    script = _PRELUDE + body
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(CALLS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    crashed = "Fatal Python error" in proc.stderr
    assert not crashed, f"the interpreter crashed:\n{proc.stderr[-2000:]}"
    assert proc.returncode == 0, f"exit code {proc.returncode}:\n{proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _assert_no_refcount_drift(result: dict) -> None:
    for name, before, after in zip(
        ("True", "None"), result["before"], result["after"], strict=True
    ):
        assert abs(after - before) < REFCOUNT_DRIFT_LIMIT, (
            f"refcount of {name} drifted by {after - before} over {CALLS} calls"
        )


def test_emitting_a_signal_100k_times_neither_crashes_nor_leaks():
    result = _run_qt_script(_EMIT_SIGNAL)

    assert result["slot_calls"] == CALLS
    _assert_no_refcount_drift(result)


def test_calling_void_qt_methods_100k_times_neither_crashes_nor_leaks():
    result = _run_qt_script(_CALL_VOID_METHODS)

    _assert_no_refcount_drift(result)


def test_installed_pyside6_is_not_6_12_on_python_below_3_12():
    import PySide6

    major, minor = PySide6.__version_info__[:2]

    assert not ((major, minor) == (6, 12) and sys.version_info < (3, 12)), (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} is the broken pair"
    )


def _project_dependencies() -> list[str]:
    text = PYPROJECT.read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)["project"]["dependencies"]
    # Python 3.10 has no tomllib; the dependency array is one quoted string per line.
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.DOTALL | re.MULTILINE)
    assert block, "no [project] dependencies array in pyproject.toml"
    return re.findall(r'^\s*"([^"]+)"', block.group(1), re.MULTILINE)


def test_pyproject_never_allows_pyside6_6_12_0_on_python_below_3_12():
    requirements = [Requirement(dep) for dep in _project_dependencies()]
    pyside = [req for req in requirements if req.name.lower() == "pyside6-essentials"]

    for python_version in ("3.10", "3.11"):
        environment = {"python_version": python_version, "python_full_version": python_version}
        active = [req for req in pyside if req.marker is None or req.marker.evaluate(environment)]
        assert active, f"no PySide6-Essentials requirement applies on Python {python_version}"
        for req in active:
            assert not req.specifier.contains("6.12.0"), (
                f"'{req}' allows PySide6-Essentials 6.12.0 on Python {python_version}"
            )
