"""A tiny thread-safe observer: state owners announce changes, front ends subscribe (no Qt here).

Subscribers run in the announcing thread; the Qt layer re-delivers on the UI thread (qt_app_state.py).
A subscriber that raises is logged and the others are still told."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Subscription:
    """What `subscribe` returns: call `close()` to stop being told."""

    def __init__(self, cancel: Callable[[], None]) -> None:
        self._cancel: Callable[[], None] | None = cancel

    def close(self) -> None:
        cancel, self._cancel = self._cancel, None
        if cancel is not None:
            cancel()


class Observable(Generic[T]):
    """Announces values of type T to its subscribers, in subscription order."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._subscribers: dict[int, Callable[[T], None]] = {}
        self._next = 0
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[T], None]) -> Subscription:
        """Call `callback(value)` on every `emit` from now on, until the subscription is closed."""
        with self._lock:
            key = self._next
            self._next += 1
            self._subscribers[key] = callback

        def cancel() -> None:
            with self._lock:
                self._subscribers.pop(key, None)

        return Subscription(cancel)

    def emit(self, value: T) -> None:
        """Tell every subscriber (outside the lock, so subscribers may subscribe or unsubscribe)."""
        with self._lock:
            callbacks = list(self._subscribers.values())
        for callback in callbacks:
            try:
                callback(value)
            except Exception:
                log.exception("a subscriber of %s failed", self.name or "an observable")

    def __len__(self) -> int:
        with self._lock:
            return len(self._subscribers)
