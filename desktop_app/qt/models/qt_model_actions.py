"""The model manager's actions on the selected model (use for…, edit, open folder, reload, tools, remove),
when each applies and why not (the tooltip), and the context menu that shows them."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from desktop_app.core.models.card import ModelCard
from desktop_app.core.services import TASKS_FOR_KIND
from desktop_app.qt.models.qt_model_dialogs import popup_menu
from desktop_app.qt.models.qt_model_format import KIND_LABELS

USE_LABELS = {"image": "Use for &images", "detect": "Use for &face detection", "audio": "Use for &audio",
              "table": "Use for &tables", "text": "Use for te&xts"}
#: Tasks whose models must be described before any input kind can use them.
UNDESCRIBED_TASKS = ("raw",)


def use_refusal(card: ModelCard | None, kind: str) -> str | None:
    """Why `card` cannot take `kind` inputs (the disabled action's tooltip), or None when it can."""
    if card is None:
        return "Select a model"
    if card.task in UNDESCRIBED_TASKS:
        return f"Describe this model first: its task is {card.task} (Edit…)"
    if card.task not in TASKS_FOR_KIND[kind]:
        return f"This model's task is {card.task}; it does not take {KIND_LABELS[kind]}"
    return None


class QtModelActions(QObject):
    """Every action of the Models dock on the selected model; `show_card` enables them and says why not."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.use: dict[str, QAction] = {kind: QAction(text, parent) for kind, text in USE_LABELS.items()}
        self.edit = QAction("&Edit…", parent)
        self.open_folder = QAction("Open model &folder", parent)
        self.open_folder.setToolTip("Show the model's folder (its model.toml card, labels and ONNX file)")
        self.reload = QAction("Re&load cards", parent)
        self.reload.setToolTip("Read every model card again now (edits are also picked up within a second)")
        self.bench = QAction("&Benchmark", parent)
        self.bench.setToolTip("Latency and throughput on every healthy provider (saved as JSON)")
        self.quantize = QAction("Make &int8 copy…", parent)
        self.quantize.setToolTip("Quantize to int8 with a folder of your own inputs; the copy is a new model")
        self.remove = QAction("&Remove…", parent)

    def show_card(self, card: ModelCard | None) -> None:
        """Enable what applies to `card` (None: nothing selected); a disabled action says why in its tooltip."""
        for kind, action in self.use.items():
            why = use_refusal(card, kind)
            action.setEnabled(why is None)
            action.setToolTip(why or f"Send {KIND_LABELS[kind]} to this model")
        editable = card is not None and not card.bundled
        self.edit.setEnabled(editable)
        self.edit.setToolTip(
            "Describe this model: task, input, outputs and labels, with a live preview" if editable
            else "Bundled models ship with the app and are not edited here" if card else "Select a user model")
        self.remove.setEnabled(editable)
        self.remove.setToolTip(
            "Remove this user model (Del)" if editable
            else "Bundled models ship with the app and cannot be removed" if card else "Select a user model")
        for action in (self.open_folder, self.bench, self.quantize):
            action.setEnabled(card is not None)

    def use_refusal(self, card: ModelCard | None) -> str:
        """One line for the Use for… button when no kind fits (the first kind's reason), else ''."""
        if any(action.isEnabled() for action in self.use.values()):
            return ""
        return use_refusal(card, "image") or ""

    def tools(self) -> list[QAction]:
        return [self.edit, self.open_folder, self.reload, self.bench, self.quantize]

    def popup(self, parent: QWidget, at: QPoint) -> None:
        """The context menu at the global point `at`."""
        popup_menu(parent, [list(self.use.values()), [self.edit, self.open_folder, self.reload],
                            [self.bench, self.quantize], [self.remove]], at)
