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
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.core.paths import UserDirs  # noqa: E402
from desktop_app.core.pipeline import Pipeline  # noqa: E402
from desktop_app.core.services import AppServices  # noqa: E402
from desktop_app.core.sources.camera import CameraSource, parse_camera  # noqa: E402
from desktop_app.core.sources.capture import CaptureState, CaptureThread  # noqa: E402
from desktop_app.core.sources.frame_buffer import FrameBuffer  # noqa: E402
from desktop_app.core.sources.live import LiveDetector  # noqa: E402
from desktop_app.core.sources.live_vad import LiveVad  # noqa: E402
from desktop_app.core.sources.microphone import MicrophoneSource  # noqa: E402
from desktop_app.core.tasks.image_prep import one_opencv_thread  # noqa: E402
from desktop_app.core.tasks.vad import SegmentParams  # noqa: E402

SPEECH_WAV = ROOT / "resources" / "samples" / "speech-espeak.wav"
DETECTOR, VAD_MODEL = "centerface", "silero-vad"
JOIN_S = 10.0


# -- what is measured ------------------------------------------------------------------------------------
def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))  # counts the listing's own descriptor: the same in every sample


@dataclass(frozen=True)
class SoakSample:
    """One sample; counters are totals since the pipelines started, `*_max` the deepest since the last sample."""

    t_s: float
    warm: bool  # taken after the warm-up
    rss_mb: float
    threads: int
    fds: int
    frames_captured: int
    frames_processed: int
    frames_dropped: int
    frames_with_face: int
    frame_slot: int  # frames waiting in the one-slot buffer (0 or 1)
    mic_blocks: int
    mic_dropped: int
    mic_overflows: int
    mic_queued: int
    mic_queued_max: int
    vad_chunks: int
    speech_chunks: int
    segments: int
    audio_s: float


@dataclass(frozen=True)
class SoakSummary:
    """Growth after warm-up, thread/fd counts at each stage (start = before the pipelines, after_stop = joined)."""

    mic_mode: str
    duration_s: float
    warm_up_s: float
    rss_warm_mb: float
    rss_end_mb: float
    rss_growth_mb: float
    rss_peak_growth_mb: float
    rss_slope_mb_per_min: float
    threads_start: int
    threads_warm: int
    threads_end: int
    threads_min: int
    threads_max: int
    threads_after_stop: int
    fds_start: int
    fds_warm: int
    fds_end: int
    fds_min: int
    fds_max: int
    fds_after_stop: int
    frames_processed: int
    frames_captured: int
    frames_dropped: int
    frames_with_face: int
    frame_slot_max: int
    mic_queue_max: int
    mic_dropped: int
    mic_overflows: int
    audio_s: float
    vad_chunks: int
    speech_chunks: int
    segments: int
    plays: int
    capture_state: str
    errors: tuple[str, ...]
    leaked_threads: tuple[str, ...]


@dataclass(frozen=True)
class SoakReport:
    samples: tuple[SoakSample, ...]
    summary: SoakSummary

    @property
    def after_warm_up(self) -> tuple[SoakSample, ...]:
        """The warm-up mark (first warm sample) and everything after it."""
        return tuple(s for s in self.samples if s.warm)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SoakReport:
        summary = {**data["summary"], "errors": tuple(data["summary"]["errors"]),
                   "leaked_threads": tuple(data["summary"]["leaked_threads"])}
        return cls(tuple(SoakSample(**s) for s in data["samples"]), SoakSummary(**summary))


# -- the two pipelines --------------------------------------------------------------------------------------
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
            self.detector.close()  # its in-flight jobs and their threads end with the loop, as in the app
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


