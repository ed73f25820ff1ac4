"""Evented state in the real window: an imported face detector reaches the open camera panel at once, an
edited card is used by the next run, and a broken card shows its error in every view that lists models."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.models.card_watcher import CardWatcher
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.paths import UserDirs
from desktop_app.core.payloads.detection import DetectionResult
from desktop_app.core.results import Result
from desktop_app.core.services import AppServices, SettingsChange
from desktop_app.qt.qt_app_state import QtAppState

ROOT = Path(__file__).resolve().parents[2]
CENTERFACE = ROOT / "models" / "centerface" / "centerface.onnx"
SAMPLE = ROOT / "resources" / "samples" / "portrait-astronaut.jpg"
WAIT_MS = 60_000
#: What a person describes when importing CenterFace by hand: its task and how it wants its images.
FACE_DETECTOR_CARD = {"task": "detect-faces", "image": {"name": "input.1", "layout": "NCHW", "color": "RGB",
                                                       "resize": "native", "size_multiple": 32,
                                                       "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]}}


@pytest.fixture
def watched(main_window) -> Iterator[CardWatcher]:  # type: ignore[no-untyped-def]
    """The card watcher the app runs, polling fast; stopped (joined) before the window closes."""
    watcher = CardWatcher(main_window.services.registry, interval_s=0.05)
    watcher.start()
    yield watcher
    watcher.stop()


def _combo_texts(window) -> list[str]:  # type: ignore[no-untyped-def]
    combo = window.camera_panel.view.model_combo
    return [combo.itemText(i) for i in range(combo.count())]


def _import_face_detector(window, qtbot, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Import a copy of the bundled face detector as 'faces2' through the Models dock; its card file."""
    window.inputs.setCurrentWidget(window.camera_panel)  # the camera panel is open
    source = tmp_path / "faces2.onnx"
    shutil.copyfile(CENTERFACE, source)
    manager = window.model_manager
    with qtbot.waitSignal(manager.controller.imported, timeout=WAIT_MS) as blocker:
        manager.import_paths([source], FACE_DETECTOR_CARD)
    assert blocker.args[0].model_id == "faces2", blocker.args[0].error
    return window.services.registry.user_dir / "faces2" / "model.toml"


def _run_file(window, qtbot) -> Result:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.files_panel.results_added, timeout=WAIT_MS) as blocker:
        window.files_panel.run_paths([SAMPLE])
    results: list[Result] = blocker.args[0]
    assert len(results) == 1 and results[0].ok, results[0].error
    return results[0]


