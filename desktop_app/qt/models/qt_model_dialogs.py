"""The model manager's small modal questions (tests replace them with plain functions) and its menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QWidget


def confirm_dialog(parent: QWidget, text: str) -> bool:
    """Yes/No before a removal; No is the default."""
    answer = QMessageBox.question(parent, "Remove model", text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def folder_dialog(parent: QWidget, title: str) -> Path | None:
    """A folder picked by the user, or None when cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, title)
    return Path(folder) if folder else None


def import_dialog_paths(parent: QWidget) -> list[Path]:
    """.onnx files to import, or (when that is cancelled) one model folder; empty when both are cancelled."""
    files, _ = QFileDialog.getOpenFileNames(parent, "Import ONNX models (Cancel to pick a model folder instead)", "",
                                            "ONNX models (*.onnx);;All files (*)")
    if files:
        return [Path(f) for f in files]
    folder = folder_dialog(parent, "Import a model folder (model.onnx with its config and tokenizer files)")
    return [folder] if folder is not None else []


def item_dialog(parent: QWidget, title: str, label: str, items: list[str]) -> str | None:
    """One of `items`, or None when cancelled (the caller says when there is nothing to pick)."""
    item, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return item if ok else None


def popup_menu(parent: QWidget, sections: list[list[QAction]], at: QPoint) -> None:
    """A context menu of action sections, a line between each, shown at the global point `at`."""
    menu = QMenu(parent)
    for i, section in enumerate(sections):
        if i:
            menu.addSeparator()
        menu.addActions(section)
    menu.exec(at)
