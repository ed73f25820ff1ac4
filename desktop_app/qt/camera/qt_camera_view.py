"""The camera panel's widgets and layout (no behaviour: QtCameraPanel connects them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from desktop_app.qt.camera.qt_camera_modes import QtModeControls
from desktop_app.qt.camera.qt_camera_stats import QtCameraStatsStrip
from desktop_app.qt.camera.qt_flow_layout import QtFlowLayout, control_group
from desktop_app.qt.camera.qt_live_canvas import QtLiveCanvas
from desktop_app.qt.results.qt_image import error_colour
from desktop_app.qt.results.qt_score_bars import QtScoreBars

#: (label, (width, height) or None for the source's own format)
RESOLUTIONS: tuple[tuple[str, tuple[int, int] | None], ...] = (
    ("Default", None), ("640 × 480", (640, 480)), ("1280 × 720", (1280, 720)))
BARS_BESIDE_MIN_WIDTH = 720  # px of panel: narrower, a classifier's score bars go under the video
SOURCE_HINT = "Camera index, video file or stream URL (http://…, rtsp://…)"


def _named(widget: QWidget, name: str, tip: str = "") -> None:
    widget.setAccessibleName(name)
    if tip:
        widget.setToolTip(tip)


def _button(text: str, name: str, tip: str, checkable: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setCheckable(checkable)
    _named(button, name, tip)
    return button


def _check(text: str, name: str, tip: str, checked: bool) -> QCheckBox:
    box = QCheckBox(text)
    box.setChecked(checked)
    _named(box, name, tip)
    return box


def _labelled(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class QtMessageStrip(QFrame):
    """A plain one-line problem message with a Retry button; hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Camera message")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        _named(self.label, "Camera problem")
        self.retry_button = _button("Retr&y", "Retry", "Open the source again")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        self.hide()

    def show_problem(self, text: str, retry: bool = True) -> None:
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, error_colour(self.palette()))
        self.label.setPalette(palette)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.retry_button.setVisible(retry)
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.setAccessibleDescription("")
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""


