"""Long-run soak, Qt-free: the camera pipeline and the microphone pipeline running together for a set time,
with resident memory, OS threads, open file descriptors, queue depths and progress sampled at an interval.

Camera: a looping face video paced at 30 FPS -> `CaptureThread` -> newest-frame `FrameBuffer` ->
`LiveDetector` (centerface + expressions) on a worker thread, as the camera panel's worker runs it.
Microphone: `MicrophoneSource` through sounddevice on a PulseAudio virtual microphone (`vmic`), while the
bundled espeak-ng speech sample (silence, speech, silence) is played into `vspk` again and again, ->
`LiveVad` (silero-vad) on a worker thread. Without PulseAudio (mic="auto"), a fake sounddevice module
fed in real time stands in, and the report says so.

PortAudio lists its devices when `sounddevice` is imported, so the PulseAudio path needs a process that
has not imported it yet: run the soak in its own process (bench/bench_soak.py; the test spawns it).
The microphone half is in bench/soak_mic.py, the probes and the report's records in bench/soak_report.py.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.soak_mic import JOIN_S, MicLoop, microphone  # noqa: E402
from bench.soak_report import SoakReport, SoakSample, open_fds, os_threads, rss_mb, summarise  # noqa: E402
from desktop_app.core.paths import UserDirs  # noqa: E402
from desktop_app.core.pipeline import Pipeline  # noqa: E402
from desktop_app.core.services import AppServices  # noqa: E402
from desktop_app.core.sources.camera import CameraSource, parse_camera  # noqa: E402
from desktop_app.core.sources.capture import CaptureState, CaptureThread  # noqa: E402
from desktop_app.core.sources.frame_buffer import FrameBuffer  # noqa: E402
from desktop_app.core.sources.live import LiveDetector  # noqa: E402
from desktop_app.core.tasks.image_prep import one_opencv_thread  # noqa: E402

DETECTOR = "centerface"


# -- the camera half -------------------------------------------------------------------------------------
class CameraLoop:
    """Capture thread + LiveDetector loop on a worker thread, as the camera panel's LiveWorker runs them."""

    def __init__(self, pipeline: Pipeline, video: Path, emotion: bool, failed: threading.Event) -> None:
        self.buffer = FrameBuffer()
        source = CameraSource(parse_camera(str(video), realtime=True, loop=True))
        self.capture = CaptureThread(source, self.buffer, name="soak-capture")
        self.detector = LiveDetector(pipeline, DETECTOR, buffer=self.buffer, emotion=emotion, source_name="soak")
        self.thread = threading.Thread(target=self._run, name="soak-camera")
        self._stop = threading.Event()
        self._failed = failed
        self._lock = threading.Lock()
        self.processed = self.with_face = 0
        self.error: str | None = None

    def start(self) -> None:
        self.capture.start()
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                live = self.detector.next(timeout=0.25)
                if live is None:
                    if self.buffer.closed:
                        break
                    continue
                if not live.result.ok:
                    raise RuntimeError(live.result.error)
                with self._lock:
                    self.processed += 1
                    self.with_face += bool(live.visible_tracks)
        except Exception as exc:
            self.error = f"camera: {type(exc).__name__}: {exc}"
        finally:
            self.detector.close()  # its frames in flight and the pool's threads end with the loop, as in the app
        if not self._stop.is_set():  # ended on its own: the capture stopped or the model failed
            self.error = self.error or f"camera: capture ended ({self.capture.state.value}: {self.capture.message})"
            self._failed.set()

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return self.processed, self.with_face

    def stop(self) -> None:
        self._stop.set()
        self.capture.stop(timeout=JOIN_S)  # closes the buffer, which wakes the worker
        self.thread.join(JOIN_S)


# -- the run ---------------------------------------------------------------------------------------------
def _face_video(folder: Path) -> tuple[Path, np.ndarray]:
    from tests.core.sources.face_video import FACE_FRAMES, compose_frames, write_video

    frames, _ = compose_frames(90)
    return write_video(folder / "faces.avi", frames, 30.0), frames[FACE_FRAMES.start + 10]


