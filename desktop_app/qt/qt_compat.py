"""Workarounds for PySide6 behaviours the app must survive."""

from __future__ import annotations

import ctypes
import sys

_TOP_UP = 1 << 30


def guard_none_refcount() -> None:
    """Give None, True and False a large reserve of references once (CPython 3.11; 3.12+ makes them immortal).

    PySide6 6.12.0 on CPython 3.11 drops one reference to None on each call of a static void method
    (processEvents, sendPostedEvents, QThread.msleep, QTimer.singleShot) and one to True on each emit of True
    through Signal(object) or Signal(bool); CPython then aborts with "none_dealloc" / "bool_dealloc" after
    about 5,000 / 600 calls. Measured on CPython 3.11.7 without this reserve, no loss and no abort in
    5,000,000 calls: 6.7.3, 6.8.3, 6.9.0, 6.9.3, 6.10.0, 6.10.3, 6.11.0, 6.11.3. pyproject.toml pins below
    6.12 and tests/qt/test_qt_compat.py fails if the installed release loses references; the reserve is
    the net for a release that does (these objects are never freed, so the reserve costs nothing)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is the first field of every object
        if refcnt.value < _TOP_UP:
            refcnt.value += _TOP_UP