class QtCameraView(QWidget):
    """Source row, model row, overlay row, message strip, live video (+ top-k bars), stats strip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_combo = QComboBox()
        self.source_combo.setEditable(True)
        self.source_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.source_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.source_combo.setMinimumWidth(self.source_combo.fontMetrics().horizontalAdvance("x" * 24))
        line_edit = self.source_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(SOURCE_HINT)
        _named(self.source_combo, "Camera source", SOURCE_HINT)
        self.browse_button = _button("&Browse…", "Choose video file", "Play a video file as the camera")
        self.resolution_combo = QComboBox()
        _named(self.resolution_combo, "Resolution", "Asked of local cameras; files and streams keep their own")
        for text, size in RESOLUTIONS:
            self.resolution_combo.addItem(text, size)
        self.loop_check = _check("Loo&p files", "Loop video files", "Restart a video file at its end", True)

        self.model_combo = QComboBox()
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.model_combo.setMinimumContentsLength(16)
        _named(self.model_combo, "What to see", "Faces with expressions, people's poses, objects, the background "
               "blurred or replaced, or any detector, segmenter, pose model or classifier by name")
        self.mode_controls = QtModeControls()
        self.threshold_slider = QSlider(Qt.Orientation.Horizontal)
        self.threshold_slider.setRange(0, 100)
        self.threshold_slider.setPageStep(5)
        self.threshold_slider.setMinimumWidth(120)
        _named(self.threshold_slider, "Score threshold", "Faces and objects scoring below this are not shown (applies live)")
        self.threshold_value = QLabel("0.50")
        self.threshold_value.setMinimumWidth(self.threshold_value.fontMetrics().horizontalAdvance("0.000"))
        _named(self.threshold_value, "Score threshold value")
        self.threshold_row = control_group(_labelled("&Threshold:", self.threshold_slider), self.threshold_slider,
                                           self.threshold_value)
        self.start_button = _button("St&art", "Start camera", "Start or stop capture and live detection")
        self.start_button.setDefault(True)

        self.boxes_check = _check("Bo&xes", "Show boxes", "Draw face and object boxes", True)
        self.landmarks_check = _check("Lan&dmarks", "Show landmarks", "Draw face landmarks, keypoints and skeletons", True)
        self.labels_check = _check("Lab&els", "Show labels", "Draw scores and expressions", True)
        self.mirror_check = _check("M&irror", "Mirror view", "Flip the picture left to right, like a mirror", False)
        self.snapshot_button = _button("S&napshot…", "Save snapshot", "Save the current frame as PNG")
        self.snapshot_overlay_check = _check("with o&verlay", "Snapshot with overlay",
                                             "Draw boxes and labels into the snapshot", True)
        self.record_button = _button("&Record…", "Record video", "Record the annotated stream to a video file",
                                     checkable=True)

        self.message = QtMessageStrip()
        self.canvas = QtLiveCanvas()
        self.canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.score_bars = QtScoreBars()
        self.score_bars.setMinimumWidth(200)  # long class names are elided (full in the tooltip)
        self.score_bars.hide()
        self.stats = QtCameraStatsStrip()
        self._layout()

    def show_mode(self, key: str) -> None:
        """Show the controls that do something in mode `key`: Background draws no boxes, keypoints or labels
        (the picture is the effect) and the score threshold does not shape its person mask."""
        background = key == "background"
        widget: QWidget
        for widget in (self.threshold_row, self.boxes_check, self.landmarks_check, self.labels_check,
                       self.snapshot_overlay_check):
            widget.setVisible(not background)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        """A classifier's score bars sit beside the video where the panel is wide, under it where it is narrow
        (beside, they would squeeze the video to its minimum)."""
        super().resizeEvent(event)
        narrow = event.size().width() < BARS_BESIDE_MIN_WIDTH
        direction = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.video_row.direction() != direction:
            self.video_row.setDirection(direction)

    def _layout(self) -> None:
        """Three labelled rows (source, what to see, overlay) that wrap when the panel is narrow, the mode's
        own row, then the video and the stats strip."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        source_row = QtFlowLayout()
        source_row.add(self.source_combo)
        for widget in (self.browse_button,
                       control_group(_labelled("Reso&lution:", self.resolution_combo), self.resolution_combo),
                       self.loop_check):
            source_row.add(widget)
        model_row = QtFlowLayout()
        model_row.add(self.model_combo)
        model_row.add(self.threshold_row)
        model_row.add(self.start_button, push_right=True)
        overlay_row = QtFlowLayout()
        for widget in (self.boxes_check, self.landmarks_check, self.labels_check, self.mirror_check):
            overlay_row.add(widget)
        overlay_row.add(control_group(self.snapshot_button, self.snapshot_overlay_check, self.record_button),
                        push_right=True)
        line = self.source_combo.sizeHint().height()
        for row, text, buddy, flow in ((0, "&Source:", self.source_combo, source_row),
                                       (1, "S&how:", self.model_combo, model_row),
                                       (3, "View:", None, overlay_row)):
            label = _labelled(text, buddy) if buddy is not None else QLabel(text)
            label.setMinimumHeight(line)  # level with the first line of its row when the row wraps
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(flow, row, 1)
        grid.addWidget(self.mode_controls, 2, 1)  # the mode's own controls, under its choice
        grid.setColumnStretch(1, 1)

        self.video_row = video_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        video_row.addWidget(self.canvas, 1)
        video_row.addWidget(self.score_bars, 0, Qt.AlignmentFlag.AlignTop)
        root = QVBoxLayout(self)
        root.addLayout(grid)
        root.addWidget(self.message)
        root.addLayout(video_row, 1)
        root.addStretch(0)  # height the video cannot use (its shape caps it) goes here, not between the rows
        root.addWidget(self.stats)
        self.setTabOrder(self.source_combo, self.browse_button)
