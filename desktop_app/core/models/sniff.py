"""Recognise common non-ONNX files by their first bytes, so a refusal can say what the file looks like."""

from __future__ import annotations

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"BM", "a BMP image"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"%PDF", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive (a PyTorch checkpoint or a zipped model?)"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"\x89HDF", "an HDF5 file (a Keras model?)"),
    (0, b"fLaC", "a FLAC audio file"),
    (0, b"OggS", "an Ogg audio file"),
    (0, b"ID3", "an MP3 audio file"),
    (0, b"\x7fELF", "an executable program"),
    (0, b"MZ", "a Windows executable"),
    (0, b"\x80\x02", "a Python pickle"),
    (0, b"\x80\x03", "a Python pickle"),
    (0, b"\x80\x04", "a Python pickle"),
    (0, b"\x93NUMPY", "a NumPy array file"),
    (0, b"version https://git-lfs", "a Git LFS pointer (the real file was never downloaded)"),
    (4, b"TFL3", "a TensorFlow Lite model"),
    (4, b"ftyp", "an MP4/MOV video"),
)

# Text sniffing: ONNX files start with a protobuf tag (byte 0x08 for ir_version), never printable text.
_TEXT_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"<", "an HTML/XML document (a download error page?)"),
    (b"{", "a JSON file"),
    (b"[", "a JSON or TOML file"),
)


def describe_file_kind(head: bytes) -> str | None:
    """What a file that is not ONNX looks like ("a JPEG image", "a text file"), or None if unknown."""
    for offset, magic, label in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return label
    if head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"WEBP", b"AVI "):
        return {b"WAVE": "a WAV audio file", b"WEBP": "a WebP image", b"AVI ": "an AVI video"}[head[8:12]]
    return _describe_text(head)


def _describe_text(head: bytes) -> str | None:
    sample = head[:512]
    if not sample:
        return None
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still text.
        if exc.start < len(sample) - 3:
            return None
        text = sample[: exc.start].decode("utf-8")
    if not text or not all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return None
    stripped = text.lstrip()
    for prefix, label in _TEXT_PREFIXES:
        if stripped.startswith(prefix.decode()):
            return label
    return "a text file"
