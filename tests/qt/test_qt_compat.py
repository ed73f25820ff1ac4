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
