"""Composition root: builds the services, opens the main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from desktop_app.core.models.registry import ModelRegistry


def main(argv: Sequence[str] | None = None) -> int:
    """Launch the GUI; `--quit-after MS` closes it on a timer (smoke tests, packaging checks)."""
    parser = argparse.ArgumentParser(prog="desktop-app gui")
    parser.add_argument("--quit-after", type=int, default=None, metavar="MS", help="quit after MS milliseconds")
    parser.add_argument("--screenshot", default=None, metavar="PNG", help="with --quit-after: save the window first")
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.qt.qt_main_window import QtMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Desktop App")
    registry = ModelRegistry.default()
    window = QtMainWindow(registry.list(), registry.problems())
    window.show()
    if args.quit_after is not None:
        def finish() -> None:
            if args.screenshot:
                window.grab().save(args.screenshot)
            window.close()
            app.quit()

        QTimer.singleShot(args.quit_after, finish)
    return int(app.exec())
