"""A tiny HTTP server on 127.0.0.1 (ephemeral port) serving one file, with Range support and failure modes."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def big_model_bytes(n: int = 60_000) -> bytes:
    """A valid ONNX model (y = x + w, w with n floats: about 4n bytes, several download chunks)."""
    w = numpy_helper.from_array(np.arange(n, dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])], "add",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n])], [w],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


class FileServer:
    """Serves `data` at /<name>. Paths: /missing/* -> 404, /error/* -> 503, /slow/* waits `delay` s,
    /cut/* sends half then closes (Range requests are served whole), /norange/* ignores Range (200),
    /corrupt/* sends other bytes of the same length."""

    def __init__(self, data: bytes, delay: float = 2.0) -> None:
        self.data = data
        self.delay = delay
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                rng = self.headers.get("Range")
                server.requests.append((self.path, rng))
                kind = self.path.strip("/").split("/")[0]
                if kind == "missing":
                    self.send_error(404)
                    return
                if kind == "error":
                    self.send_error(503)
                    return
                if kind == "slow":
                    time.sleep(server.delay)
                body = server.data if kind != "corrupt" else bytes(len(server.data))
                match = re.fullmatch(r"bytes=(\d+)-", rng or "")
                if match and kind != "norange":
                    start = int(match.group(1))
                    if start >= len(body):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(body)}")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    self.send_header("Content-Length", str(len(body) - start))
                    self.end_headers()
                    self.wfile.write(body[start:])
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if kind == "cut":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, kind: str, name: str = "model.onnx") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{kind}/{name}"


@contextmanager
def serve(data: bytes, delay: float = 2.0) -> Iterator[FileServer]:
    server = FileServer(data, delay)
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