class MicLoop:
    """MicrophoneSource -> LiveVad on a worker thread, as the microphone panel's MicWorker runs them."""

    def __init__(self, pipeline: Pipeline, sd: Any, device: int | str | None, failed: threading.Event) -> None:
        task = pipeline.task(VAD_MODEL)
        card = task.card
        assert card.audio is not None
        self.params = SegmentParams.from_card(card)
        self.vad = LiveVad(card, task.session, self.params)
        self.source = MicrophoneSource(sd, device, card.audio.sample_rate)
        self.thread = threading.Thread(target=self._run, name="soak-microphone")
        self._stop = threading.Event()
        self._failed = failed
        self._lock = threading.Lock()
        self.chunks = self.speech_chunks = self.segments = 0
        self.queued_max = 0
        self.error: str | None = None

    def start(self) -> None:
        self.source.open()
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                depth = self.source.queued
                block = self.source.read(timeout=0.05)
                if block is None:
                    continue
                update = self.vad.feed(block.samples)
                speech = sum(p >= self.params.onset for p in update.probabilities)
                with self._lock:
                    self.queued_max = max(self.queued_max, depth)
                    self.chunks += len(update.probabilities)
                    self.speech_chunks += speech
                    self.segments += len(update.segments)
        except Exception as exc:
            self.error = f"microphone: {type(exc).__name__}: {exc}"
            self._failed.set()
        finally:
            self.source.close()

    def take(self) -> tuple[int, int, int, int]:
        """(VAD chunks, speech chunks, segments, deepest queue since the last take)."""
        with self._lock:
            deepest, self.queued_max = max(self.queued_max, self.source.queued), 0
            return self.chunks, self.speech_chunks, self.segments, deepest

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(JOIN_S)


