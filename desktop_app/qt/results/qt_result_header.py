"""The line above every result: which file (and CSV row), which model, which provider really ran it
(with a warning and the reason when it fell back), and how long each stage took."""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.results import Result, Timings
from desktop_app.qt.results.qt_image import warning_colour


def source_text(result: Result) -> str:
    """'cat.jpg' or 'adult.csv · row 12' (frames and other non-file sources are shown as they are)."""
    name = PurePath(result.source).name or result.source
    return f"{name} · row {result.row}" if result.row is not None else name


def timings_text(t: Timings) -> str:
    """'decode 3.1 · pre 2.0 · infer 41.3 · post 0.2 ms'; empty when nothing was timed."""
    if t.total_ms <= 0:
        return ""
    return (f"decode {t.decode_ms:.1f} · pre {t.preprocess_ms:.1f} · infer {t.inference_ms:.1f} · "
            f"post {t.postprocess_ms:.1f} ms")


def model_text(result: Result) -> str:
    """'efficientnet-lite0 on CPU' (+ ' ⚠ fallback' when the provider asked for was not the one used)."""
    parts = [result.model_id or "no model"]
    if result.provider is not None:
        parts.append(f"on {result.provider.used_short}")
        if result.provider.fallback_reason:
            parts.append("⚠ fallback")
    return " ".join(parts)


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class QtResultHeader(QWidget):
    """Source, model + provider and timings of one Result, in two short lines (a third for a fallback)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_label = _label("Input")
        bold = QFont(self.source_label.font())
        bold.setBold(True)
        self.source_label.setFont(bold)
        self.model_label = _label("Model and provider")
        self.timings_label = _label("Stage timings")
        self.fallback_label = _label("Provider fallback")
        self.fallback_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(self.source_label)
        layout.addWidget(self.model_label)
        layout.addWidget(self.timings_label)
        layout.addWidget(self.fallback_label)
        self._recolour()

    def set_result(self, result: Result) -> None:
        self.source_label.setText(source_text(result))
        self.source_label.setToolTip(result.source)
        self.model_label.setText(model_text(result))
        timings = timings_text(result.timings)
        self.timings_label.setText(timings)
        self.timings_label.setVisible(bool(timings))
        reason = result.provider.fallback_reason if result.provider else None
        self.fallback_label.setText(f"⚠ {reason}" if reason else "")
        self.fallback_label.setVisible(bool(reason))
        self.model_label.setToolTip(reason or "")

    def _recolour(self) -> None:
        palette = QPalette(self.fallback_label.palette())
        palette.setColor(QPalette.ColorRole.WindowText, warning_colour(self.palette()))
        self.fallback_label.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()
        super().changeEvent(event)
