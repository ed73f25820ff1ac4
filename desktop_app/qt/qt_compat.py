"""Workarounds for PySide6 behaviours the app must survive."""

from __future__ import annotations

import ctypes
import sys

_TOP_UP = 1 << 30


def guard_none_refcount() -> None:
    """PySide6 (seen on 6.9 to 6.12 with CPython 3.11) drops one reference to None on each call of some
    static void methods, e.g. QApplication.processEvents(); when None's count reaches zero CPython aborts
    with "none_dealloc". The same happens to True/False on every emit of a `Signal(object)` carrying a
    bool (pyqtgraph emits such signals on each range or data change: "bool_dealloc"). None, True and False
    are never freed anyway, so give each a large reserve once. CPython 3.12+ makes them immortal, so
    nothing is done there."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    for singleton in (None, True, False):
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is the first field of every object
        if refcnt.value < _TOP_UP:
            refcnt.value += _TOP_UP
