"""How many model calls run at once on CPU, and on how many intra-op threads each.

On CPU a small convolutional model keeps two cores busier as two one-thread calls than as one call split
over both: a one-thread session has no intra-op pool to wake and spin, and the cores are not left idle
between the layers of one call. The live camera (two frames in flight) and the batch engine (two stacks
at once) both use this split; a GPU already works while the CPU waits, so it keeps one call at a time.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

from desktop_app.core.runtime import providers as prov


@dataclass(frozen=True)
class CoreSplit:
    """Model calls at once, and intra-op threads per call (None: the card's hint or ONNX Runtime's default)."""

    calls: int
    threads: int | None


#: One call at a time on ONNX Runtime's default threads.
ONE_CALL = CoreSplit(1, None)


def usable_cores() -> int:
    """The CPUs this process may run on (container and affinity limits included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def core_split(provider: str, cores: int | None = None) -> CoreSplit:
    """Two calls at once on CPU with at least two cores, each on a quarter of the logical CPUs (half the
    physical cores on the usual two-way SMT laptop, at least one); one call on any other provider."""
    cores = cores or usable_cores()
    if provider != prov.CPU or cores < 2:
        return ONE_CALL
    return CoreSplit(2, max(1, cores // 4))


def lower_thread_priority(nice: int = 10) -> None:
    """Make the calling thread yield to the others (Linux: its own nice value), for background work beside
    a UI thread: with every core busy, the UI thread still gets a core at once when its timers fire.
    Elsewhere, and where the system refuses, nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError:
        pass
