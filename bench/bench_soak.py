"""Long-run soak: the camera pipeline (looping face video at 30 FPS -> capture -> newest-frame buffer ->
LiveDetector with centerface + expressions) and the microphone pipeline (PulseAudio virtual microphone fed
with looping speech -> MicrophoneSource -> LiveVad) running together; RSS, OS threads, open descriptors,
queue depths and progress sampled over time (bench/soak.py does the work).

Goal (issue 9): memory flat after warm-up (growth < 30 MB), thread and descriptor counts flat, queues bounded.
Usage: .venv/bin/python bench/bench_soak.py [--minutes 10] [--interval 10] [--warm-up 30] [--mic auto|pulse|fake]
       [--no-emotion] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak import run_soak  # noqa: E402
from bench.soak_report import SoakReport, SoakSample  # noqa: E402
from desktop_app.core.sources.microphone import BLOCK_S  # noqa: E402

HEADER = (f"{'t s':>7} {'RSS MB':>8} {'thr':>4} {'fds':>4} | {'frames':>7} {'+':>4} {'skipped':>7} {'faces':>6} "
          f"{'slot':>4} | {'mic q':>5} {'q max':>5} {'drop':>4} {'VAD chunks':>10} {'+':>4} {'speech':>6} "
          f"{'segs':>4} {'audio s':>8}")


class Table:
    """Prints one row per sample as it comes (a 10-minute run shows its progress)."""

    def __init__(self) -> None:
        self.previous: SoakSample | None = None

    def row(self, s: SoakSample) -> None:
        if self.previous is None:
            print(HEADER)
        p = self.previous
        frames_new = s.frames_processed - (p.frames_processed if p else 0)
        chunks_new = s.vad_chunks - (p.vad_chunks if p else 0)
        mark = " " if s.warm else "w"  # w: warm-up
        print(f"{s.t_s:7.1f}{mark}{s.rss_mb:8.1f} {s.threads:4d} {s.fds:4d} | {s.frames_processed:7d} {frames_new:4d} "
              f"{s.frames_dropped:7d} {s.frames_with_face:6d} {s.frame_slot:4d} | {s.mic_queued:5d} "
              f"{s.mic_queued_max:5d} {s.mic_dropped:4d} {s.vad_chunks:10d} {chunks_new:4d} {s.speech_chunks:6d} "
              f"{s.segments:4d} {s.audio_s:8.1f}", flush=True)
        self.previous = s


def print_summary(report: SoakReport) -> None:
    s = report.summary
    print(f"\nsoak summary: {s.duration_s / 60:g} min after {s.warm_up_s:g} s warm-up; microphone: {s.mic_mode}")
    print(f"RSS after warm-up {s.rss_warm_mb:.1f} MB, at the end {s.rss_end_mb:.1f} MB: growth {s.rss_growth_mb:+.1f} MB "
          f"(peak {s.rss_peak_growth_mb:+.1f} MB, trend {s.rss_slope_mb_per_min:+.2f} MB/min; goal < 30 MB)")
    print(f"OS threads: start {s.threads_start}, after warm-up {s.threads_warm}, end {s.threads_end} "
          f"(min {s.threads_min}, max {s.threads_max}), after stop {s.threads_after_stop}")
    print(f"open fds  : start {s.fds_start}, after warm-up {s.fds_warm}, end {s.fds_end} "
          f"(min {s.fds_min}, max {s.fds_max}), after stop {s.fds_after_stop}")
    print(f"queues    : frame slot max {s.frame_slot_max} (one-slot buffer), microphone queue max {s.mic_queue_max} "
          f"blocks of {BLOCK_S * 1000:.0f} ms ({s.mic_dropped} dropped, {s.mic_overflows} overflows)")
    print(f"camera    : {s.frames_processed} frames processed of {s.frames_captured} captured "
          f"({s.frames_dropped} skipped by the newest-frame buffer), {s.frames_with_face} with a face shown; "
          f"capture {s.capture_state}")
    print(f"microphone: {s.audio_s:.1f} s of audio processed, {s.vad_chunks} VAD chunks ({s.speech_chunks} speech), "
          f"{s.segments} speech segments, speech sample played {s.plays} times")
    print(f"errors    : {'; '.join(s.errors) or 'none'}; Python threads left running: "
          f"{', '.join(s.leaked_threads) or 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="measured time after the warm-up")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--warm-up", type=float, default=30.0, help="seconds before the reference sample")
    parser.add_argument("--mic", choices=("auto", "pulse", "fake"), default="auto",
                        help="auto: the PulseAudio virtual microphone when it starts, else a fake device")
    parser.add_argument("--no-emotion", action="store_true", help="face detection only")
    parser.add_argument("--json", type=Path, help="also write the report (samples + summary) here")
    args = parser.parse_args()

    table = Table()
    report = run_soak(args.minutes * 60.0, warm_up_s=args.warm_up, interval_s=args.interval, mic=args.mic,
                      emotion=not args.no_emotion, on_sample=table.row)
    print_summary(report)
    if args.json:
        args.json.write_text(json.dumps(report.to_dict()))
    return 1 if report.summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
