"""Shared fixtures (no Qt import here: the core tests also run with PySide6 absent)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
REFERENCE = ROOT / "tests" / "data" / "reference"
MODELS = ROOT / "models"


@pytest.fixture(autouse=True)
def _user_dirs_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """User models, settings and logs of every test live in a temporary folder."""
    home = tmp_path_factory.mktemp("user-home")
    monkeypatch.setenv("DESKTOP_APP_HOME", str(home))
    return home


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy variables: downloads from the tests' 127.0.0.1 server must go straight to it."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _loopback_only(address: object, family: int) -> None:
    """Refuse a connection unless it goes to 127.0.0.0/8, ::1 or a unix socket path."""
    import ipaddress
    import socket

    if family == getattr(socket, "AF_UNIX", None) or isinstance(address, (str, bytes)):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    try:
        if ipaddress.ip_address(str(host).split("%")[0]).is_loopback:
            return
    except ValueError:
        if host == "localhost":
            return
    raise ConnectionRefusedError(f"network guard: connection to {address!r} refused (tests may only use loopback)")


@pytest.fixture(scope="session", autouse=True)
def _network_guard() -> Iterator[None]:
    """The whole suite asserts the app connects nowhere but loopback: any other connect() raises."""
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        _loopback_only(address, self.family)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _loopback_only(address, self.family)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        _loopback_only(address, socket.AF_INET)
        return real_create(address, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "create_connection", create_connection)
        yield
