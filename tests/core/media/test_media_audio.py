"""load_audio / iter_audio_blocks / decode_audio_bytes: formats, resampling, limits, broken files."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop_app.core.errors import MediaError, MediaTooLargeError, UnsupportedFormatError
from desktop_app.core.media import (
    AUDIO_EXTENSIONS,
    AudioClip,
    audio_info,
    decode_audio_bytes,
    iter_audio_blocks,
    load_audio,
)
from desktop_app.core.paths import resource_path


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _check_clip(clip: AudioClip, rate: int, length: int) -> None:
    assert clip.sample_rate == rate
    assert clip.samples.dtype == np.float32
    assert clip.samples.ndim == 1
    assert len(clip.samples) == length
    assert clip.duration_s == pytest.approx(length / rate)


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "FLOAT"])
def test_wav_subtypes_keep_a_440hz_tone(mf, tmp_path: Path, subtype: str) -> None:
    path = _write(tmp_path, f"{subtype}.wav", mf.audio_bytes(mf.tone(440, 8000, 1.0), 8000, subtype=subtype))
    clip = load_audio(path, 16000)
    _check_clip(clip, 16000, 16000)
    assert (clip.source_rate, clip.source_channels) == (8000, 1)
    assert mf.peak_frequency(clip.samples, 16000) == pytest.approx(440, abs=2)
    assert 0.4 < np.abs(clip.samples).max() < 0.6


def test_six_channels_96k_to_mono_16k(mf, tmp_path: Path) -> None:
    frames = mf.tone(440, 96000, 2.5, channels=6)
    frames[:, 3] = 0.0  # one silent channel: the mean is 5/6 of the tone
    path = _write(tmp_path, "surround.wav", mf.audio_bytes(frames, 96000, subtype="FLOAT"))
    clip = load_audio(path, 16000)
    _check_clip(clip, 16000, 40000)
    assert (clip.source_rate, clip.source_channels) == (96000, 6)
    assert mf.peak_frequency(clip.samples, 16000) == pytest.approx(440, abs=1)
    middle = clip.samples[4000:-4000]
    assert np.abs(middle).max() == pytest.approx(0.5 * 5 / 6, rel=0.02)
    assert audio_info(path) == (pytest.approx(2.5), 96000, 6)


def test_same_rate_is_passed_through(mf) -> None:
    samples = mf.tone(100, 16000, 0.5)
    clip = decode_audio_bytes(mf.audio_bytes(samples, 16000, subtype="FLOAT"), "same.wav", 16000)
    assert np.array_equal(clip.samples, samples[:, 0])


def test_single_sample(mf) -> None:
    data = mf.audio_bytes(np.full((1, 1), 0.25, np.float32), 48000, subtype="FLOAT")
    clip = decode_audio_bytes(data, "one.wav", 16000)
    _check_clip(clip, 16000, 1)


def test_zero_frames(mf, tmp_path: Path) -> None:
    path = _write(tmp_path, "silent.wav", mf.audio_bytes(np.zeros((0, 2), np.float32), 16000))
    with pytest.raises(MediaError, match=r"^silent\.wav: contains no audio samples$"):
        load_audio(path, 16000)


@pytest.mark.parametrize("fmt", ["FLAC", "OGG", "MP3"])
def test_compressed_formats(mf, tmp_path: Path, fmt: str) -> None:
    path = _write(tmp_path, f"tone.{fmt.lower()}", mf.audio_bytes(mf.tone(440, 44100, 1.0, channels=2), 44100, fmt))
    clip = load_audio(path, 16000)
    assert clip.source_channels == 2
    assert len(clip.samples) == pytest.approx(16000, abs=1200)  # MP3 pads with encoder delay
    assert mf.peak_frequency(clip.samples, 16000) == pytest.approx(440, abs=3)


def test_streaming_matches_one_shot(mf, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    frames = (mf.tone(440, 44100, 7.3, channels=2) + 0.05 * rng.standard_normal((321930, 2))).astype(np.float32)
    path = _write(tmp_path, "long.wav", mf.audio_bytes(frames, 44100, subtype="FLOAT"))
    whole = load_audio(path, 16000).samples
    blocks = list(iter_audio_blocks(path, 16000, block_s=0.5))
    assert all(len(b) == 8000 for b, _ in blocks[:-1])
    assert 0 < len(blocks[-1][0]) <= 8000
    progress = [p for _, p in blocks]
    assert progress == sorted(progress) and progress[-1] == 1.0 and all(0 <= p <= 1 for p in progress)
    joined = np.concatenate([b for b, _ in blocks])
    assert len(joined) == len(whole) == round(321930 * 16000 / 44100)
    assert np.abs(joined - whole).max() < 1e-4


def test_streaming_same_rate_and_eager_errors(mf, tmp_path: Path) -> None:
    path = _write(tmp_path, "a.wav", mf.audio_bytes(mf.tone(300, 16000, 1.0), 16000))
    joined = np.concatenate([b for b, _ in iter_audio_blocks(path, 16000, block_s=0.3)])
    assert np.allclose(joined, load_audio(path, 16000).samples)
    with pytest.raises(MediaError, match="file not found"):
        iter_audio_blocks(tmp_path / "gone.wav", 16000)  # refused at call time, not at first next()


def test_truncated_wav(mf, tmp_path: Path) -> None:
    data = mf.audio_bytes(mf.tone(440, 16000, 1.0), 16000)
    clip = load_audio(_write(tmp_path, "half.wav", data[: len(data) // 2]), 16000)
    assert 7000 < len(clip.samples) < 9000  # libsndfile reads what is there
    for cut in (10, 30, 44):
        with pytest.raises(MediaError, match=rf"^cut{cut}\.wav: "):
            load_audio(_write(tmp_path, f"cut{cut}.wav", data[:cut]), 16000)


def test_png_named_wav(mf, tmp_path: Path) -> None:
    path = _write(tmp_path, "voice.wav", mf.image_bytes(Image.new("RGB", (4, 4)), "PNG"))
    with pytest.raises(UnsupportedFormatError, match=r"^voice\.wav is not audio: it looks like a PNG image$"):
        load_audio(path, 16000)


def test_mp4_and_text_are_refused(mf) -> None:
    with pytest.raises(UnsupportedFormatError, match="MP4/M4A/AAC"):
        decode_audio_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + bytes(32), "song.m4a", 16000)
    with pytest.raises(UnsupportedFormatError, match="looks like plain text"):
        decode_audio_bytes(b"just some words\n", "notes.wav", 16000)
    with pytest.raises(MediaError, match=r"^nothing\.wav: file is empty$"):
        decode_audio_bytes(b"", "nothing.wav", 16000)


def _wav_header(channels: int, rate: int, frames: int) -> bytes:
    """A 16-bit PCM WAV header declaring `frames` frames, followed by one frame of data."""
    block = 2 * channels
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", frames * block)
    return b"RIFF" + struct.pack("<I", len(body) + frames * block) + body + bytes(block)


def test_channel_limit(mf) -> None:
    with pytest.raises(MediaTooLargeError, match=r"^many\.wav: 100 channels, over the limit of 64$"):
        decode_audio_bytes(_wav_header(100, 8000, 1), "many.wav", 16000)


def test_absurd_sample_rate_is_refused() -> None:
    with pytest.raises(MediaError, match=r"^slow\.wav: sample rate 2 Hz is too low for audio"):
        decode_audio_bytes(_wav_header(1, 2, 1), "slow.wav", 16000)


def test_duration_limit(mf) -> None:
    data = mf.audio_bytes(mf.tone(440, 8000, 3.0), 8000)
    with pytest.raises(MediaTooLargeError, match=r"^long\.wav: 3\.0 seconds of audio, over the 1\.8 seconds limit$"):
        decode_audio_bytes(data, "long.wav", 16000, max_duration_s=1.8)
    assert len(decode_audio_bytes(data, "long.wav", 16000, max_duration_s=3.0).samples) == 48000


def test_bad_arguments(mf) -> None:
    data = mf.audio_bytes(mf.tone(440, 8000, 0.1), 8000)
    with pytest.raises(ValueError):
        decode_audio_bytes(data, "a.wav", 0)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"^nope\.wav: file not found$"):
        load_audio(tmp_path / "nope.wav", 16000)
    (tmp_path / "dir.wav").mkdir()
    with pytest.raises(MediaError, match=r"^dir\.wav: is a folder, not a file$"):
        audio_info(tmp_path / "dir.wav")


def test_extensions() -> None:
    assert {".wav", ".flac", ".ogg", ".mp3"} <= set(AUDIO_EXTENSIONS)


def test_real_sample_speech() -> None:
    clip = load_audio(resource_path("samples", "speech-espeak.wav"), 16000)
    assert clip.sample_rate == 16000
    assert clip.duration_s == pytest.approx(10.09, abs=0.01)
    assert np.abs(clip.samples).max() > 0.05
