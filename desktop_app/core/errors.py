"""The project's error types: every refusal the core makes is one of these, with a one-line message."""

from __future__ import annotations


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first non-empty line of an exception's message, cut at `limit` characters; its type's name
    when the message is empty (library errors often carry pages of detail after the first line)."""
    lines = str(exc).strip().splitlines()
    return lines[0][:limit] if lines else type(exc).__name__


def whole_message(exc: BaseException, limit: int = 1000) -> str:
    """All of an exception's message on one line (its lines joined), cut at `limit` characters: ONNX Runtime
    puts the useful part (`index: 1 Got: 512 Expected: 256`) on the lines after the first."""
    text = " ".join(str(exc).split())
    return (text[: limit - 1] + "…" if len(text) > limit else text) or type(exc).__name__


class AppError(Exception):
    """Base of every error the core raises on purpose; its message is one plain line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class ModelCardError(AppError):
    """A model card (model.toml) is missing, malformed or inconsistent."""


class ModelError(AppError):
    """A model file cannot be used: not ONNX, corrupt, wrong hash, unsafe external data."""


class ModelNotFoundError(ModelError):
    """No model with that id in the registry."""


class ProviderError(AppError):
    """An execution provider could not be used (raised in strict mode instead of falling back)."""


class InferenceError(AppError):
    """ONNX Runtime failed while running a model."""


class MediaError(AppError):
    """An input file cannot be decoded."""


class UnsupportedFormatError(MediaError):
    """The file is not in a format this task accepts."""


class MediaTooLargeError(MediaError):
    """The file declares more pixels, samples or cells than the safety limits allow."""


class TaskError(AppError):
    """A task cannot run on this model or this input."""


class SourceError(AppError):
    """A live source (camera index, video file, stream URL) cannot be opened or read."""


class CameraUnavailableError(SourceError):
    """The source cannot be opened: no camera at that index, busy, unreachable URL, missing or unreadable file."""


class CameraLostError(SourceError):
    """An open source stopped delivering frames (camera unplugged, stream stopped or stalled)."""


class SourceEndedError(SourceError):
    """A video file played to its end (not a failure: capture stops cleanly)."""


class WriteError(AppError, OSError):
    """A file the user asked for could not be written: disk full, read-only folder, no permission.

    Also an OSError, so code that caught the raw error still catches it; `errno` is the underlying code
    (None when unknown) and the message is one line naming the file, the folder and the reason.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class Cancelled(Exception):
    """Raised inside a worker when the user cancelled the work; not an error."""
