"""`vad`: Silero voice activity in streaming mode (recurrent state and context carried across chunks),
speech segments with hysteresis (onset/offset thresholds, minimum speech and silence, padding)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.core.errors import TaskError
from desktop_app.core.media.audio import AudioClip, load_audio
from desktop_app.core.models.card import AudioInput, ModelCard
from desktop_app.core.results import SpeechSegment, VadResult
from desktop_app.core.runtime.session import ModelSession, SessionPool
from desktop_app.core.tasks.base import StageClock, Task, register

_EMPTY = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True)
class SegmentParams:
    """Hysteresis settings; defaults are the card's thresholds."""

    onset: float = 0.5
    offset: float = 0.35
    min_speech_ms: float = 250.0
    min_silence_ms: float = 100.0
    speech_pad_ms: float = 30.0

    @classmethod
    def from_card(cls, card: ModelCard, **overrides: float) -> SegmentParams:
        values = {name: card.threshold(name, getattr(cls, name)) for name in cls.__dataclass_fields__}
        values.update({k: float(v) for k, v in overrides.items() if v is not None})
        return cls(**values)


class SpeechSegmenter:
    """Turns a stream of per-chunk speech probabilities into closed speech segments, as they happen."""

    def __init__(self, params: SegmentParams, sample_rate: int, chunk: int) -> None:
        self.p = params
        self.rate = sample_rate
        self.chunk = chunk
        self._min_speech = params.min_speech_ms * sample_rate / 1000
        self._min_silence = params.min_silence_ms * sample_rate / 1000
        self._pad = params.speech_pad_ms * sample_rate / 1000
        self._index = 0
        self._start: int | None = None
        self._silence_from: int | None = None
        self._probs: list[float] = []
        self._last_end = 0.0

    def _close(self, end: int, total: int | None = None) -> SpeechSegment | None:
        start = self._start
        assert start is not None
        score = float(np.mean(self._probs)) if self._probs else 0.0
        self._start, self._silence_from, self._probs = None, None, []
        if end - start <= self._min_speech:
            return None
        s = max(self._last_end, start - self._pad, 0.0)
        e = end + self._pad if total is None else min(float(total), end + self._pad)
        self._last_end = e
        return SpeechSegment(s / self.rate, e / self.rate, score)

    def push(self, prob: float) -> SpeechSegment | None:
        """Feed the next chunk's probability; returns a segment when one has just ended."""
        position = self._index * self.chunk
        self._index += 1
        if self._start is None:
            if prob >= self.p.onset:
                self._start, self._probs = position, [prob]
            return None
        self._probs.append(prob)
        if prob >= self.p.onset:
            self._silence_from = None
        elif prob < self.p.offset:
            if self._silence_from is None:
                self._silence_from = position
            if position - self._silence_from >= self._min_silence:
                return self._close(self._silence_from)
        return None

    def finish(self, total_samples: int) -> SpeechSegment | None:
        """End of input: close an open segment at the end of the audio."""
        if self._start is None:
            return None
        return self._close(total_samples, total_samples)

    @property
    def in_speech(self) -> bool:
        return self._start is not None