# -- the looping microphone sources ----------------------------------------------------------------------
class LoopingPlayer:
    """Plays the speech WAV into the virtual speaker again and again (paplay restarted by a thread).
    Spawning holds `spawn_lock`, so a sample never counts the short-lived descriptors of a spawn."""

    def __init__(self, wav: Path, env: dict[str, str], spawn_lock: threading.Lock) -> None:
        self.wav, self.env, self.spawn_lock = wav, env, spawn_lock
        self.plays = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-player")

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.spawn_lock:
                proc = subprocess.Popen(["paplay", "--device=vspk", str(self.wav)], env=self.env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
            try:
                while proc.poll() is None and not self._stop.wait(0.1):
                    pass  # polls "played to the end or asked to stop"
            finally:
                if proc.poll() is None:
                    proc.terminate()
                proc.wait(JOIN_S)
            self.plays += 1

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(JOIN_S)


class RealTimeFeeder:
    """Without PulseAudio: pushes the speech sample (48 kHz stereo) into a fake sounddevice stream in
    blocks of the size the source asks for, paced by the wall clock, looping, like a device would."""

    def __init__(self, stream: Any, audio: np.ndarray, rate: int, block: int) -> None:
        self.stream, self.audio, self.rate, self.block = stream, audio, rate, block
        self.plays = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-fake-mic")

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        start, pushed, position = time.perf_counter(), 0, 0
        while not self._stop.wait(max(0.0, start + pushed * self.block / self.rate - time.perf_counter())):
            if position + self.block > len(self.audio):
                position, self.plays = 0, self.plays + 1
            self.stream.push(self.audio[position : position + self.block])
            position, pushed = position + self.block, pushed + 1

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(JOIN_S)


@contextlib.contextmanager
def _pulse_environment(env: dict[str, str]) -> Iterator[None]:
    """Point this process (PortAudio's ALSA PulseAudio plugin) at the test daemon, then restore."""
    names = ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER")
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update({k: env[k] for k in names})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _fake_microphone() -> tuple[Any, Any]:
    """A fake sounddevice module and a player that feeds its stream in real time."""
    import soundfile as sf
    import soxr

    from tests.fake_sounddevice import BLOCK, RATE, FakeSoundDevice

    sd = FakeSoundDevice()
    speech, rate = sf.read(str(SPEECH_WAV), dtype="float32")
    stereo = np.repeat(soxr.resample(speech, rate, RATE)[:, None], 2, axis=1).astype(np.float32)

    class Player:  # the stream exists once MicrophoneSource has opened it
        feeder: RealTimeFeeder | None = None

        def start(self) -> None:
            self.feeder = RealTimeFeeder(sd.stream, stereo, RATE, BLOCK)
            self.feeder.start()

        @property
        def plays(self) -> int:
            return self.feeder.plays if self.feeder else 0

        def stop(self) -> None:
            if self.feeder:
                self.feeder.stop()

    return sd, Player()


@contextlib.contextmanager
def microphone(mode: str, workdir: Path, spawn_lock: threading.Lock) -> Iterator[tuple[str, Any, Any, Any]]:
    """(mode description, sounddevice module, device, looping player) for "pulse", "fake" or "auto"
    ("auto": PulseAudio when it starts, else the fake, said in the description)."""
    reason = ""
    with contextlib.ExitStack() as stack:
        if mode in ("pulse", "auto"):
            from tests.e2e.pulse import virtual_microphone

            try:
                env: dict[str, str] | None = stack.enter_context(virtual_microphone(workdir / "pulse"))
            except AssertionError as exc:  # pulse.py asserts on missing tools or a daemon that does not start
                if mode == "pulse":
                    raise
                env, reason = None, str(exc).splitlines()[0]
            if env is not None:
                if "sounddevice" in sys.modules:
                    raise RuntimeError("sounddevice was imported before PulseAudio started: run the soak in a "
                                       "new process")
                stack.enter_context(_pulse_environment(env))
                from desktop_app.core.sources.microphone import load_sounddevice

                yield ("pulseaudio (sounddevice on the virtual microphone)", load_sounddevice(), "pulse",
                       LoopingPlayer(SPEECH_WAV, env, spawn_lock))
                return
        sd, player = _fake_microphone()
        why = f"PulseAudio unavailable: {reason}" if reason else "asked for"
        yield f"FAKE sounddevice fed in real time ({why})", sd, 0, player


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
    summary = _summarise(samples, mic_mode, duration_s, warm_up_s, threads_start, fds_start, threads_after,
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


def _summarise(samples: list[SoakSample], mic_mode: str, duration_s: float, warm_up_s: float,
               threads_start: int, fds_start: int, threads_after: int, fds_after: int, plays: int,
               capture_state: str, errors: tuple[str, ...], leaked: tuple[str, ...]) -> SoakSummary:
    warm = [s for s in samples if s.warm] or samples[-1:]
    if not warm:
        raise RuntimeError(f"no sample was taken: {'; '.join(errors) or 'the soak ended at once'}")
    mark, last = warm[0], samples[-1]
    minutes = np.array([s.t_s for s in warm]) / 60.0
    rss = np.array([s.rss_mb for s in warm])
    slope = float(np.polyfit(minutes, rss, 1)[0]) if len(warm) >= 3 else 0.0
    return SoakSummary(
        mic_mode=mic_mode, duration_s=duration_s, warm_up_s=warm_up_s, rss_warm_mb=mark.rss_mb,
        rss_end_mb=last.rss_mb, rss_growth_mb=last.rss_mb - mark.rss_mb,
        rss_peak_growth_mb=float(rss.max() - mark.rss_mb), rss_slope_mb_per_min=slope,
        threads_start=threads_start, threads_warm=mark.threads, threads_end=last.threads,
        threads_min=min(s.threads for s in warm), threads_max=max(s.threads for s in warm),
        threads_after_stop=threads_after, fds_start=fds_start, fds_warm=mark.fds, fds_end=last.fds,
        fds_min=min(s.fds for s in warm), fds_max=max(s.fds for s in warm), fds_after_stop=fds_after,
        frames_processed=last.frames_processed, frames_captured=last.frames_captured,
        frames_dropped=last.frames_dropped, frames_with_face=last.frames_with_face,
        frame_slot_max=max(s.frame_slot for s in samples), mic_queue_max=max(s.mic_queued_max for s in samples),
        mic_dropped=last.mic_dropped, mic_overflows=last.mic_overflows, audio_s=last.audio_s,
        vad_chunks=last.vad_chunks, speech_chunks=last.speech_chunks, segments=last.segments, plays=plays,
        capture_state=capture_state, errors=errors, leaked_threads=leaked)
