"""PySide6 and the reference counts of None/True/False on CPython 3.11 (see desktop_app/qt/qt_compat.py).

The installed release must not drop references (checked in a child process, without the reserve), and the
reserve must hold if a release that does is ever installed."""

from __future__ import annotations

import json
import subprocess
import sys

from desktop_app.qt.qt_compat import guard_none_refcount

CALLS = 20_000  # far more than the natural counts at start-up (None about 5,000, True about 600, False about 650)

# Runs without the reserve: a release that drops a reference per call aborts here ("none_dealloc").
_DRIFT_PROBE = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import PySide6
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal
from PySide6.QtWidgets import QApplication

app = QApplication([])

class Emitter(QObject):
    value = Signal(object)
    flag = Signal(bool)

emitter = Emitter()
emitter.value.connect(lambda _v: None)
emitter.flag.connect(lambda _v: None)
calls = {
    "processEvents": (QApplication.processEvents, None),
    "sendPostedEvents": (QCoreApplication.sendPostedEvents, None),
    "QThread.msleep(0)": (lambda: QThread.msleep(0), None),
    "Signal(object).emit(True)": (lambda: emitter.value.emit(True), True),
    "Signal(object).emit(False)": (lambda: emitter.value.emit(False), False),
    "Signal(bool).emit(True)": (lambda: emitter.flag.emit(True), True),
}
lost = {}
for name, (call, singleton) in calls.items():
    call()
    before = sys.getrefcount(singleton)
    for _ in range(int(sys.argv[1])):
        call()
    lost[name] = (before - sys.getrefcount(singleton)) / int(sys.argv[1])
print(json.dumps({"pyside": PySide6.__version__, "lost_per_call": lost}))
"""


def test_installed_pyside_keeps_references_to_none_true_false() -> None:
    """The pin in pyproject.toml keeps PySide6 below 6.12.0, which drops one reference per call (measured)."""
    done = subprocess.run([sys.executable, "-c", _DRIFT_PROBE, str(CALLS)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, (
        f"without the reserve, {CALLS} calls aborted Python (return code {done.returncode}): the installed PySide6 "
        f"drops references to None/True/False; pin a release below it.\n{done.stderr[-1500:]}")
    report = json.loads(done.stdout)
    drifting = {name: lost for name, lost in report["lost_per_call"].items() if lost > 0.01}
    assert not drifting, f"PySide6 {report['pyside']} loses references per call: {drifting}"


def test_processevents_many_times_does_not_exhaust_none(qapp) -> None:  # type: ignore[no-untyped-def]
    guard_none_refcount()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        qapp.processEvents()
    assert sys.getrefcount(None) > 0
    if sys.version_info < (3, 12):
        assert before > 1 << 29


def test_emitting_bools_through_object_signals_does_not_exhaust_true(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        value = Signal(object)

    guard_none_refcount()
    emitter = Emitter()
    emitter.value.connect(lambda _v: None)
    for _ in range(CALLS):
        emitter.value.emit(True)
    assert sys.getrefcount(True) > 0
    if sys.version_info < (3, 12):
        assert sys.getrefcount(True) > 1 << 29 and sys.getrefcount(False) > 1 << 29