def test_imported_face_detector_appears_in_the_open_camera_panel_at_once(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert not any("faces2" in text for text in _combo_texts(main_window))
    _import_face_detector(main_window, qtbot, tmp_path)
    # the registry announced before the import worker reported: the list is already up to date
    assert "Faces: faces2" in _combo_texts(main_window)
    assert main_window.model_manager.select_model("faces2")
    combo = main_window.camera_panel.view.model_combo
    combo.setCurrentIndex(_combo_texts(main_window).index("Faces: faces2"))
    assert main_window.camera_panel.view.threshold_slider.isEnabled()  # treated as a face detector


def test_an_edited_card_is_used_by_the_next_run(main_window, qtbot, tmp_path: Path, watched) -> None:  # type: ignore[no-untyped-def]
    card_file = _import_face_detector(main_window, qtbot, tmp_path)
    services = main_window.services
    assert main_window._emotion_classes > 0  # the bundled detector's expression model
    services.update_settings(image_task="detect-faces", detect_model="faces2")
    assert main_window.files_panel.view.model_note.text() == "→ faces2"
    assert main_window._emotion_classes == 0  # faces2 has no expression model: the monitor follows the setting
    before = _run_file(main_window, qtbot)
    assert isinstance(before.payload, DetectionResult) and before.payload.detections  # the astronaut's face
    combo = main_window.camera_panel.view.model_combo
    combo.setCurrentIndex(_combo_texts(main_window).index("Faces + expressions"))  # faces2 is now the default

    assert before.payload.detections[0].label == "face"
    slider = main_window.camera_panel.view.threshold_slider
    slider.setValue(63)  # the user's live threshold outlives another card's change
    junk = services.registry.user_dir / "junk"
    junk.mkdir()
    (junk / "model.toml").write_text("task = ", encoding="utf-8")
    qtbot.waitUntil(lambda: "junk" in main_window.problems_label.toolTip(), timeout=WAIT_MS)
    assert slider.value() == 63
    # the card now names a labels file and raises the live threshold
    (card_file.parent / "labels.txt").write_text("astronaut face\n", encoding="utf-8")
    text = card_file.read_text(encoding="utf-8")
    card_file.write_text(f'labels_file = "labels.txt"\n{text}\n[thresholds]\nscore = 0.8\n', encoding="utf-8")
    qtbot.waitUntil(lambda: slider.value() == 80, timeout=WAIT_MS)  # the watcher saw the edit
    assert main_window.camera_panel.threshold() == 0.8  # what the next live run starts with
    after = _run_file(main_window, qtbot)
    assert isinstance(after.payload, DetectionResult) and after.payload.detections
    assert after.payload.detections[0].label == "astronaut face"


def test_a_broken_card_shows_its_error_in_every_view(main_window, qtbot, tmp_path: Path, watched) -> None:  # type: ignore[no-untyped-def]
    card_file = _import_face_detector(main_window, qtbot, tmp_path)
    main_window.services.update_settings(image_task="detect-faces", detect_model="faces2")
    good = card_file.read_text(encoding="utf-8")
    card_file.write_text('id = "faces2"\ntask = ', encoding="utf-8")  # not TOML any more
    manager = main_window.model_manager
    qtbot.waitUntil(lambda: manager.problems_line.isVisible(), timeout=WAIT_MS)
    assert "faces2" in manager.problems_line.text()
    assert manager.list_model.row_of("faces2") < 0
    assert any(text.startswith("⚠") and "faces2" in text for text in _combo_texts(main_window))
    assert not any(text == "Faces: faces2" for text in _combo_texts(main_window))
    assert main_window.files_panel.view.model_note.text().startswith("⚠ faces2:")
    assert main_window.problems_label.isVisible() and "faces2" in main_window.problems_label.toolTip()

    card_file.write_text(good, encoding="utf-8")  # fixed: every view recovers
    qtbot.waitUntil(lambda: not main_window.problems_label.isVisible(), timeout=WAIT_MS)
    assert manager.list_model.row_of("faces2") >= 0 and not manager.problems_line.isVisible()
    assert main_window.files_panel.view.model_note.text() == "→ faces2"


def test_the_provider_choice_reaches_every_view(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    main_window.services.update_settings(provider="cpu")  # from anywhere, not through the window
    assert main_window.model_manager.provider_box.choice == "cpu"
    checked = [a.text() for a in main_window.provider_actions.actions() if a.isChecked()]
    assert checked == ["&CPU"]
    assert main_window.provider_label.text() == "Provider: cpu (not run yet)"


def test_announcements_from_another_thread_arrive_on_the_ui_thread(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    services = AppServices.create(UserDirs.under(tmp_path / "home"))
    state = QtAppState(services)
    ui_thread = threading.get_ident()
    seen: list[tuple[str, int]] = []
    state.models_changed.connect(lambda _s: seen.append(("models", threading.get_ident())))
    state.settings_changed.connect(lambda _c: seen.append(("settings", threading.get_ident())))
    snapshot = RegistrySnapshot()
    change = SettingsChange(services.settings, services.settings)
    thread = threading.Thread(target=lambda: (services.registry.changed.emit(snapshot),
                                              services.settings_changed.emit(change)))
    thread.start()
    thread.join()
    assert seen == []  # queued, not run on the announcing thread
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5_000)
    assert seen == [("models", ui_thread), ("settings", ui_thread)]
    state.close()
    services.settings_changed.emit(change)
    assert len(seen) == 2 and len(services.settings_changed) == 0
