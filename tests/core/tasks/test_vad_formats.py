"""The same speech in other formats, rates, channel counts and with noise gives the same segments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from desktop_app.core.errors import MediaError
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import VadResult
from desktop_app.core.runtime.session import SessionPool
from tests.conftest import MODELS, SAMPLES


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(ModelRegistry(MODELS, tmp_path_factory.mktemp("user")), SessionPool("cpu"))


BORDERLINE_GAP_S = 0.2  # a pause of about min_silence (100 ms) inside a phrase may or may not split it


def segments(pipeline: Pipeline, path: Path) -> list[tuple[float, float]]:
    """Speech segments, with pauses shorter than BORDERLINE_GAP_S joined (they sit on the threshold)."""
    (result,) = pipeline.run_path(path, "silero-vad")
    assert result.ok, result.error
    assert isinstance(result.payload, VadResult)
    joined: list[tuple[float, float]] = []
    for seg in result.payload.segments:
        if joined and seg.start_s - joined[-1][1] < BORDERLINE_GAP_S:
            joined[-1] = (joined[-1][0], seg.end_s)
        else:
            joined.append((seg.start_s, seg.end_s))
    return joined


def _variants(tmp: Path) -> dict[str, Path]:
    speech, rate = sf.read(SAMPLES / "speech-espeak.wav", dtype="float32")
    out = {}
    at44 = soxr.resample(speech, rate, 44100)
    sf.write(out.setdefault("44.1 kHz stereo", tmp / "stereo44.wav"), np.stack([at44, at44], axis=1), 44100)
    sf.write(out.setdefault("8-bit", tmp / "u8.wav"), speech, rate, subtype="PCM_U8")
    sf.write(out.setdefault("FLAC", tmp / "speech.flac"), speech, rate, format="FLAC")
    power = float(np.mean(speech[np.abs(speech) > 0.01] ** 2))
    noise = np.random.default_rng(7).standard_normal(len(speech)).astype(np.float32) * np.sqrt(power / 100)
    sf.write(out.setdefault("20 dB SNR noise", tmp / "noisy.wav"), speech + noise, rate)  # 20 dB = power / 100
    return out


def test_formats_and_noise_give_the_same_segments(pipeline: Pipeline, tmp_path: Path) -> None:
    reference = segments(pipeline, SAMPLES / "speech-espeak.wav")
    for name, path in _variants(tmp_path).items():
        got = segments(pipeline, path)
        assert len(got) == len(reference), f"{name}: {got} vs {reference}"
        for (s, e), (rs, re_) in zip(got, reference, strict=True):
            assert s == pytest.approx(rs, abs=0.1) and e == pytest.approx(re_, abs=0.1), name


def test_truncated_and_empty_audio_give_clear_errors(pipeline: Pipeline, tmp_path: Path) -> None:
    data = (SAMPLES / "speech-espeak.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:30])
    (tmp_path / "empty.wav").write_bytes(b"")
    for name in ("cut.wav", "empty.wav"):
        (result,) = pipeline.run_path(tmp_path / name, "silero-vad")
        assert not result.ok and result.error and name in result.error and "\n" not in result.error
    with pytest.raises(MediaError):
        pipeline.task("silero-vad").decode(tmp_path / "empty.wav")
