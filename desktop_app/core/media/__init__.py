"""Decoding and validation of images, audio and CSV files, with limits against hostile files."""

from desktop_app.core.media.audio import (
    AUDIO_EXTENSIONS,
    MAX_CHANNELS,
    MAX_DURATION_S,
    MIN_SAMPLE_RATE,
    AudioClip,
    audio_info,
    decode_audio_bytes,
    iter_audio_blocks,
    load_audio,
)
from desktop_app.core.media.image import (
    DEFAULT_MAX_PIXELS,
    IMAGE_EXTENSIONS,
    MAX_IMAGE_BYTES,
    decode_image,
    load_image,
)
from desktop_app.core.media.sniff import AUDIO_KINDS, IMAGE_KINDS, TEXT_KINDS, describe, sniff
from desktop_app.core.media.table import (
    CSV_EXTENSIONS,
    MAX_CSV_BYTES,
    MAX_CSV_COLUMNS,
    MAX_CSV_ROWS,
    Table,
    parse_csv,
    read_csv,
)

__all__ = [
    "AUDIO_EXTENSIONS",
    "AUDIO_KINDS",
    "CSV_EXTENSIONS",
    "DEFAULT_MAX_PIXELS",
    "IMAGE_EXTENSIONS",
    "IMAGE_KINDS",
    "MAX_CHANNELS",
    "MAX_CSV_BYTES",
    "MAX_CSV_COLUMNS",
    "MAX_CSV_ROWS",
    "MAX_DURATION_S",
    "MAX_IMAGE_BYTES",
    "MIN_SAMPLE_RATE",
    "TEXT_KINDS",
    "AudioClip",
    "Table",
    "audio_info",
    "decode_audio_bytes",
    "decode_image",
    "describe",
    "iter_audio_blocks",
    "load_audio",
    "load_image",
    "parse_csv",
    "read_csv",
    "sniff",
]
