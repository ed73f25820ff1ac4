"""MicrophoneSource with an injected fake sounddevice: rates, mono conversion, backpressure, errors."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.sources.microphone import (
    MicrophoneError,
    MicrophoneSource,
    explain_portaudio_error,
    input_devices,
    levels,
)
from tests.fake_sounddevice import FakePortAudioError, FakeSoundDevice


def tone(rate: int, seconds: float, channels: int = 2, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    mono = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(mono[:, None], channels, axis=1)


def test_lists_input_devices_with_host_api_and_default() -> None:
    devices = input_devices(FakeSoundDevice())
    assert [d.name for d in devices] == ["USB Mic"]
    assert devices[0].host_api == "ALSA" and devices[0].is_default and "default" in devices[0].label


def test_opens_at_the_native_rate_and_resamples_to_mono_16k() -> None:
    sd = FakeSoundDevice()
    source = MicrophoneSource(sd, 0, 16000)
    source.open()
    assert sd.stream is not None and sd.stream.started
    assert sd.stream.kwargs["samplerate"] == 48000 and sd.stream.kwargs["channels"] == 2
    audio = tone(48000, 1.0)
    for start in range(0, len(audio), 1536):
        sd.stream.push(audio[start : start + 1536])
    blocks = [b for b in iter(lambda: source.read(timeout=0.01), None)]
    out = np.concatenate([b.samples for b in blocks])
    assert 16000 - 500 < len(out) <= 16000  # the streaming resampler holds back about 20 ms
    spectrum = np.abs(np.fft.rfft(out[2000:14000]))
    assert np.argmax(spectrum) * 16000 / 12000 == pytest.approx(440, abs=3)
    assert blocks[0].peak_dbfs == pytest.approx(20 * np.log10(0.5), abs=0.1) and not blocks[0].clipped
    source.close()
    assert sd.stream.closed


def test_a_slow_consumer_loses_the_oldest_blocks_and_they_are_counted() -> None:
    sd = FakeSoundDevice()
    source = MicrophoneSource(sd, 0, 16000, max_blocks=4)
    source.open()
    assert sd.stream is not None
    for i in range(10):
        sd.stream.push(np.full((480, 2), i / 100, np.float32), overflow=(i == 3))
    assert source.captured == 10 and source.dropped == 6 and source.queued == 4 and source.overflows == 1
    first = source.read(timeout=0.01)
    assert first is not None and first.raw[0, 0] == pytest.approx(0.06)  # blocks 0..5 were dropped


def test_clipping_is_flagged() -> None:
    sd = FakeSoundDevice()
    source = MicrophoneSource(sd, 0, 16000)
    source.open()
    assert sd.stream is not None
    sd.stream.push(np.ones((480, 2), np.float32))
    block = source.read(timeout=0.01)
    assert block is not None and block.clipped and block.peak_dbfs == pytest.approx(0.0)


def test_stream_that_dies_reports_unplugged() -> None:
    sd = FakeSoundDevice()
    source = MicrophoneSource(sd, 0, 16000)
    source.open()
    assert sd.stream is not None
    sd.stream.kwargs["finished_callback"]()
    with pytest.raises(MicrophoneError, match="unplugged"):
        source.read(timeout=0.01)


@pytest.mark.parametrize(("code", "words"), [
    (-9996, "does not exist"), (-9997, "sample rate"), (-9998, "channels"), (-9999, "internal error"),
])
def test_portaudio_codes_become_plain_advice(code: int, words: str) -> None:
    sd = FakeSoundDevice(fail_with=FakePortAudioError(f"Error opening InputStream [PaErrorCode {code}]", code))
    with pytest.raises(MicrophoneError) as info:
        MicrophoneSource(sd, 0, 16000).open()
    assert words in str(info.value) and "\n" not in str(info.value)


def test_permission_denied_says_where_to_allow_it() -> None:
    message = explain_portaudio_error(OSError("Permission denied: microphone access"))
    assert "privacy settings" in message


def test_unknown_device_is_a_microphone_error() -> None:
    with pytest.raises(MicrophoneError, match="No input device"):
        MicrophoneSource(FakeSoundDevice(), "nope", 16000).open()


def test_levels_of_a_block_in_dbfs() -> None:
    sine = tone(48000, 0.1)  # amplitude 0.5, two channels
    rms, peak, clipped = levels(sine)
    assert rms == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.01)
    assert peak == pytest.approx(20 * np.log10(0.5), abs=0.01) and not clipped
    assert levels(np.zeros((480, 2), np.float32)) == (-200.0, -200.0, False)
    assert levels(np.zeros((0, 2), np.float32)) == (-200.0, -200.0, False)
    assert levels(np.full(16, -1.0, np.float32))[1:] == (0.0, True)  # a negative full-scale peak clips too
