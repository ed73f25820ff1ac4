"""Watches the model cards on disk: a core thread that calls ModelRegistry.refresh() about once a second,
so an edited, broken, added or removed card is announced to every view (the UI thread never parses TOML)."""

from __future__ import annotations

import logging
import threading

from desktop_app.core.models.registry import ModelRegistry

log = logging.getLogger(__name__)


class CardWatcher:
    """Polls `registry.refresh()` every `interval_s` on its own thread; started and stopped (joined) by the
    composition root. A failing refresh is logged and tried again at the next tick."""

    def __init__(self, registry: ModelRegistry, interval_s: float = 1.0) -> None:
        self.registry = registry
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start polling (a no-op while already running)."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="card-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the thread to end and join it (a refresh in progress finishes first)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)
            if thread.is_alive():
                log.warning("the card watcher did not stop within %.1f s", timeout_s)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.registry.refresh()
            except Exception:
                log.exception("model cards could not be re-read")
