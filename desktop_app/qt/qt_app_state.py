"""The Qt face of the core's evented state: registry snapshots and settings changes become signals
delivered on the UI thread, whichever thread announced them (the card watcher, an import worker, the UI)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.observable import Subscription
from desktop_app.core.services import AppServices, SettingsChange


class QtAppState(QObject):
    """Subscribes to the services' observers; panels connect to its signals instead of being pushed state.

    Announcements from the UI thread are delivered at once; from other threads they are queued to it."""

    models_changed = Signal(object)  # RegistrySnapshot
    settings_changed = Signal(object)  # SettingsChange
    provider_changed = Signal(str)  # the new provider choice
    _relay = Signal(str, object)  # (what, value): crosses to this object's thread when needed

    def __init__(self, services: AppServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._relay.connect(self._deliver)  # auto: direct in the UI thread, queued from any other
        self._subscriptions: list[Subscription] = [
            services.registry.changed.subscribe(lambda snapshot: self._announce("models", snapshot)),
            services.settings_changed.subscribe(lambda change: self._announce("settings", change)),
        ]

    @classmethod
    def of(cls, services: AppServices, state: QtAppState | None, owner: QObject) -> QtAppState:
        """`state` when a window shares one, else a private adapter owned by `owner` (a panel built alone)."""
        return state if state is not None else cls(services, owner)

    @property
    def models(self) -> RegistrySnapshot:
        """The latest registry snapshot (scans once if none was taken yet)."""
        return self.services.registry.snapshot()

    def close(self) -> None:
        """Stop listening (the window calls this on close); later announcements reach no widget."""
        for subscription in self._subscriptions:
            subscription.close()
        self._subscriptions.clear()

    def _announce(self, what: str, value: object) -> None:
        try:
            self._relay.emit(what, value)
        except RuntimeError:  # the Qt object was deleted with its owner: stop listening
            self.close()

    @Slot(str, object)
    def _deliver(self, what: str, value: Any) -> None:
        if not self._subscriptions:
            return  # closed while the announcement was queued
        if what == "models":
            self.models_changed.emit(value)
            return
        change: SettingsChange = value
        self.settings_changed.emit(change)
        if change.provider_changed:
            self.provider_changed.emit(change.new.provider)
