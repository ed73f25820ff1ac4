"""How long the process has been alive: the app's own measure of launch-to-window time."""

from __future__ import annotations

import os
import time

_IMPORTED_AT = time.monotonic()


def process_age_s() -> float:
    """Seconds since this process started (from /proc on Linux; else since this module was imported)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat: start time in clock ticks after boot
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED_AT
