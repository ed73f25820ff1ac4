"""Guess what a file really is from its first bytes, so wrong extensions get honest messages.

The one sniffer of the app: media loaders (images, audio, CSV) and the ONNX inspector both use it.
"""

from __future__ import annotations

IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "webp", "tiff", "bmp", "ico", "avif", "heic", "psd", "svg"})
AUDIO_KINDS = frozenset({"wav", "flac", "ogg", "mp3", "aiff", "au", "w64", "caf"})
# Readable text whose flavour was recognised; loaders that accept "text" accept these as well.
TEXT_KINDS = frozenset({"text", "json", "xml"})

_DESCRIPTIONS = {
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "gif": "a GIF image",
    "webp": "a WebP image",
    "tiff": "a TIFF image",
    "bmp": "a BMP image",
    "ico": "an ICO icon",
    "avif": "an AVIF image",
    "heic": "a HEIC image",
    "psd": "a Photoshop document",
    "svg": "an SVG drawing",
    "wav": "WAV audio",
    "flac": "FLAC audio",
    "ogg": "Ogg audio",
    "mp3": "MP3 audio",
    "aiff": "AIFF audio",
    "au": "Sun/NeXT audio",
    "w64": "Wave64 audio",
    "caf": "CAF audio",
    "mp4": "an MP4/M4A media file",
    "avi": "an AVI video",
    "mkv": "a Matroska/WebM media file",
    "onnx-ish": "an ONNX model (protobuf)",
    "zip": "a ZIP archive (or an Office document)",
    "gzip": "a gzip archive",
    "7z": "a 7-Zip archive",
    "rar": "a RAR archive",
    "pdf": "a PDF document",
    "hdf5": "an HDF5 file (a Keras model?)",
    "pickle": "a Python pickle",
    "numpy": "a NumPy array file",
    "tflite": "a TensorFlow Lite model",
    "git-lfs": "a Git LFS pointer (the real file was never downloaded)",
    "executable": "a program (executable)",
    "html": "an HTML page",
    "xml": "an XML document",
    "json": "a JSON file",
    "text": "plain text",
    "empty": "an empty file",
    "unknown": "an unrecognised binary file",
}

# (offset, magic, kind): checked in order, first match wins.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"II+\x00", "tiff"),
    (0, b"MM\x00+", "tiff"),
    (0, b"8BPS", "psd"),
    (0, b"\x00\x00\x01\x00", "ico"),
    (0, b"fLaC", "flac"),
    (0, b"OggS", "ogg"),
    (0, b"ID3", "mp3"),
    (0, b".snd", "au"),
    (0, b"riff\x2e\x91\xcf\x11", "w64"),
    (0, b"caff", "caf"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"%PDF", "pdf"),
    (0, b"\x1f\x8b", "gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"Rar!\x1a\x07", "rar"),
    (0, b"\x89HDF\r\n\x1a\n", "hdf5"),
    (0, b"\x93NUMPY", "numpy"),
    (0, b"\x80\x02", "pickle"),
    (0, b"\x80\x03", "pickle"),
    (0, b"\x80\x04", "pickle"),
    (0, b"\x80\x05", "pickle"),
    (0, b"version https://git-lfs", "git-lfs"),
    (4, b"TFL3", "tflite"),
    (0, b"\x7fELF", "executable"),  # Linux
    (0, b"MZ", "executable"),  # Windows
    (0, b"\xcf\xfa\xed\xfe", "executable"),  # macOS, 64-bit
    (0, b"\xce\xfa\xed\xfe", "executable"),  # macOS, 32-bit
    (0, b"\xfe\xed\xfa\xcf", "executable"),  # macOS, 64-bit big-endian
    (0, b"\xfe\xed\xfa\xce", "executable"),  # macOS, 32-bit big-endian
    (0, b"\x1a\x45\xdf\xa3", "mkv"),
)

# What may follow "[" in a JSON array but not in an INI/TOML "[section]" or "[[table]]" header.
_JSON_ARRAY_STARTS = frozenset(bytes([b]) for b in b'{"-0123456789]')

_RIFF_KINDS = {b"WAVE": "wav", b"WEBP": "webp", b"AVI ": "avi"}
_FTYP_KINDS = {b"avif": "avif", b"avis": "avif", b"heic": "heic", b"heix": "heic", b"mif1": "heic"}


def describe(kind: str) -> str:
    """Human words for a kind returned by `sniff`, e.g. "WAV audio"."""
    return _DESCRIPTIONS.get(kind, kind)


def sniff(data: bytes) -> str:
    """Kind of a file from its first bytes ("png", "wav", "zip", "text", "empty", "unknown", ...)."""
    if not data:
        return "empty"
    head = bytes(data[:512])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark (Excel's "Unicode text")
    for offset, magic, kind in _MAGIC:
        if head.startswith(magic, offset):
            return kind
    if head[:4] in (b"RIFF", b"RIFX", b"RF64") and len(head) >= 12:
        return _RIFF_KINDS.get(head[8:12], "wav" if head[:4] == b"RF64" else "unknown")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[4:8] == b"ftyp":
        return _FTYP_KINDS.get(head[8:12], "mp4")
    if head[:2] == b"BM" and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "bmp"
    if _looks_like_mp3_frame(head):
        return "mp3"
    if _looks_like_onnx(head):
        return "onnx-ish"
    return _sniff_text(head)


def _looks_like_mp3_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a valid layer, bitrate and sample-rate index."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _looks_like_onnx(head: bytes) -> bool:
    """ONNX ModelProto: field 1 (ir_version, small varint) then producer name, graph or opset."""
    return len(head) >= 3 and head[0] == 0x08 and 1 <= head[1] <= 30 and head[2] in (0x12, 0x1A, 0x3A, 0x42)


def _sniff_text(head: bytes) -> str:
    """"svg", "html", "xml", "json", "text" or "unknown" for data that matched no binary signature."""
    if b"\x00" in head:
        return "unknown"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > len(head) // 20:
        return "unknown"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"<svg") or (lowered.startswith(b"<?xml") and b"<svg" in lowered):
        return "svg"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    if lowered.startswith(b"<?xml"):
        return "xml"
    if lowered.startswith(b"{") or (lowered.startswith(b"[") and lowered[1:].lstrip()[:1] in _JSON_ARRAY_STARTS):
        return "json"  # "[section]" (INI/TOML) stays "text"
    return "text"  # UTF-8 or a legacy 8-bit encoding: few control characters is what matters
