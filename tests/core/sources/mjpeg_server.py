"""A tiny MJPEG (multipart/x-mixed-replace) HTTP server on 127.0.0.1 for the stream tests."""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = b"frame"


class MjpegServer:
    """Serves JPEG frames in a loop on an ephemeral port.

    limit: frames per connection, then the stream stops (`end`: "close" drops the connection, "stall"
    keeps it open and silent until `release` is set); None: no limit. available=False answers 503.
    """

    def __init__(self, frames: list[np.ndarray] | tuple[np.ndarray, ...], fps: float | None = 60.0,
                 limit: int | None = None, end: str = "close") -> None:
        self.jpegs = [cv2.imencode(".jpg", cv2.cvtColor(f, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
                      for f in frames]
        self.fps, self.limit, self.end = fps, limit, end
        self.available = True
        self.release = threading.Event()
        self.limit_reached = threading.Event()
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.connections += 1
                if not server.available:
                    self.send_error(503, "camera offline")
                    return
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.stream(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="mjpeg-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/video.mjpg"

    def stream(self, handler: BaseHTTPRequestHandler) -> None:
        sent = 0
        while self.limit is None or sent < self.limit:
            jpeg = self.jpegs[sent % len(self.jpegs)]
            handler.wfile.write(b"--" + BOUNDARY + b"\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                + str(len(jpeg)).encode() + b"\r\n\r\n" + jpeg + b"\r\n")
            handler.wfile.flush()
            sent += 1
            if self.fps:
                time.sleep(1.0 / self.fps)  # pacing like a camera, not synchronisation
            if self.release.is_set() and self.limit is None:
                return
        self.limit_reached.set()
        if self.end == "stall":
            self.release.wait(30)

    def __enter__(self) -> MjpegServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
