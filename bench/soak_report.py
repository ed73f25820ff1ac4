"""What the soak (bench/soak.py) measures and reports: this process's resident memory, OS threads and open
file descriptors, one `SoakSample` per interval, and the `SoakSummary` of a run (growth after the warm-up,
counts at each stage), saved and read back as JSON by bench/bench_soak.py and tests/e2e/test_soak.py.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

import numpy as np


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


def summarise(samples: list[SoakSample], mic_mode: str, duration_s: float, warm_up_s: float,
               threads_start: int, fds_start: int, threads_after: int, fds_after: int, plays: int,
               capture_state: str, errors: tuple[str, ...], leaked: tuple[str, ...]) -> SoakSummary:
    """The summary of a run: growth from the warm-up mark (first warm sample) to the end, extremes after it."""
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
