"""The None-refcount reserve keeps PySide6's processEvents() reference drop from aborting Python."""

from __future__ import annotations

import sys

from desktop_app.qt.qt_compat import guard_none_refcount


def test_processevents_many_times_does_not_exhaust_none(qapp) -> None:  # type: ignore[no-untyped-def]
    guard_none_refcount()
    before = sys.getrefcount(None)
    for _ in range(20_000):  # more than None's natural count on CPython 3.11 (about 9,000 at start)
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
    for _ in range(20_000):  # PySide6 6.12 / CPython 3.11 drops one reference to True per emit
        emitter.value.emit(True)
    assert sys.getrefcount(True) > 0
    if sys.version_info < (3, 12):
        assert sys.getrefcount(True) > 1 << 29 and sys.getrefcount(False) > 1 << 29
