"""Pose results: the picture with each person's skeleton, and every keypoint's position and score."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.core.payloads.pose import PoseResult
from desktop_app.core.results import Result
from desktop_app.qt.results.qt_drawn_canvas import QtDrawnCanvas
from desktop_app.qt.results.qt_payload_view import QtPayloadView
from desktop_app.qt.results.qt_segmentation_view import fill_table, small_table


def keypoint_rows(payload: PoseResult) -> list[tuple[str, ...]]:
    """One row per keypoint of every person: person, keypoint name, x, y, score ('hidden' under the threshold)."""
    rows: list[tuple[str, ...]] = []
    for n, person in enumerate(payload.people, 1):
        for k, point in enumerate(person.keypoints):
            name = payload.keypoint_names[k] if k < len(payload.keypoint_names) else f"keypoint {k}"
            seen = point.score >= payload.keypoint_threshold
            rows.append((f"{person.label} {n}", name, f"{point.x:.0f}", f"{point.y:.0f}",
                         f"{point.score:.2f}" + ("" if seen else " (hidden)")))
    return rows


class QtPoseView(QtPayloadView):
    """People with keypoints: the skeleton overlay, a count line and the keypoint table."""

    page = "pose"
    payload_type = PoseResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = QtDrawnCanvas("Picture with skeletons")
        self.count_label = QLabel()
        self.count_label.setAccessibleName("People found")
        self.keypoints = small_table(["Person", "Keypoint", "x", "y", "Score"], "Keypoints")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 100)
        layout.addWidget(self.count_label)
        layout.addWidget(self.keypoints, 1)

    def show_result(self, result: Result, image: np.ndarray | None = None) -> None:
        payload = result.payload
        assert isinstance(payload, PoseResult)
        self.canvas.show_payload(payload, image)
        self.count_label.setText(f"{payload.label(result.task)} · keypoints shown from score "
                                 f"{payload.keypoint_threshold:.2f}")
        fill_table(self.keypoints, keypoint_rows(payload))
