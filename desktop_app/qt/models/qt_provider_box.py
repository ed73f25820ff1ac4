"""Provider choice (Auto / DirectML / CUDA / CPU / Strict GPU) with the health verdict of each provider.

A view: it emits the user's choice and re-check requests; the health results come from a worker."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.runtime import health as hc
from desktop_app.core.runtime import providers as prov

CHOICE_LABELS = {"auto": "Auto", "directml": "DirectML", "cuda": "CUDA", "cpu": "CPU", "strict-gpu": "Strict GPU"}


def verdict_text(item: hc.ProviderHealth) -> str:
    """'healthy' (with the test run's time), 'unhealthy' or 'not available'."""
    if not item.available:
        return "not available"
    if not item.healthy:
        return "unhealthy"
    return "healthy" if item.ms is None else f"healthy ({item.ms:.1f} ms)"


class QtProviderBox(QGroupBox):
    """Combo of provider choices and one verdict label per provider of the chain, plus Re-check."""

    choice_changed = Signal(str)
    recheck_requested = Signal()

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__("Execution provider", parent)
        self.setAccessibleName("Execution provider")
        self.combo = QComboBox()
        self.combo.setAccessibleName("Provider choice")
        self.combo.setToolTip("Which hardware runs the models; applies to the next run")
        for choice in prov.CHOICES:
            self.combo.addItem(CHOICE_LABELS[choice], choice)
        self.set_choice(current)
        self.combo.currentIndexChanged.connect(self._on_index_changed)
        label = QLabel("Provi&der:")
        label.setBuddy(self.combo)
        self.recheck = QPushButton("Re-chec&k")
        self.recheck.setAccessibleName("Re-check providers")
        self.recheck.setToolTip("Run the tiny test model on every provider again")
        self.recheck.clicked.connect(self.recheck_requested)
        self.verdicts: dict[str, QLabel] = {}
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.combo)
        top.addStretch(1)
        top.addWidget(self.recheck)
        row = QGridLayout()  # two verdicts a line: the dock stays narrow whatever the verdicts say
        row.setHorizontalSpacing(12)
        row.setVerticalSpacing(2)
        for i, provider in enumerate(prov.ALL_PROVIDERS):
            verdict = QLabel(f"{prov.short_name(provider)}: checking…")
            verdict.setAccessibleName(f"{prov.short_name(provider)} health")
            verdict.setWordWrap(True)  # a long verdict wraps in its cell instead of widening the dock (and window)
            self.verdicts[provider] = verdict
            row.addWidget(verdict, i // 2, i % 2)
        row.setColumnStretch(0, 1)  # the verdicts share the width (a wrapped label would not ask for more)
        row.setColumnStretch(1, 1)
        self.auto_label = QLabel()
        self.auto_label.setAccessibleName("Provider auto would use")
        self.auto_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row)
        layout.addWidget(self.auto_label)

    @property
    def choice(self) -> str:
        return str(self.combo.currentData())

    def set_choice(self, choice: str) -> None:
        """Show `choice` without emitting choice_changed (e.g. when the menu changed it)."""
        index = self.combo.findData(choice)
        if index >= 0 and index != self.combo.currentIndex():
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(index)
            self.combo.blockSignals(False)

    def show_checking(self) -> None:
        self.recheck.setEnabled(False)
        for provider, label in self.verdicts.items():
            label.setText(f"{prov.short_name(provider)}: checking…")
            label.setToolTip("")
        self.auto_label.setText("")

    def show_health(self, results: Sequence[hc.ProviderHealth]) -> None:
        self.recheck.setEnabled(True)
        for item in results:
            label = self.verdicts.get(item.provider)
            if label is None:
                continue
            mark = "●" if item.healthy else ("○" if not item.available else "✕")
            colour = "#2ea043" if item.healthy else ("gray" if not item.available else "#da3633")
            short = verdict_text(item).split(" (")[0]  # the test run's time is in the tooltip: docks are narrow
            label.setText(f"<span style='color: {colour}'>{mark}</span> {item.short}: {short}")
            label.setAccessibleDescription(f"{item.short}: {verdict_text(item)}; {item.detail}")
            label.setToolTip(item.detail if item.ms is None else f"{verdict_text(item)}: {item.detail}")
        provider, why = hc.choose(list(results))
        self.auto_label.setText(f"Auto uses {prov.short_name(provider)}.")
        self.auto_label.setToolTip(why)

    def show_failure(self, text: str) -> None:
        self.recheck.setEnabled(True)
        self.auto_label.setText(f"⚠ health check failed: {text}")

    def _on_index_changed(self, _index: int) -> None:
        self.choice_changed.emit(self.choice)
