"""Camera specs, backends, enumeration, and CameraSource on video files: info, RGB copies, pacing, errors."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from desktop_app.core.errors import CameraUnavailableError, SourceEndedError
from desktop_app.core.sources.camera import (
    CameraSource,
    backend_for,
    enumerate_cameras,
    parse_camera,
    prepare_video_environment,
)
from tests.core.sources.face_video import FaceVideo


def test_parse_camera_tells_index_file_and_url_apart() -> None:
    assert parse_camera("0").kind == "index" and parse_camera(" 2 ").index == 2 and parse_camera(3).index == 3
    assert parse_camera("/dev/video4").index == 4
    for url in ("http://127.0.0.1:8080/video.mjpg", "rtsp://cam.local/stream1", "HTTPS://x/y"):
        assert parse_camera(url).kind == "url"
    spec = parse_camera("clip.mp4", width=1280, height=720, fps=30, loop=True, realtime=False)
    assert (spec.kind, spec.value, spec.width, spec.height, spec.fps, spec.loop, spec.realtime) == (
        "file", "clip.mp4", 1280, 720, 30, True, False)
    assert parse_camera("file:///tmp/a.avi") == parse_camera("/tmp/a.avi")
    assert parse_camera("~/a.avi").value == str(Path("~/a.avi").expanduser())


def test_parse_camera_refuses_empty_and_nonsense_sizes() -> None:
    with pytest.raises(CameraUnavailableError, match="no camera given"):
        parse_camera("  ")
    with pytest.raises(CameraUnavailableError, match="width must be positive"):
        parse_camera("0", width=0)


def test_stream_passwords_never_reach_labels() -> None:
    spec = parse_camera("rtsp://admin:hunter2@10.0.0.5:554/live")
    assert "hunter2" not in spec.label and spec.label == "rtsp://admin:***@10.0.0.5:554/live"


def test_backend_per_platform() -> None:
    assert backend_for("index", "win32") == cv2.CAP_DSHOW
    assert backend_for("index", "linux") == cv2.CAP_V4L2
    assert backend_for("index", "darwin") == cv2.CAP_AVFOUNDATION
    assert backend_for("file", "linux") == backend_for("url", "win32") == cv2.CAP_FFMPEG


def test_msmf_hardware_transforms_off_on_windows_only_and_user_value_kept() -> None:
    env: dict[str, str] = {}
    prepare_video_environment(env, "linux")
    assert env == {}
    prepare_video_environment(env, "win32")
    assert env == {"OPENCV_VIDEOIO_MSMF_ENABLE_HWTRANSFORMS": "0"}
    env = {"OPENCV_VIDEOIO_MSMF_ENABLE_HWTRANSFORMS": "1"}
    prepare_video_environment(env, "win32")
    assert env["OPENCV_VIDEOIO_MSMF_ENABLE_HWTRANSFORMS"] == "1"


def test_enumerate_reads_linux_names_without_opening_devices(tmp_path: Path) -> None:
    for node, name, index in (("video0", "Integrated Camera: Integrated C", "0"), ("video1", "Integrated metadata", "1"),
                              ("video2", "USB Cam", "0"), ("video9", "Too far", "0")):
        (tmp_path / node).mkdir()
        (tmp_path / node / "name").write_text(name + "\n")
        (tmp_path / node / "index").write_text(index + "\n")

    def no_probe(index: int) -> bool:
        raise AssertionError("Linux must not open devices to list them")

    found = enumerate_cameras(8, platform="linux", sys_root=tmp_path, probe=no_probe)
    assert found == [(0, "Integrated Camera: Integrated C"), (2, "USB Cam")]
    assert enumerate_cameras(platform="linux", sys_root=tmp_path / "absent", probe=no_probe) == []


def test_enumerate_elsewhere_probes_in_order_and_stops_at_the_first_gap() -> None:
    probed: list[int] = []

    def probe(index: int) -> bool:
        probed.append(index)
        return index < 2

    assert enumerate_cameras(8, platform="win32", probe=probe) == [(0, "Camera 0"), (1, "Camera 1")]
    assert probed == [0, 1, 2]


def test_enumerate_on_this_machine_is_fast() -> None:
    start = time.perf_counter()
    cameras = enumerate_cameras()
    assert time.perf_counter() - start < 1.0
    assert all(isinstance(i, int) and name for i, name in cameras)


def test_file_source_reports_what_it_delivers_and_reads_rgb_copies(face_video: FaceVideo) -> None:
    with CameraSource(parse_camera(str(face_video.path), realtime=False)) as source:
        info = source.info
        assert info is not None
        assert (info.kind, info.backend, info.width, info.height, info.frame_count) == ("file", "FFMPEG", 640, 480, 90)
        assert info.fps == pytest.approx(30.0)
        first, second = source.read(), source.read()
    assert first.dtype == np.uint8 and first.shape == (480, 640, 3) and first.flags.writeable
    assert not np.shares_memory(first, second)
    rgb_error = np.abs(first.astype(int) - face_video.frames[0]).mean()
    bgr_error = np.abs(first[..., ::-1].astype(int) - face_video.frames[0]).mean()
    assert rgb_error < 4 and bgr_error > 2 * rgb_error
    assert not source.is_open


def test_file_ends_cleanly_or_loops(face_video: FaceVideo) -> None:
    with CameraSource(parse_camera(str(face_video.path), realtime=False)) as source:
        for _ in range(90):
            source.read()
        with pytest.raises(SourceEndedError, match="end of video file: faces.avi"):
            source.read()
    with CameraSource(parse_camera(str(face_video.path), realtime=False, loop=True)) as source:
        frames = [source.read() for _ in range(95)]
    assert np.abs(frames[92].astype(int) - frames[2]).mean() < 1  # frame 92 is frame 2 again


def test_realtime_paces_at_the_files_fps(face_video: FaceVideo) -> None:
    with CameraSource(parse_camera(str(face_video.path), realtime=True)) as source:
        start = time.perf_counter()
        for _ in range(10):
            source.read()
        paced = time.perf_counter() - start
    assert paced >= 9 / 30 - 0.02  # frame k is due k/30 s after the first


def test_missing_folder_and_non_video_files_give_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailableError, match=r"^video file not found: .*nope\.mp4$"):
        CameraSource(str(tmp_path / "nope.mp4")).open()
    with pytest.raises(CameraUnavailableError, match="is a folder"):
        CameraSource(str(tmp_path)).open()
    text = tmp_path / "notes.avi"
    text.write_text("not a video\n" * 10)
    with pytest.raises(CameraUnavailableError, match="not a video file OpenCV can read: notes.avi") as err:
        CameraSource(str(text)).open()
    assert "\n" not in str(err.value)


@pytest.mark.skipif(Path("/dev/video7").exists(), reason="this machine has a camera at index 7")
def test_absent_camera_index_is_named_plainly() -> None:
    start = time.perf_counter()
    with pytest.raises(CameraUnavailableError, match="camera.* 7"):
        CameraSource("7").open()
    assert time.perf_counter() - start < 5
