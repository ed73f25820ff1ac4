"""Load audio files as mono float32 at a model's sample rate (soundfile + soxr), whole or streamed in blocks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from desktop_app.core.errors import MediaError, MediaTooLargeError, UnsupportedFormatError
from desktop_app.core.media._files import check_regular_file, display_name, os_error
from desktop_app.core.media.sniff import AUDIO_KINDS, describe, sniff

MAX_DURATION_S = 4 * 3600.0
MAX_CHANNELS = 64
MIN_SAMPLE_RATE = 1000
AUDIO_EXTENSIONS: tuple[str, ...] = (
    ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".aifc", ".au", ".w64", ".caf",
)  # fmt: skip

_MAX_READ_VALUES = 1 << 21  # samples (all channels) per read: bounds memory for many-channel files
_LOAD_BLOCK_S = 60.0
_MAX_ABS = 1e6  # bound on sample magnitude (valid audio is within -1..1)


@dataclass(frozen=True)
class AudioClip:
    """Mono float32 samples at `sample_rate`, with the rate and channel count the file had."""

    samples: np.ndarray
    sample_rate: int
    source_rate: int
    source_channels: int

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True)
class _Source:
    """A file on disk or bytes in memory, with the name used in messages."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def head(self) -> bytes:
        if self.data is not None:
            return self.data[:512]
        assert self.path is not None
        check_regular_file(self.path)
        try:
            with open(self.path, "rb") as handle:
                return handle.read(512)
        except OSError as exc:
            raise os_error(self.name, exc) from exc

    def handle(self) -> str | io.BytesIO:
        return io.BytesIO(self.data) if self.data is not None else str(self.path)


def _check_kind(src: _Source) -> str:
    """Refuse empty files and files that clearly are not audio; return the sniffed kind."""
    kind = sniff(src.head())
    if kind == "empty":
        raise MediaError(f"{src.name}: file is empty")
    if kind == "mp4":
        raise UnsupportedFormatError(f"{src.name}: MP4/M4A/AAC audio is not supported; convert it to WAV or FLAC")
    if kind not in AUDIO_KINDS and kind != "unknown":
        raise UnsupportedFormatError(f"{src.name} is not audio: it looks like {describe(kind)}")
    return kind


def _open_checked(src: _Source, max_duration_s: float) -> sf.SoundFile:
    """Open with libsndfile and check channels, rate, length and the duration limit."""
    kind = _check_kind(src)
    file = src.handle()
    try:
        handle = sf.SoundFile(file)
    except Exception as exc:  # noqa: BLE001 - libsndfile reports hostile input in many ways
        reason = str(exc).replace(f"Error opening {file!r}: ", "").strip(" .") or type(exc).__name__
        if kind in AUDIO_KINDS:
            raise MediaError(f"{src.name}: truncated or corrupt {describe(kind)} ({reason})") from exc
        raise UnsupportedFormatError(f"{src.name}: not a recognised audio format ({reason})") from exc
    try:
        _check_header(src.name, handle.channels, handle.samplerate, handle.frames, max_duration_s)
    except BaseException:
        handle.close()
        raise
    return handle


def _check_header(name: str, channels: int, rate: int, frames: int, max_duration_s: float) -> None:
    if channels < 1:
        raise MediaError(f"{name}: the file declares no audio channels")
    if channels > MAX_CHANNELS:
        raise MediaTooLargeError(f"{name}: {channels} channels, over the limit of {MAX_CHANNELS}")
    if rate < MIN_SAMPLE_RATE:  # also stops tiny files that would upsample into gigabytes
        raise MediaError(f"{name}: sample rate {rate} Hz is too low for audio (minimum {MIN_SAMPLE_RATE} Hz)")
    if frames < 1:
        raise MediaError(f"{name}: contains no audio samples")
    if frames / rate > max_duration_s:
        raise MediaTooLargeError(
            f"{name}: {_duration_text(frames / rate)} of audio, over the {_duration_text(max_duration_s)} limit"
        )


def _duration_text(seconds: float) -> str:
    """4.0 hours / 12.5 minutes / 3.0 seconds."""
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    if seconds >= 60:
        return f"{seconds / 60:.1f} minutes"
    return f"{seconds:.1f} seconds"


