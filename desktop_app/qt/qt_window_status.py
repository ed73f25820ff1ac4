"""The main window's status bar: active model, provider used, last latency, broken model cards and unsaved
settings; it follows the app state's signals, nobody pushes state into it."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar

from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.results import Result
from desktop_app.core.services import MODEL_FOR_KIND, SettingsChange
from desktop_app.qt.qt_app_state import QtAppState

MESSAGE_MS = 8000


class QtWindowStatus(QObject):
    """Owns the permanent labels of `bar` and keeps them in step with `state`."""

    def __init__(self, bar: QStatusBar, state: QtAppState) -> None:
        super().__init__(bar)
        self.bar, self.state = bar, state
        self.model_label = QLabel()
        self.provider_label = QLabel()
        self.latency_label = QLabel("—")
        self.settings_label = QLabel("⚠ settings not saved")  # shown while the settings file cannot be written
        self.problems_label = QLabel()  # shown while some model card cannot be read
        for label, name in ((self.problems_label, "Model card problems"), (self.settings_label, "Settings not saved"),
                            (self.model_label, "Active model"), (self.provider_label, "Provider used"),
                            (self.latency_label, "Last latency")):
            label.setAccessibleName(name)
            bar.addPermanentWidget(label)
        self.settings_label.hide()
        self._problems: tuple[str, ...] = ()
        self.show_model(state.services.model_for("image"))
        self.show_provider(None)
        self.show_problems(state.models)
        state.settings_changed.connect(self._on_settings_changed)
        state.models_changed.connect(self.show_problems)

    def show_message(self, text: str) -> None:
        self.bar.showMessage(text, MESSAGE_MS)

    def show_model(self, model_id: str) -> None:
        self.model_label.setText(f"Model: {model_id}")

    def show_provider(self, result: Result | None) -> None:
        """The provider that really ran `result`, with any fallback; the choice alone before a run."""
        asked = self.state.services.settings.provider
        report = result.provider if result else None
        if report is None:
            self.provider_label.setText(f"Provider: {asked} (not run yet)")
            self.provider_label.setToolTip("")
            return
        text = f"Provider: {report.used_short}"
        if report.fallback_reason:
            text += " ⚠ fallback"
            self.provider_label.setToolTip(report.fallback_reason)
        else:
            self.provider_label.setToolTip(f"asked for {asked}; got {report.used_short}")
        self.provider_label.setText(text)

    def show_result(self, result: Result) -> None:
        if result.model_id:
            self.show_model(result.model_id)
        self.show_provider(result)
        self.latency_label.setText(f"{result.timings.total_ms:.1f} ms" if result.ok else "last item failed")

    def show_problems(self, snapshot: RegistrySnapshot) -> None:
        """A lasting mark while cards are broken (each reason in its tooltip); a new problem also as a message."""
        new = [p for p in snapshot.problems if p not in self._problems]
        self._problems = snapshot.problems
        count = len(snapshot.problems)
        self.problems_label.setText(f"⚠ {count} model card problem{'s' if count != 1 else ''}")
        self.problems_label.setToolTip("\n".join(snapshot.problems))
        self.problems_label.setVisible(count > 0)
        if new:
            self.show_message(f"model card problem: {new[0]}")

    def _on_settings_changed(self, change: SettingsChange) -> None:
        error = change.save_error
        self.settings_label.setVisible(bool(error))
        self.settings_label.setToolTip(error or "")
        for kind, name in MODEL_FOR_KIND.items():
            if change.changed(name):
                model_id = str(getattr(change.new, name))
                self.show_model(model_id)
                self.show_message(f"{kind} inputs now go to {model_id}")
        if change.provider_changed:
            self.show_provider(None)
            self.show_message(f"provider set to {change.new.provider}; it applies to the next run")
        if error:
            self.show_message(error)
