"""Layout of the microphone panel: device row, warnings/errors strip, level meter and statistics, the
waveform plot, the segment table, and the segment settings. No behaviour here (see QtMicrophonePanel)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.results import SpeechSegment
from desktop_app.core.tasks.vad import SegmentParams
from desktop_app.qt.microphone.qt_level_meter import QtLevelMeter
from desktop_app.qt.microphone.qt_mic_plot import QtMicPlot
from desktop_app.qt.microphone.qt_mic_segments import QtSegmentTable
from desktop_app.qt.microphone.qt_mic_updates import MicOpened, MicUpdate

STRIP_STYLES = {
    "warning": "background: #fff4c2; color: #5a4500; border: 1px solid #e0c060; border-radius: 3px; padding: 4px;",
    "error": "background: #fde0dc; color: #7a1a10; border: 1px solid #e09080; border-radius: 3px; padding: 4px;",
}
SPEECH_STYLE = "background: #28aa5a; color: white; border-radius: 3px; padding: 2px 6px;"


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


class QtMicView(QWidget):
    """The widgets of the microphone panel, laid out."""

    def __init__(self, defaults: SegmentParams, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device_combo = QComboBox()
        self.device_combo.setAccessibleName("Input device")
        self.device_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.device_combo.setMinimumContentsLength(20)
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        device_label = QLabel("&Device:")
        device_label.setBuddy(self.device_combo)
        self.refresh_button = _button("&Refresh", "Refresh devices", "List the input devices again")
        self.start_button = _button("&Start", "Start capture", "Start listening to the selected microphone")
        self.record_button = _button("Re&cord…", "Record to WAV",
                                     "Record the raw microphone input (its own rate and channels) to a WAV file")
        self.analyse_button = _button("Analyse &file…", "Analyse an audio file",
                                      "Run voice activity detection over a (long) audio file")
        self.export_button = _button("&Export segments…", "Export segments", "Save the segment list as CSV or JSON")
        top = QHBoxLayout()
        for widget in (device_label, self.device_combo, self.refresh_button, self.start_button, self.record_button,
                       self.analyse_button):
            top.addWidget(widget)
        top.setStretchFactor(self.device_combo, 1)

        self.strip = QLabel()
        self.strip.setWordWrap(True)
        self.strip.setAccessibleName("Microphone warnings and errors")
        self.strip.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.strip.hide()

        self.meter = QtLevelMeter()
        self.speech_label = QLabel("Idle")
        self.speech_label.setAccessibleName("Speech now")
        self.speech_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.speech_label.setMinimumWidth(self.speech_label.fontMetrics().horizontalAdvance("  Speech  ") + 16)
        self.stats_label = QLabel("Not capturing")
        self.stats_label.setAccessibleName("Capture statistics")
        self.stats_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("File analysis progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()
        levels = QHBoxLayout()
        levels.addWidget(self.meter, 3)
        levels.addWidget(self.speech_label)
        levels.addWidget(self.stats_label, 2)

        self.plot = QtMicPlot()
        self.plot.setMinimumHeight(160)
        self.table = QtSegmentTable()
        self.summary_label = QLabel("No speech segments yet")
        self.summary_label.setAccessibleName("Segment summary")

        segments_box = QWidget()
        seg_layout = QVBoxLayout(segments_box)
        seg_layout.setContentsMargins(0, 0, 0, 0)
        seg_head = QHBoxLayout()
        seg_head.addWidget(self.summary_label, 1)
        seg_head.addWidget(self.export_button)
        seg_layout.addLayout(seg_head)
        seg_layout.addWidget(self.table)

        lower = QHBoxLayout()
        lower.addWidget(segments_box, 3)
        lower.addWidget(self._settings_box(defaults), 1)
        lower_widget = QWidget()
        lower_widget.setLayout(lower)
        lower.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.plot)
        self.splitter.addWidget(lower_widget)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.strip)
        layout.addLayout(levels)
        layout.addWidget(self.progress)
        layout.addWidget(self.splitter, 1)

    def _settings_box(self, defaults: SegmentParams) -> QGroupBox:
        box = QGroupBox("Segment settings (next start)")
        box.setAccessibleName("Segment settings")
        self.onset_spin = self._prob_spin("Onset", defaults.onset, "Speech starts when the probability reaches this")
        self.offset_spin = self._prob_spin("Offset", defaults.offset,
                                           "Speech may end when the probability falls below this")
        self.min_speech_spin = self._ms_spin("Minimum speech", defaults.min_speech_ms,
                                             "Shorter bursts of speech are ignored")
        self.min_silence_spin = self._ms_spin("Minimum silence", defaults.min_silence_ms,
                                              "A segment ends only after this much silence")
        form = QFormLayout(box)
        form.addRow("O&nset:", self.onset_spin)
        form.addRow("O&ffset:", self.offset_spin)
        form.addRow("Min &speech:", self.min_speech_spin)
        form.addRow("Min si&lence:", self.min_silence_spin)
        return box

    @staticmethod
    def _prob_spin(name: str, value: float, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.01, 0.99)
        spin.setSingleStep(0.05)
        spin.setDecimals(2)
        spin.setValue(value)
        spin.setAccessibleName(name)
        spin.setToolTip(tip)
        return spin

    @staticmethod
    def _ms_spin(name: str, value: float, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(0, 10_000)
        spin.setSingleStep(50)
        spin.setSuffix(" ms")
        spin.setValue(int(round(value)))
        spin.setAccessibleName(name)
        spin.setToolTip(tip)
        return spin

    def show_strip(self, text: str, kind: str) -> None:
        """A warning or an error in the strip; empty text hides it."""
        self.strip.setVisible(bool(text))
        self.strip.setText(text)
        self.strip.setStyleSheet(STRIP_STYLES.get(kind, ""))
        self.strip.setProperty("kind", kind)

    def show_stats(self, info: MicOpened | None, update: MicUpdate | None, running: bool) -> None:
        """Stream format, model and provider; captured/dropped counts; recording length."""
        parts = []
        fallback = info.provider.fallback_reason if info is not None else None
        if info is not None:
            provider = info.provider.used_short + (" ⚠ fallback" if fallback else "")
            parts.append(f"{info.native_rate} Hz × {info.channels} ch → {info.target_rate / 1000:g} kHz · "
                         f"{info.model_id} on {provider}")
        if update is not None and update.progress is None:
            parts.append(f"captured {update.captured} · dropped {update.dropped} · overflows {update.overflows}")
        if update is not None and update.recording_s is not None:
            parts.append(f"recording {update.recording_s:.1f} s")
        self.stats_label.setText("\n".join(parts) if parts else ("Starting…" if running else "Not capturing"))
        self.stats_label.setToolTip(f"Provider fallback: {fallback}" if fallback else "")

    def show_summary(self, segments: list[SpeechSegment]) -> None:
        speech = sum(s.end_s - s.start_s for s in segments)
        self.summary_label.setText(f"{len(segments)} speech segment(s), {speech:.1f} s of speech" if segments
                                   else "No speech segments yet")

    def show_update(self, update: MicUpdate) -> None:
        """Waveform, new segments, levels, speech indicator and file progress of one update."""
        self.plot.add(update)
        self.table.add_segments(update.segments)
        self.meter.set_levels(update.rms_dbfs, update.peak_dbfs, update.clipped)
        self.speech_label.setText("Speech" if update.in_speech else "Silence")
        self.speech_label.setStyleSheet(SPEECH_STYLE if update.in_speech else "")
        if update.progress is not None:
            self.progress.setValue(int(update.progress * 1000))

    def show_idle(self) -> None:
        self.progress.hide()
        self.speech_label.setText("Idle")
        self.speech_label.setStyleSheet("")

    def strip_state(self) -> tuple[str, str]:
        """(kind, text) of the strip; ('', '') when hidden."""
        if self.strip.isHidden():
            return "", ""
        return str(self.strip.property("kind") or ""), self.strip.text()
