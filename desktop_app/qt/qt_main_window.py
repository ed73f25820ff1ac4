"""The main window: input panels on the left, results in the middle, models listed, provider in the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.core.models.card import ModelCard
from desktop_app.core.runtime import providers as prov


def _placeholder(title: str, text: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    heading = QLabel(f"<h2>{title}</h2>")
    body = QLabel(text)
    body.setWordWrap(True)
    body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    layout.addWidget(heading)
    layout.addWidget(body, 1)
    page.setAccessibleName(title)
    return page


class QtMainWindow(QMainWindow):
    """Top-level window. Panels arrive with their issues; this shell lists the bundled models."""

    def __init__(self, cards: list[ModelCard], problems: list[str]) -> None:
        super().__init__()
        self.setWindowTitle(f"Desktop App {__version__} - offline ONNX workbench")
        self.resize(1100, 700)
        self.inputs = QTabWidget()
        self.inputs.setAccessibleName("Input panels")
        self.inputs.addTab(_placeholder("Files", "Drop images, audio or CSV files here, or use the command line: "
                                        "desktop-app classify | detect | vad PATH..."), "Files")
        self.inputs.addTab(_placeholder("Camera", "Live face detection from a webcam, file or stream: coming."), "Camera")
        self.inputs.addTab(_placeholder("Microphone", "Live voice activity from a microphone: coming."), "Microphone")

        self.models = QListWidget()
        self.models.setAccessibleName("Models")
        for card in cards:
            item = QListWidgetItem(f"{card.name}\n    {card.task} · {card.license} · {'bundled' if card.bundled else 'user'}")
            item.setData(Qt.ItemDataRole.UserRole, card.id)
            item.setToolTip("\n".join(card.limitations) or card.description)
            self.models.addItem(item)
        for problem in problems:
            self.models.addItem(QListWidgetItem(f"⚠ {problem}"))

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(QLabel("<b>Models</b>"))
        side_layout.addWidget(self.models)
        splitter = QSplitter()
        splitter.addWidget(self.inputs)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([740, 360])
        self.setCentralWidget(splitter)

        usable = [prov.short_name(p) for p in prov.preference_chain() if p in prov.available_providers()]
        missing = {prov.short_name(p): prov.unavailable_reason(p) for p in prov.ALL_PROVIDERS
                   if p not in prov.available_providers()}
        self.provider_label = QLabel(f"Execution providers: {', '.join(usable)}")
        self.provider_label.setToolTip("\n".join(f"{name}: {why}" for name, why in missing.items()))
        self.statusBar().addPermanentWidget(self.provider_label)
        self.statusBar().showMessage(f"{len(cards)} models ready", 5000)