class SileroStream:
    """Streaming Silero: keeps the recurrent state and the last `context` samples between calls.

    On CPU the model runs on bound buffers: one reusable [context | chunk] window, two state arrays that
    take turns as input and output, and a one-value output, so a 32 ms chunk costs one model call and no
    allocation. Elsewhere (GPU) it uses ordinary calls with the same window.
    """

    def __init__(self, session: ModelSession, spec: AudioInput, *, bound: bool | None = None) -> None:
        names = session.input_names
        if not {"input", "state", "sr"} <= set(names):
            raise TaskError("the model's inputs are not Silero VAD's (input, state, sr)")
        if not {"output", "stateN"} <= set(session.output_names):
            raise TaskError("the model's outputs are not Silero VAD's (output, stateN)")
        self.session = session
        self.spec = spec
        state_shape = next(i.shape for i in session.inputs if i.name == "state")
        self._state_shape = tuple(d if isinstance(d, int) else 1 for d in state_shape)
        self._sr = np.array(spec.sample_rate, dtype=np.int64)
        self.bound = session.binds_host_buffers if bound is None else bound
        self.reset()

    def reset(self) -> None:
        # one reusable [context | chunk] window: the context is the previous window's last samples
        self._window = np.zeros((1, self.spec.context + self.spec.chunk), dtype=np.float32)
        self._pending = _EMPTY
        self._states = (np.zeros(self._state_shape, np.float32), np.zeros(self._state_shape, np.float32))
        self._out = np.zeros((1, 1), dtype=np.float32)
        self._turn = 0  # which state array holds the current state
        inputs: dict[str, np.ndarray] = {"input": self._window, "sr": self._sr}
        if self.bound:
            a, b = self._states
            self._runs = (self.session.bind({**inputs, "state": a}, {"output": self._out, "stateN": b}),
                          self.session.bind({**inputs, "state": b}, {"output": self._out, "stateN": a}))
        else:
            self._feeds = {**inputs, "state": self._states[0]}

    def _step(self) -> tuple[float, float]:
        """One model call on the current window -> (speech probability, milliseconds)."""
        if self.bound:
            ms = self._runs[self._turn].run()
            self._turn ^= 1
            return float(self._out[0, 0]), ms
        (out, state), ms = self.session.run(self._feeds, ["output", "stateN"])
        self._feeds["state"] = state
        return float(out.flat[0]), ms

    def process(self, samples: np.ndarray, clock: StageClock | None = None) -> list[float]:
        """Feed mono float32 samples at the model's rate; returns one probability per complete chunk."""
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        buf = np.concatenate([self._pending, samples]) if len(self._pending) else samples
        chunk, context = self.spec.chunk, self.spec.context
        n = len(buf) // chunk
        probs = []
        row = self._window[0]
        step = self._step
        for i in range(n):
            if context:
                row[:context] = row[chunk:]
            row[context:] = buf[i * chunk : (i + 1) * chunk]
            prob, ms = step()
            if clock is not None:
                clock.add("inference", ms)
            probs.append(prob)
        rest = len(buf) - n * chunk
        self._pending = buf[n * chunk :].copy() if rest else _EMPTY
        return probs


def segments_from_probs(probs: Iterable[float], params: SegmentParams, rate: int, chunk: int,
                        total_samples: int) -> list[SpeechSegment]:
    """Segments of a whole clip from its chunk probabilities."""
    seg = SpeechSegmenter(params, rate, chunk)
    out = [s for p in probs if (s := seg.push(p)) is not None]
    last = seg.finish(total_samples)
    return out + ([last] if last else [])


@register
class VadTask(Task):
    """Audio clip -> speech segments and the per-chunk speech probability."""

    name = "vad"
    input_kind = "audio"
    payload_type = VadResult

    def __init__(self, card: ModelCard, session: ModelSession, pool: SessionPool | None = None) -> None:
        super().__init__(card, session, pool)
        if card.audio is None:
            raise TaskError(f"{card.id}: the model card has no [audio] table")
        self.spec = card.audio
        SileroStream(session, card.audio)  # validates the model's inputs once

    def decode(self, path: Path) -> AudioClip:
        return load_audio(path, self.spec.sample_rate)

    def stream(self) -> SileroStream:
        return SileroStream(self.session, self.spec)

    def run(self, data: Any, clock: StageClock, **options: Any) -> VadResult:
        clip: AudioClip = data
        params = SegmentParams.from_card(self.card, **{k: options[k] for k in ("onset", "offset") if k in options})
        stream = self.stream()
        probs = stream.process(clip.samples, clock)
        with clock.stage("postprocess"):
            segments = segments_from_probs(probs, params, self.spec.sample_rate, self.spec.chunk, len(clip.samples))
        return VadResult(segments=tuple(segments), probabilities=tuple(probs),
                         chunk_s=self.spec.chunk / self.spec.sample_rate, duration_s=clip.duration_s)