def run_soak(duration_s: float, *, warm_up_s: float = 20.0, interval_s: float = 5.0, mic: str = "auto",
             emotion: bool = True, on_sample: Callable[[SoakSample], None] | None = None) -> SoakReport:
    """Run both pipelines for warm_up_s + duration_s, sampling every interval_s; everything is stopped and
    joined before this returns."""
    ours_before = set(threading.enumerate())
    failed, spawn_lock = threading.Event(), threading.Lock()
    samples: list[SoakSample] = []
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp, \
            microphone(mic, Path(tmp), spawn_lock) as (mic_mode, sd, device, player):
        one_opencv_thread()  # as the app's entry point does
        services = AppServices.create(UserDirs.under(Path(tmp) / "home"))
        pipeline = services.pipeline
        video, face = _face_video(Path(tmp))
        pipeline.run_data(face, DETECTOR, "warm-up", emotion=emotion)  # sessions exist before the baseline
        camera = CameraLoop(pipeline, video, emotion, failed)
        mic_loop = MicLoop(pipeline, sd, device, failed)
        threads_start, fds_start = os_threads(), open_fds()
        t0 = time.perf_counter()
        try:
            camera.start()
            mic_loop.start()
            player.start()
            ticks = round((warm_up_s + duration_s) / interval_s)
            for tick in range(1, ticks + 1):
                if failed.wait(max(0.0, t0 + tick * interval_s - time.perf_counter())):
                    break
                with spawn_lock:
                    sample = _sample(time.perf_counter() - t0, tick * interval_s >= warm_up_s, camera, mic_loop)
                samples.append(sample)
                if on_sample is not None:
                    on_sample(sample)
        finally:
            camera.stop()
            mic_loop.stop()
            player.stop()
        threads_after, fds_after = _settled(os_threads, threads_start), _settled(open_fds, fds_start)
        plays, capture_state = player.plays, camera.capture.state
    errors = tuple(e for e in (camera.error, mic_loop.error) if e)
    if capture_state is not CaptureState.STOPPED and not camera.error:
        errors += (f"camera: capture ended {capture_state.value}",)
    leaked = tuple(t.name for t in threading.enumerate() if t not in ours_before and t.is_alive()
                   and type(t).__name__ != "_DummyThread")
    summary = summarise(samples, mic_mode, duration_s, warm_up_s, threads_start, fds_start, threads_after,
                         fds_after, plays, capture_state.value, errors, leaked)
    return SoakReport(tuple(samples), summary)


def _settled(measure: Callable[[], int], target: int, timeout_s: float = 5.0) -> int:
    """`measure()` once it is back to `target`, or its value when the deadline passes: a joined thread's
    OS thread exits a moment after join() returns, so the count is polled, not read once."""
    deadline = time.monotonic() + timeout_s
    value = measure()
    while value > target and time.monotonic() < deadline:
        time.sleep(0.01)
        value = measure()
    return value


def _sample(t: float, warm: bool, camera: CameraLoop, mic: MicLoop) -> SoakSample:
    counters = camera.buffer.counters()
    processed, with_face = camera.counts()
    chunks, speech, segments, deepest = mic.take()
    source = mic.source
    return SoakSample(
        t_s=round(t, 3), warm=warm, rss_mb=rss_mb(), threads=os_threads(), fds=open_fds(),
        frames_captured=counters.captured, frames_processed=processed, frames_dropped=counters.dropped,
        frames_with_face=with_face, frame_slot=counters.captured - counters.taken - counters.dropped,
        mic_blocks=source.captured, mic_dropped=source.dropped, mic_overflows=source.overflows,
        mic_queued=source.queued, mic_queued_max=deepest, vad_chunks=chunks, speech_chunks=speech,
        segments=segments, audio_s=round(mic.vad.samples_seen / source.target_rate, 3))
