"""Overlay options shared by the UI and the live worker, and the recording of the annotated stream.

Plain Python (no Qt): the UI thread sets options and starts / stops a recording; the worker thread
writes each processed frame. A recording keeps real time: a processed frame is written as many times
as the recording's frame clock has advanced since the last one, so a model slower than the source
still gives a file that plays at the right speed. A recording that cannot be written on (disk full,
read-only folder) is aborted and reported through `on_failed`; the live view is not disturbed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import cv2

from desktop_app.core.errors import AppError
from desktop_app.core.sources.live import LiveFrame, VideoRecorder, draw_overlay

#: A face the detector missed on the latest frames keeps its last box only this long (seconds at the
#: current processed rate): at 30 FPS that bridges flicker, at 2 FPS it would leave a box on an empty spot.
COAST_S = 0.25
#: A gap longer than this is not filled in with copies (the recording clock restarts instead).
MAX_REPEAT_S = 1.0


def _near(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether box a touches box b grown by half its size (the same face, moved since the last frame)."""
    gx, gy = (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
    return a[0] < b[2] + gx and a[2] > b[0] - gx and a[1] < b[3] + gy and a[3] > b[1] - gy


def shown(live: LiveFrame) -> LiveFrame:
    """The frame with only the tracks to draw: seen now, or missed for at most COAST_S seconds and not
    next to a face seen now (a fast face that became a new track must not leave a trail of boxes)."""
    fps = live.stats.processed_fps
    seen = [t.box for t in live.tracks if t.missed == 0]
    keep = tuple(t for t in live.tracks if t.missed == 0 or (
        fps > 0 and t.missed / fps <= COAST_S and not any(_near(t.box, box) for box in seen)))
    return live if len(keep) == len(live.tracks) else replace(live, tracks=keep)


@dataclass(frozen=True)
class OverlayOptions:
    """Which overlay layers are drawn, and whether the picture is mirrored."""

    boxes: bool = True
    landmarks: bool = True
    labels: bool = True
    mirror: bool = False


@dataclass(frozen=True)
class RecordingDone:
    """A finished recording: the file (None when no frame was written, or when it failed) and how many
    frames it holds; `error` is the one-line reason a recording stopped without a file."""

    path: Path | None
    frames: int
    error: str | None = None


class LiveRecording:
    """Thread-safe: `start` / `stop` from the UI, `write` from the worker (draws the overlay, encodes).

    `on_failed(RecordingDone)` is called from the writing thread when a recording had to stop.
    """

    def __init__(self, on_failed: Callable[[RecordingDone], None] | None = None) -> None:
        self.on_failed = on_failed
        self._lock = threading.Lock()
        self._options = OverlayOptions()
        self._recorder: VideoRecorder | None = None
        self._t0: float | None = None

    @property
    def options(self) -> OverlayOptions:
        with self._lock:
            return self._options

    def set_options(self, **changes: bool) -> OverlayOptions:
        with self._lock:
            self._options = replace(self._options, **changes)
            return self._options

    @property
    def active(self) -> bool:
        with self._lock:
            return self._recorder is not None

    @property
    def frames(self) -> int:
        """Frames written to the running recording so far (0 when none runs)."""
        with self._lock:
            return self._recorder.frames_written if self._recorder is not None else 0

    def start(self, path: Path, fps: float) -> None:
        """Record from the next processed frame on (a recording already running is finished first)."""
        recorder = VideoRecorder(Path(path), fps)  # refuses unsupported extensions here, in the caller's thread
        with self._lock:
            old, self._recorder, self._t0 = self._recorder, recorder, None
        if old is not None:
            old.close()

    def write(self, live: LiveFrame) -> None:
        """Append the annotated frame, repeated to keep the recording on the capture clock."""
        live = shown(live)
        with self._lock:
            recorder, options = self._recorder, self._options
            if recorder is None:
                return
            if self._t0 is None:
                self._t0 = live.t_capture
            due = int((live.t_capture - self._t0) * recorder.fps) + 1
            copies = max(1, due - recorder.frames_written)
            if copies > recorder.fps * MAX_REPEAT_S:  # a long stall: restart the clock, do not fill it in
                self._t0 = live.t_capture - recorder.frames_written / recorder.fps
                copies = 1
            picture = draw_overlay(live.frame, live, boxes=options.boxes, landmarks=options.landmarks,
                                   labels=options.labels, mirror=options.mirror)
            try:
                for _ in range(copies):
                    recorder.write(picture)
                failed = None
            except (AppError, OSError, cv2.error) as exc:  # disk full, read-only folder: stop recording only
                self._recorder = None
                recorder.abort()
                failed = RecordingDone(None, recorder.frames_written, _one_line(exc))
        if failed is not None and self.on_failed is not None:
            self.on_failed(failed)

    def stop(self) -> RecordingDone | None:
        """Finish the file -> what was written, or None when nothing was recording. A file that cannot be
        saved gives a RecordingDone with no path and the reason."""
        with self._lock:
            recorder, self._recorder = self._recorder, None
            if recorder is None:
                return None
            try:
                path = recorder.close()
            except (AppError, OSError) as exc:
                recorder.abort()
                return RecordingDone(None, recorder.frames_written, _one_line(exc))
            return RecordingDone(path, recorder.frames_written)


def _one_line(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, AppError) else " ".join(f"recording stopped: {exc}".split())
