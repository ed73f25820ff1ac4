"""Verified HTTPS downloads of catalog models (stdlib urllib; no network access unless the user starts one).

A download goes to `<staging>/<sha256[:16]>-<name>.part`, outside the models folder. The file is accepted
only when its size and sha256 equal the published ones; then the registry imports it (atomic rename).
- connection lost / timeout mid-transfer: the .part is kept and the next attempt resumes it with a
  Range request (206 appends; a server answering 200 restarts from zero);
- cancelled by the user: the .part is deleted, nothing is left behind;
- wrong size or hash: the .part is deleted and the next mirror is tried.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.core.errors import AppError, Cancelled
from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.catalog import CatalogEntry, import_entry_file
from desktop_app.core.models.registry import ModelRegistry

CHUNK = 64 * 1024
DEFAULT_TIMEOUT_S = 30.0
USER_AGENT = "desktop-app-model-download/1"
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class DownloadError(AppError):
    """A download failed (HTTP status, timeout, TLS, proxy, refused, lost connection, wrong hash)."""


class _ConnectionLost(DownloadError):
    """The transfer stopped midway; the .part is kept for resuming."""


@dataclass(frozen=True)
class DownloadProgress:
    """Bytes on disk so far, the expected total, and the transfer rate of this attempt (bytes/s)."""

    done: int
    total: int
    rate: float

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


ProgressCallback = Callable[[DownloadProgress], None]


def staging_dir() -> Path:
    """Where partial downloads live: beside, never inside, the user models folder."""
    from desktop_app.core.paths import UserDirs

    return UserDirs.default().data / "downloads"


def part_path(staging: Path, sha256: str, name: str) -> Path:
    return Path(staging) / f"{sha256[:16]}-{name}.part"


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def describe_error(url: str, exc: BaseException, timeout: float) -> str:
    """One plain line for a urllib/socket failure."""
    host = _host(url)
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code == 404:
            return f"HTTP 404 Not Found from {host}: the file is not at {url}"
        if exc.code == 407:
            return f"the proxy asks for authentication (HTTP 407) when fetching from {host}"
        if exc.code >= 500:
            return f"server error HTTP {exc.code} {exc.reason} from {host}; try again later or another mirror"
        return f"HTTP {exc.code} {exc.reason} from {host}"
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s waiting for {host}"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate of {host} could not be verified: {reason.verify_message or reason}"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error talking to {host}: {reason.reason or reason}"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host}"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve {urlsplit(url).hostname} (no network or DNS failure)"
    text = str(reason)
    if "proxy" in text.lower() or "tunnel connection failed" in text.lower():
        return f"proxy error while connecting to {host}: {text}"
    if isinstance(reason, OSError) and reason.strerror:
        return f"cannot connect to {host}: {reason.strerror}"
    return f"cannot download from {host}: {text}"


class Downloader:
    """Fetches one file from a list of mirror URLs into staging, resuming and verifying it."""

    def __init__(self, staging: Path, *, timeout: float = DEFAULT_TIMEOUT_S,
                 opener: urllib.request.OpenerDirector | None = None) -> None:
        self.staging = Path(staging)
        self.timeout = timeout
        self.opener = opener or urllib.request.build_opener()  # honours the system's proxy settings

    def fetch(self, urls: Sequence[str], *, sha256: str, size: int, name: str,
              progress: ProgressCallback | None = None, cancel: threading.Event | None = None) -> Path:
        """Download and verify; returns the verified file in staging (renamed from .part to `name`)."""
        if not urls:
            raise DownloadError(f"{name}: no download URL")
        self.staging.mkdir(parents=True, exist_ok=True)
        part = part_path(self.staging, sha256, name)
        errors = []
        for url in urls:
            try:
                if cancel is not None and cancel.is_set():
                    raise Cancelled("download cancelled")
                self._transfer(url, part, size, progress, cancel)
                self._verify(part, sha256, size, url)
            except Cancelled:
                part.unlink(missing_ok=True)
                raise
            except DownloadError as exc:
                errors.append(str(exc))
                continue
            done = self.staging / name
            os.replace(part, done)
            return done
        if len(errors) == 1:
            raise DownloadError(f"{name}: {errors[0]}")
        raise DownloadError(f"{name}: every mirror failed: " + "; ".join(errors))

    def _verify(self, part: Path, sha256: str, size: int, url: str) -> None:
        actual_size = part.stat().st_size
        if actual_size != size:
            part.unlink(missing_ok=True)
            raise DownloadError(f"{_host(url)} sent {actual_size} bytes, the catalog says {size}; file deleted")
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        if digest.hexdigest() != sha256:
            part.unlink(missing_ok=True)
            raise DownloadError(
                f"sha256 mismatch from {_host(url)} (expected {sha256[:12]}…, got {digest.hexdigest()[:12]}…); "
                "the file was deleted and not installed"
            )

    def _transfer(self, url: str, part: Path, size: int, progress: ProgressCallback | None,
                  cancel: threading.Event | None) -> None:
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        if have == size:
            return  # complete from an earlier attempt; verification decides
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        try:
            response = self.opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 416 and have:  # our .part is not a prefix the server recognises: start over
                part.unlink(missing_ok=True)
                return self._transfer(url, part, size, progress, cancel)
            raise DownloadError(describe_error(url, exc, self.timeout)) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise DownloadError(describe_error(url, exc, self.timeout)) from None
        with response:
            start = self._start_offset(response, have, size, url)
            self._copy(response, part, start, size, url, progress, cancel)
        return None

    @staticmethod
    def _start_offset(response: http.client.HTTPResponse, have: int, size: int, url: str) -> int:
        """Where the body starts: `have` for a matching 206, 0 for a 200 (server ignored the Range)."""
        if response.status == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if not match or int(match.group(1)) != have:
                raise DownloadError(f"{_host(url)} answered the resume request with an unexpected range")
            return have
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) != size:
            raise DownloadError(f"{_host(url)} offers {int(length)} bytes, the catalog says {size}; not downloaded")
        return 0

    def _copy(self, response: http.client.HTTPResponse, part: Path, start: int, size: int, url: str,
              progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
        began, done = time.monotonic(), start
        mode = "r+b" if start else "wb"
        try:
            with part.open(mode) as out:
                out.seek(start)
                out.truncate()
                while done < size:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("download cancelled")
                    block = response.read(min(CHUNK, size - done))
                    if not block:
                        break
                    out.write(block)
                    done += len(block)
                    if progress is not None:
                        elapsed = max(time.monotonic() - began, 1e-6)
                        progress(DownloadProgress(done, size, (done - start) / elapsed))
                if done == size and response.read(1):
                    raise DownloadError(f"{_host(url)} sent more than the catalog's {size} bytes")
        except TimeoutError:
            raise _ConnectionLost(
                f"timed out after {self.timeout:g} s waiting for {_host(url)} after {done} of {size} bytes; "
                "the partial download is kept and resumes next time"
            ) from None
        except (http.client.IncompleteRead, ConnectionError, http.client.HTTPException, ssl.SSLError) as exc:
            raise _ConnectionLost(
                f"connection to {_host(url)} lost after {done} of {size} bytes ({type(exc).__name__}); "
                "the partial download is kept and resumes next time"
            ) from None
        if done < size:
            raise _ConnectionLost(f"connection to {_host(url)} lost after {done} of {size} bytes; "
                                  "the partial download is kept and resumes next time")


def download_entry(entry: CatalogEntry, registry: ModelRegistry, *, staging: Path | None = None,
                   mirror: int | None = None, progress: ProgressCallback | None = None,
                   cancel: threading.Event | None = None, timeout: float = DEFAULT_TIMEOUT_S,
                   opener: urllib.request.OpenerDirector | None = None) -> ModelCard:
    """Download a catalog entry (all mirrors in order, or only `mirror`), verify it, import it with its card."""
    urls = entry.urls
    if mirror is not None:
        if not 0 <= mirror < len(urls):
            raise DownloadError(f"{entry.id}: mirror {mirror} does not exist (0..{len(urls) - 1})")
        urls = (urls[mirror],)
    downloader = Downloader(staging if staging is not None else staging_dir(), timeout=timeout, opener=opener)
    done = downloader.fetch(urls, sha256=entry.sha256, size=entry.size, name=entry.download_name,
                            progress=progress, cancel=cancel)
    try:
        return import_entry_file(registry, entry, done)
    finally:
        done.unlink(missing_ok=True)
