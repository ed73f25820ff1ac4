"""Recording the raw microphone input (native rate and channels) to a WAV file, written atomically: frames
go to a temporary file in the target folder, which replaces the target only when the recording stops.
A write that fails (disk full, read-only folder, no permission) raises WriteError with one plain line and
removes the temporary file; the target is never left half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from desktop_app.core.fileio import write_error


class WavRecorder:
    """32-bit float WAV of (frames, channels) blocks; `close()` moves it into place (os.replace)."""

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.frames = 0
        tmp: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            os.close(fd)
            self._tmp = Path(tmp)
            self._file: sf.SoundFile | None = sf.SoundFile(tmp, "w", samplerate=rate, channels=channels,
                                                           format="WAV", subtype="FLOAT")
        except (OSError, RuntimeError, sf.LibsndfileError) as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            raise write_error(self.path, exc, "cannot record") from exc

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate if self.rate else 0.0

    def write(self, raw: np.ndarray) -> None:
        """Append native-rate frames shaped (frames, channels)."""
        if self._file is None:
            return
        try:
            self._file.write(np.asarray(raw, dtype=np.float32).reshape(-1, self.channels))
        except (OSError, RuntimeError, sf.LibsndfileError) as exc:  # libsndfile says only "system error"
            error = write_error(self.path, exc, "recording stopped")  # asks the folder why, before discarding
            self.discard()
            raise error from exc
        self.frames += len(raw)

    def close(self) -> Path:
        """Finish the file and replace the target with it -> the target path."""
        handle, self._file = self._file, None
        if handle is None:
            return self.path
        try:
            handle.close()
            os.replace(self._tmp, self.path)
        except (OSError, RuntimeError, sf.LibsndfileError) as exc:
            error = write_error(self.path, exc, "recording not saved")
            self._tmp.unlink(missing_ok=True)
            raise error from exc
        return self.path

    def discard(self) -> None:
        """Drop the temporary file without touching the target."""
        handle, self._file = self._file, None
        if handle is not None:
            with contextlib.suppress(OSError, RuntimeError, sf.LibsndfileError):
                handle.close()
        self._tmp.unlink(missing_ok=True)