def _mono_chunks(handle: sf.SoundFile, name: str, max_frames: int) -> Iterator[np.ndarray]:
    """Successive mono float32 chunks (mean of channels), refusing files longer than `max_frames`."""
    chunk = max(1, min(_MAX_READ_VALUES // handle.channels, max_frames + 1))
    total = 0
    while True:
        try:
            block = handle.read(chunk, dtype="float32", always_2d=True)
        except Exception as exc:  # noqa: BLE001
            raise MediaError(f"{name}: truncated or corrupt audio ({type(exc).__name__}: {exc})") from exc
        if not len(block):
            return
        total += len(block)
        if total > max_frames:
            raise MediaTooLargeError(f"{name}: more audio than the file declared, over the duration limit")
        # Garbage float samples (NaN, inf, 1e38) are bounded so that resampling cannot overflow.
        with np.errstate(invalid="ignore", over="ignore"):
            mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float64)
        clean = np.nan_to_num(mono, nan=0.0, posinf=_MAX_ABS, neginf=-_MAX_ABS)
        yield np.clip(clean, -_MAX_ABS, _MAX_ABS).astype(np.float32, copy=False)


def _resampled_blocks(
    handle: sf.SoundFile, name: str, target_rate: int, block_s: float, max_duration_s: float
) -> Iterator[tuple[np.ndarray, float]]:
    """Mono blocks of `block_s` seconds at `target_rate`; the total length is round(frames*ratio)."""
    rate, declared = handle.samplerate, max(1, handle.frames)
    try:
        stream = None if rate == target_rate else soxr.ResampleStream(rate, target_rate, 1, dtype="float32")
    except Exception as exc:  # noqa: BLE001
        raise MediaError(f"{name}: cannot resample from {rate} Hz to {target_rate} Hz ({exc})") from exc
    block_out = max(1, round(block_s * target_rate))
    pending: list[np.ndarray] = []
    buffered = read_in = emitted = 0
    for mono in _mono_chunks(handle, name, int(max_duration_s * rate)):
        read_in += len(mono)
        out = stream.resample_chunk(mono) if stream is not None else mono
        pending.append(out)
        buffered += len(out)
        while buffered > block_out:  # always keep a remainder for the final block
            joined = np.concatenate(pending)
            pending, buffered = [joined[block_out:]], len(joined) - block_out
            emitted += block_out
            yield np.ascontiguousarray(joined[:block_out]), min(read_in / declared, 0.999)
    if stream is not None:
        pending.append(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    final = np.concatenate(pending) if pending else np.zeros(0, dtype=np.float32)
    expected = max(1, round(read_in * target_rate / rate)) - emitted
    if len(final) > expected:
        final = final[: max(expected, 0)]
    elif len(final) < expected:
        final = np.concatenate([final, np.zeros(expected - len(final), dtype=np.float32)])
    yield np.ascontiguousarray(final, dtype=np.float32), 1.0


def _check_args(target_rate: int, block_s: float) -> None:
    if target_rate < 1:
        raise ValueError(f"target_rate must be positive, got {target_rate}")
    if not block_s > 0:
        raise ValueError(f"block_s must be positive, got {block_s}")


def _load(src: _Source, target_rate: int, max_duration_s: float) -> AudioClip:
    _check_args(target_rate, _LOAD_BLOCK_S)
    with _open_checked(src, max_duration_s) as handle:
        blocks = [b for b, _ in _resampled_blocks(handle, src.name, target_rate, _LOAD_BLOCK_S, max_duration_s)]
        rate, channels = handle.samplerate, handle.channels
    samples = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    return AudioClip(samples=samples, sample_rate=target_rate, source_rate=rate, source_channels=channels)


def load_audio(path: Path, target_rate: int, *, max_duration_s: float = MAX_DURATION_S) -> AudioClip:
    """Load an audio file as mono float32 resampled (soxr, high quality) to `target_rate`."""
    return _load(_Source(display_name(path), path=path), target_rate, max_duration_s)


def decode_audio_bytes(
    data: bytes, name: str, target_rate: int, *, max_duration_s: float = MAX_DURATION_S
) -> AudioClip:
    """Like `load_audio` for an encoded file already in memory."""
    return _load(_Source(name, data=bytes(data)), target_rate, max_duration_s)


def audio_info(path: Path, *, max_duration_s: float = MAX_DURATION_S) -> tuple[float, int, int]:
    """(duration in seconds, sample rate, channels) of a valid audio file, without decoding it."""
    with _open_checked(_Source(display_name(path), path=path), max_duration_s) as handle:
        return handle.frames / handle.samplerate, handle.samplerate, handle.channels


def iter_audio_blocks(
    path: Path, target_rate: int, block_s: float = 30.0, *, max_duration_s: float = MAX_DURATION_S
) -> Iterator[tuple[np.ndarray, float]]:
    """Stream a long file as (mono float32 block at `target_rate`, progress 0..1); the file is checked now."""
    _check_args(target_rate, block_s)
    src = _Source(display_name(path), path=path)
    _open_checked(src, max_duration_s).close()  # refuse bad files before the first block is asked for
    return _stream(src, target_rate, block_s, max_duration_s)


def _stream(src: _Source, target_rate: int, block_s: float, max_duration_s: float) -> Iterator[tuple[np.ndarray, float]]:
    with _open_checked(src, max_duration_s) as handle:
        yield from _resampled_blocks(handle, src.name, target_rate, block_s, max_duration_s)

