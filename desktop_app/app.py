"""Composition root: builds the services, applies the theme, opens the main window."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_app.core.logs import setup_logging, versions
from desktop_app.core.models.card_watcher import CardWatcher
from desktop_app.core.paths import UserDirs
from desktop_app.core.runtime.ort_output import preload_gpu_libraries, quiet_default_logger
from desktop_app.core.services import AppServices
from desktop_app.core.startup import process_age_s
from desktop_app.core.tasks.image_prep import one_opencv_thread

log = logging.getLogger("desktop_app")


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (modules, widgets, models' metadata) out of the garbage
    collector's view: its full collections then scan only what the session creates, so they stop
    pausing the UI thread for tens of milliseconds in long live sessions."""
    gc.collect()
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Launch the GUI; `--quit-after MS` closes it on a timer (smoke tests, packaging checks)."""
    parser = argparse.ArgumentParser(prog="desktop-app gui")
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders to open at start")
    parser.add_argument("--quit-after", type=int, default=None, metavar="MS", help="quit after MS milliseconds")
    parser.add_argument("--screenshot", default=None, metavar="PNG", help="with --quit-after: save the window first")
    parser.add_argument("--startup-report", action="store_true", help="print the time from launch to window shown")
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QTimer, qVersion
    from PySide6.QtWidgets import QApplication

    from desktop_app.qt.qt_crash_dialog import install_crash_handler
    from desktop_app.qt.qt_main_window import QtMainWindow
    from desktop_app.qt.qt_theme import apply_theme

    # process-wide settings belong here, at the entry point, never in a constructor
    one_opencv_thread()

    dirs = UserDirs.default()
    setup_logging(dirs)
    quiet_default_logger()  # ONNX Runtime: errors only, and what it prints while GPUs start goes to the log
    preload_gpu_libraries()  # PyPI's CUDA/cuDNN libraries (the 'cuda' extra), before the first session
    log.info("starting: %s", ", ".join(f"{key} {value}" for key, value in
                                       versions({"PySide6": pyside_version, "Qt": qVersion()}).items()))
    services = AppServices.create(dirs)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Desktop App")
    app.setOrganizationName("DesktopApp")
    apply_theme(app, services.settings.theme)
    window = QtMainWindow(services)
    watcher = CardWatcher(services.registry)  # edited, broken, added cards reach every view
    watcher.start()
    crash_handler = install_crash_handler(window, dirs)
    window.show()
    freeze_startup_objects()
    if args.startup_report:
        QTimer.singleShot(0, lambda: print(f"startup: window shown {process_age_s():.2f} s after launch", flush=True))
    if args.paths:
        QTimer.singleShot(0, lambda: window.open_paths(args.paths))
    if args.quit_after is not None:
        def finish() -> None:
            if args.screenshot:
                window.grab().save(args.screenshot)
            window.close()
            app.quit()

        QTimer.singleShot(args.quit_after, finish)
    try:
        return int(app.exec())
    finally:
        watcher.stop()
        crash_handler.uninstall()
        log.info("quit")
