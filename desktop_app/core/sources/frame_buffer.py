"""A thread-safe one-slot buffer between a capture thread and a slower consumer: the newest frame wins.

A frame put while the previous one has not been taken replaces it and counts as dropped, so the
consumer always works on the freshest picture and memory stays bounded to one frame.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class BufferedFrame(NamedTuple):
    """A frame with its capture time (time.perf_counter seconds) and sequence number (1, 2, …)."""

    frame: np.ndarray
    t_capture: float
    seq: int


@dataclass(frozen=True)
class BufferCounters:
    """Frames put (captured), handed out (taken) and overwritten before anyone took them (dropped)."""

    captured: int
    taken: int
    dropped: int


class FrameBuffer:
    """One slot; `put` never blocks, `get` waits for a frame newer than the last one taken."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._slot: BufferedFrame | None = None
        self._closed = False
        self._captured = 0
        self._taken = 0
        self._dropped = 0

    def put(self, frame: np.ndarray, t_capture: float | None = None) -> int:
        """Store a frame (replacing an untaken one, which counts as dropped) -> its seq; 0 once closed."""
        t = time.perf_counter() if t_capture is None else t_capture
        with self._cond:
            if self._closed:
                return 0
            if self._slot is not None:
                self._dropped += 1
            self._captured += 1
            self._slot = BufferedFrame(frame, t, self._captured)
            self._cond.notify_all()
            return self._captured

    def get(self, timeout: float | None = None) -> BufferedFrame | None:
        """The newest frame, waiting up to `timeout` s (None: forever) -> None on timeout or once closed."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._slot is not None or self._closed, timeout):
                return None
            if self._closed:
                return None
            item, self._slot = self._slot, None
            self._taken += 1
            return item

    def close(self) -> None:
        """Refuse further frames and wake every waiting `get` (None); an untaken frame counts as dropped,
        so captured == taken + dropped always holds once closed."""
        with self._cond:
            self._closed = True
            if self._slot is not None:
                self._dropped += 1
            self._slot = None
            self._cond.notify_all()

    def reopen(self) -> None:
        """Accept frames again after `close` (a retry); the counters carry on."""
        with self._cond:
            self._closed = False

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def counters(self) -> BufferCounters:
        with self._cond:
            return BufferCounters(self._captured, self._taken, self._dropped)
