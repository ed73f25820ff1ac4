"""Live voice activity: audio blocks in, per-chunk speech probabilities and closed segments out, with
times counted in samples from the start of the stream (not wall-clock), so they match the audio."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from desktop_app.core.models.card import ModelCard
from desktop_app.core.results import SpeechSegment
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks.vad import SegmentParams, SileroStream, SpeechSegmenter


@dataclass(frozen=True)
class VadUpdate:
    """What one audio block produced: probabilities for its complete chunks and any segment that closed."""

    probabilities: tuple[float, ...]
    segments: tuple[SpeechSegment, ...]
    position_s: float
    in_speech: bool
    inference_ms: float


class LiveVad:
    """Silero in streaming mode plus the hysteresis segmenter, fed block by block."""

    def __init__(self, card: ModelCard, session: ModelSession, params: SegmentParams | None = None) -> None:
        assert card.audio is not None, "a VAD card has an [audio] table"
        self.spec = card.audio
        self.stream = SileroStream(session, card.audio)
        self.segmenter = SpeechSegmenter(params or SegmentParams.from_card(card), self.spec.sample_rate,
                                         self.spec.chunk)
        self.samples_seen = 0

    def feed(self, samples: np.ndarray) -> VadUpdate:
        start = time.perf_counter()
        probs = self.stream.process(samples)
        inference_ms = (time.perf_counter() - start) * 1000.0
        self.samples_seen += len(samples)
        push = self.segmenter.push
        closed = tuple(seg for p in probs if (seg := push(p)) is not None)
        return VadUpdate(tuple(probs), closed, self.samples_seen / self.spec.sample_rate,
                         self.segmenter.in_speech, inference_ms)

    def finish(self) -> SpeechSegment | None:
        """Close a segment still open at the end of the stream."""
        return self.segmenter.finish(self.samples_seen)
