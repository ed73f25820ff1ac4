"""Speech segmentation with hysteresis, and Silero's streaming state, on the bundled model."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from desktop_app.core.models.card import load_card
from desktop_app.core.runtime.session import ModelSession
from desktop_app.core.tasks.vad import SegmentParams, SileroStream, SpeechSegmenter, segments_from_probs
from tests.conftest import MODELS, SAMPLES

RATE, CHUNK = 16000, 512
CHUNK_S = CHUNK / RATE
NO_PAD = SegmentParams(onset=0.5, offset=0.35, min_speech_ms=250, min_silence_ms=100, speech_pad_ms=0)


def _segments(probs: list[float], params: SegmentParams = NO_PAD) -> list[tuple[float, float]]:
    segs = segments_from_probs(probs, params, RATE, CHUNK, len(probs) * CHUNK)
    return [(round(s.start_s, 3), round(s.end_s, 3)) for s in segs]


def test_a_clear_burst_of_speech_becomes_one_segment() -> None:
    probs = [0.0] * 10 + [0.9] * 20 + [0.0] * 10
    assert _segments(probs) == [(round(10 * CHUNK_S, 3), round(30 * CHUNK_S, 3))]


def test_hysteresis_keeps_a_segment_open_between_the_thresholds() -> None:
    probs = [0.0] * 5 + [0.9] * 10 + [0.4] * 20 + [0.9] * 10 + [0.0] * 10
    assert len(_segments(probs)) == 1


def test_short_silence_is_bridged_and_long_silence_splits() -> None:
    short_gap = [0.9] * 12 + [0.0] * 2 + [0.9] * 12 + [0.0] * 10  # 64 ms < 100 ms
    long_gap = [0.9] * 12 + [0.0] * 8 + [0.9] * 12 + [0.0] * 10  # 256 ms
    assert len(_segments(short_gap)) == 1
    assert len(_segments(long_gap)) == 2


def test_too_short_speech_is_dropped_and_open_speech_closes_at_the_end() -> None:
    assert _segments([0.0] * 5 + [0.9] * 3 + [0.0] * 10) == []  # 96 ms < 250 ms
    assert _segments([0.0] * 5 + [0.9] * 20) == [(round(5 * CHUNK_S, 3), round(25 * CHUNK_S, 3))]


def test_padding_never_overlaps_the_previous_segment_or_leaves_the_clip() -> None:
    params = SegmentParams(speech_pad_ms=30)
    segs = segments_from_probs([0.9] * 12 + [0.0] * 8 + [0.9] * 12, params, RATE, CHUNK, 32 * CHUNK)
    assert segs[0].start_s == 0.0 and segs[-1].end_s == pytest.approx(32 * CHUNK_S)
    assert segs[0].end_s <= segs[1].start_s


def test_segmenter_reports_segments_as_soon_as_they_end() -> None:
    seg = SpeechSegmenter(NO_PAD, RATE, CHUNK)
    events = [seg.push(p) for p in [0.9] * 10 + [0.0] * 5]
    closed = [e for e in events if e is not None]
    assert len(closed) == 1 and not seg.in_speech


def test_streaming_in_odd_block_sizes_gives_the_same_probabilities() -> None:
    card = load_card(MODELS / "silero-vad", bundled=True)
    assert card.audio is not None
    session = ModelSession(card.path, "cpu")
    rng = np.random.default_rng(1)
    t = np.arange(RATE * 2) / RATE
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) * (t > 0.5) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    whole = SileroStream(session, card.audio).process(audio)
    stream = SileroStream(session, card.audio)
    parts: list[float] = []
    start = 0
    for size in [100, 700, 512, 3, 2000, 9999, 40000]:
        parts += stream.process(audio[start : start + size])
        start += size
    assert len(whole) == len(parts) == len(audio) // CHUNK
    assert np.allclose(whole, parts, atol=1e-6)
    stream.reset()
    assert np.allclose(stream.process(audio), whole, atol=1e-6)


def test_bound_buffers_and_plain_calls_give_the_same_probabilities() -> None:
    card = load_card(MODELS / "silero-vad", bundled=True)
    assert card.audio is not None
    session = ModelSession(card.path, "cpu")
    assert session.binds_host_buffers
    audio, rate = sf.read(SAMPLES / "speech-espeak.wav", dtype="float32")
    assert rate == RATE
    bound, plain = SileroStream(session, card.audio), SileroStream(session, card.audio, bound=False)
    assert bound.bound and not plain.bound
    got, want = [], []
    for start in range(0, audio.size, 1411):  # blocks that straddle chunks, so the state turns alternate unevenly
        got += bound.process(audio[start : start + 1411])
        want += plain.process(audio[start : start + 1411])
    assert len(got) == audio.size // CHUNK
    assert max(want) > 0.9 and min(want) < 0.1  # speech and silence both present
    assert np.array_equal(np.array(got, np.float32), np.array(want, np.float32))
