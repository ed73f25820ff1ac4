"""System information for bug reports and the self-test: versions, providers, audio devices. Local only."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Any

from desktop_app import __version__
from desktop_app.core.runtime import providers as prov


def _version(*dists: str) -> str | None:
    for dist in dists:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None


def audio_devices() -> tuple[list[dict[str, Any]], str | None]:
    """PortAudio devices (name, host API, channels, default rate), or the reason they cannot be listed."""
    try:
        import sounddevice as sd
    except OSError as exc:  # PortAudio library missing
        return [], f"PortAudio unavailable: {exc}"
    try:
        apis = sd.query_hostapis()
        devices = []
        for d in sd.query_devices():
            devices.append({"name": d["name"], "host_api": apis[d["hostapi"]]["name"],
                            "inputs": d["max_input_channels"], "outputs": d["max_output_channels"],
                            "default_rate": d["default_samplerate"]})
        return devices, None
    except Exception as exc:  # PortAudio reports device problems as several error types
        return [], f"PortAudio error: {exc}"


def system_info() -> dict[str, Any]:
    """Everything a bug report needs; nothing is sent anywhere."""
    import cv2
    import numpy
    import onnxruntime

    devices, audio_error = audio_devices()
    return {
        "app": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "onnxruntime": f"{onnxruntime.__version__} ({prov.ort_distribution()})",
        "providers_in_build": prov.available_providers(),
        "qt": _version("PySide6-Essentials", "PySide6"),
        "opencv": cv2.__version__,
        "numpy": numpy.__version__,
        "portaudio": _portaudio_version(),
        "audio_devices": devices,
        "audio_error": audio_error,
    }


def _portaudio_version() -> str | None:
    try:
        import sounddevice as sd

        return str(sd.get_portaudio_version()[1])
    except Exception:  # library missing or unusable: reported by audio_devices
        return None


def system_info_text(info: dict[str, Any] | None = None) -> str:
    """system_info() as plain lines, for the clipboard."""
    info = info or system_info()
    lines = [f"{key}: {value}" for key, value in info.items() if key != "audio_devices"]
    lines.append(f"audio devices: {len(info['audio_devices'])}")
    lines += [f"  - {d['name']} ({d['host_api']}, in {d['inputs']}, out {d['outputs']}, {d['default_rate']:.0f} Hz)"
              for d in info["audio_devices"]]
    return "\n".join(lines)
