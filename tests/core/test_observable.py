"""Observable: subscribers are told in order, can unsubscribe, and a raising one does not stop the others."""

from __future__ import annotations

import logging
import threading

import pytest

from desktop_app.core.observable import Observable
from desktop_app.core.paths import UserDirs
from desktop_app.core.services import AppServices, SettingsChange


def test_subscribers_are_told_in_order_until_they_unsubscribe() -> None:
    events: Observable[int] = Observable("numbers")
    seen: list[tuple[str, int]] = []
    first = events.subscribe(lambda v: seen.append(("a", v)))
    events.subscribe(lambda v: seen.append(("b", v)))
    events.emit(1)
    first.close()
    first.close()  # closing twice is harmless
    events.emit(2)
    assert seen == [("a", 1), ("b", 1), ("b", 2)] and len(events) == 1


def test_a_raising_subscriber_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    events: Observable[str] = Observable("words")
    seen: list[str] = []

    def broken(_value: str) -> None:
        raise ValueError("boom")

    events.subscribe(broken)
    events.subscribe(seen.append)
    with caplog.at_level(logging.ERROR, logger="desktop_app.core.observable"):
        events.emit("hello")
    assert seen == ["hello"]
    assert any("words" in r.getMessage() and r.exc_info for r in caplog.records)


def test_emit_from_many_threads_reaches_every_subscriber() -> None:
    events: Observable[int] = Observable()
    seen: list[int] = []
    lock = threading.Lock()

    def record(value: int) -> None:
        with lock:
            seen.append(value)

    events.subscribe(record)
    threads = [threading.Thread(target=lambda i=i: [events.emit(i * 100 + j) for j in range(100)]) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(400))


def test_settings_changes_are_announced_with_old_and_new(tmp_path) -> None:  # type: ignore[no-untyped-def]
    services = AppServices.create(UserDirs.under(tmp_path / "home"))
    told: list[SettingsChange] = []
    services.settings_changed.subscribe(told.append)
    services.update_settings(provider="cpu")
    services.update_settings(top_k=3)
    assert [c.provider_changed for c in told] == [True, False]
    assert told[0].old.provider == "auto" and told[0].new.provider == "cpu" and told[0].save_error is None
    assert told[1].changed("top_k") and not told[1].changed("provider")
    assert services.pipeline.pool.choice == "cpu"
