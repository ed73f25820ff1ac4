"""The main window opens, lists the bundled models and says which providers this build has."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def test_window_lists_the_bundled_models_and_panels(main_window) -> None:  # type: ignore[no-untyped-def]
    tabs = [main_window.inputs.tabText(i) for i in range(main_window.inputs.count())]
    assert tabs == ["&Files", "&Camera", "&Microphone"]
    assert "efficientnet-lite0" in main_window.model_label.text()
    assert "Provider" in main_window.provider_label.text()


def test_window_grab_is_a_real_picture(main_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "window.png"
    assert main_window.grab().save(str(path))
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert image.width() >= 800 and image.height() >= 500
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    assert len(colours) > 3  # not a blank rectangle


def test_gui_command_opens_a_real_window_and_quits_on_a_timer(tmp_path: Path) -> None:
    """A real X11 window (Xvfb), not the offscreen platform."""
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DESKTOP_APP_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "desktop_app", "gui", "--quit-after", "1500", "--screenshot", str(shot)]
    if not os.environ.get("DISPLAY"):
        xvfb = shutil.which("xvfb-run")
        assert xvfb, "Xvfb is missing: scripts/setup.sh installs it"
        command = [xvfb, "-a", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert shot.is_file() and shot.stat().st_size > 10_000
    artifacts = Path(__file__).resolve().parents[2] / "build" / "screenshots"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artifacts / "main-window.png")


def test_closing_the_window_while_the_camera_runs_joins_everything(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.qt.qt_workers import running_threads
    from tests.core.sources.face_video import make_face_video

    video = make_face_video(tmp_path)
    main_window.inputs.setCurrentWidget(main_window.camera_panel)
    panel = main_window.camera_panel
    panel.set_source(str(video.path))
    panel.start()
    qtbot.waitUntil(lambda: panel.running, timeout=30_000)
    results: list[object] = []
    panel.result_ready.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=30_000)
    assert "Provider" in main_window.provider_label.text() and "ms" in main_window.latency_label.text()
    main_window.close()
    assert not running_threads()


def test_dropping_the_adult_csv_fills_the_monitor_with_groups(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SAMPLES

    main_window.monitor_dock.show()
    with qtbot.waitSignal(main_window.files_panel.batch_finished, timeout=60_000):
        main_window.open_paths([SAMPLES / "adult-test-sample.csv"])
    qtbot.waitUntil(lambda: main_window.monitor_panel.snapshot is not None
                    and main_window.monitor_panel.snapshot.n == 200, timeout=30_000)
    snap = main_window.monitor_panel.snapshot
    assert snap.config.positive_label == ">50K"  # from the adult-income card
    sex = snap.attribute("sex")
    assert sex is not None and {row.value for row in sex.rows} == {"Female", "Male"}
    assert all(row.provenance == "csv-column" for row in sex.rows)
    assert all(row.selection_rate is not None and row.selection_rate.low is not None for row in sex.rows)
    assert snap.attribute("race") is not None


def test_window_geometry_docks_and_monitor_state_persist(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.paths import UserDirs
    from desktop_app.core.services import AppServices
    from desktop_app.qt.qt_main_window import QtMainWindow
    from desktop_app.qt.qt_workers import join_all

    def open_window() -> QtMainWindow:
        window = QtMainWindow(AppServices.create(UserDirs.under(tmp_path / "home")))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    first = open_window()
    assert first.monitor_panel.view.folded  # a first start shows the monitor as its summary line
    first.models_dock.hide()
    first.monitor_panel.view.set_folded(False)
    qtbot.waitUntil(lambda: first.monitor_panel.view.tabs.isVisible())
    first.close()
    assert join_all()
    second = open_window()
    # (the size is restored too, but offscreen Qt's 800x600 screen clamps it: tests/e2e/test_screen_fit.py
    # checks window sizes on real X screens)
    assert (second.window_layout.settings().value("geometry") or b"") != b""
    assert not second.models_dock.isVisible() and not second.monitor_panel.view.folded
    second.close()
    assert join_all()


def test_folding_the_monitor_again_gives_its_height_back(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    dock, view = main_window.monitor_dock, main_window.monitor_panel.view
    qtbot.waitUntil(lambda: dock.height() < 100)  # a first start shows the monitor as its summary line
    folded = dock.height()
    view.set_folded(False)
    qtbot.waitUntil(lambda: dock.height() > folded + 100)
    view.set_folded(True)  # the dock shrinks back to the summary line, it does not keep the opened height
    qtbot.waitUntil(lambda: dock.height() <= folded + 8)


def test_first_start_gives_the_inputs_most_of_the_width(main_window) -> None:  # type: ignore[no-untyped-def]
    models = main_window.models_dock.width()
    inputs, result = main_window.splitter.sizes()
    print(f"window {main_window.width()} px: models dock {models}, inputs {inputs}, result pane {result}")
    assert models <= 460 and inputs > result > 0


def test_only_the_shown_panel_sets_the_minimum_height(main_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The microphone's plot and table need more height than the camera's controls; on the Camera tab the
    opened monitor may take that height."""
    main_window.inputs.setCurrentWidget(main_window.camera_panel)
    qtbot.waitUntil(main_window.camera_panel.isVisible)
    camera_min = main_window.inputs.minimumSizeHint().height()
    main_window.inputs.setCurrentWidget(main_window.microphone_panel)
    qtbot.waitUntil(main_window.microphone_panel.isVisible)
    assert camera_min < main_window.inputs.minimumSizeHint().height()
    assert not main_window.result_view.isVisible()  # the Files result pane shows only with the Files tab


def test_provider_verdicts_do_not_widen_the_models_dock(main_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.runtime import health as hc

    box = main_window.model_manager.provider_box
    box.show_checking()
    QApplication.processEvents()
    before = box.minimumSizeHint().width(), main_window.model_manager.minimumSizeHint().width()
    box.show_health([hc.ProviderHealth(provider=p, available=False, healthy=False, detail="not in this build")
                     for p in box.verdicts])
    QApplication.processEvents()  # the layouts take the new texts in
    after = box.minimumSizeHint().width(), main_window.model_manager.minimumSizeHint().width()
    print(f"provider box and Models dock minimum widths {before} -> {after} px")
    assert after[0] <= before[0] and after[1] <= before[1]
