"""The camera's modes ("what to see") and the controls only some modes have: the object classes to show
(Objects) and what to do with the background (Background). No behaviour beyond the widgets: the panel
turns their signals into live settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.registry import RegistrySnapshot
from desktop_app.core.sources.live import BackgroundEffect

PICTURE_FILTER = "Pictures (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff);;All files (*)"


@dataclass(frozen=True)
class LiveMode:
    """One entry of the camera's model list: a name, the model it runs, expressions on/off, and the mode's
    key ("faces", "people", "objects", "background", or "" for a model picked by name)."""

    text: str
    model_id: str
    emotion: bool = False
    key: str = ""

    @property
    def data(self) -> tuple[str, bool, str]:
        return self.model_id, self.emotion, self.key


#: The preferred bundled model of each mode (any model of the task stands in when it is missing).
MODE_MODELS = {"people": ("pose", "movenet-lightning"), "objects": ("detect", "nanodet"),
               "background": ("segment", "selfie-segmentation")}
MODE_TEXT = {"people": "People (pose)", "objects": "Objects", "background": "Background"}
#: Other models offered for live use, by task, in list order: the line's prefix.
LIVE_TASKS = {"detect": "Detect", "segment": "Segment", "pose": "Pose", "classify": "Classify"}


def _semantic(card: ModelCard) -> bool:
    segment = getattr(card, "segment", None)
    return segment is not None and getattr(segment, "kind", "") == "semantic"


def mode_model(snapshot: RegistrySnapshot, key: str) -> str | None:
    """The model mode `key` runs: its bundled model when present, else the first card of its task (Background:
    of a semantic segmenter); None when there is none."""
    task, preferred = MODE_MODELS[key]
    cards = [c for c in snapshot.cards if c.task == task and (key != "background" or _semantic(c))]
    chosen = next((c for c in cards if c.id == preferred), cards[0] if cards else None)
    return chosen.id if chosen is not None else None


def live_modes(snapshot: RegistrySnapshot, detect: str) -> list[LiveMode]:
    """The camera's list: faces (with, then without expressions, on face detector `detect`), people, objects,
    background, every other face detector, then the other detectors, segmenters, pose models and classifiers."""
    modes = [LiveMode("Faces + expressions", detect, True, "faces"), LiveMode("Faces only", detect, False, "faces")]
    used = set()
    for key, text in MODE_TEXT.items():
        if (model_id := mode_model(snapshot, key)) is not None:
            modes.append(LiveMode(text, model_id, False, key))
            used.add(model_id)
    for card in snapshot.cards:
        if card.task == "detect-faces" and card.id != detect:
            if card.second_stage:
                modes.append(LiveMode(f"Faces + expressions: {card.name}", card.id, True))
            modes.append(LiveMode(f"Faces: {card.name}", card.id, False))
    for task, prefix in LIVE_TASKS.items():
        modes += [LiveMode(f"{prefix}: {card.name}", card.id) for card in snapshot.cards
                  if card.task == task and card.id not in used]
    return modes


def classes_text(chosen: frozenset[str] | None, total: int) -> str:
    """What the Classes button says: "All 80 classes", "cup, person" or "3 of 80 classes"."""
    if chosen is None:
        return f"All {total} classes" if total else "All classes"
    if not chosen:
        return "No classes"
    names = sorted(chosen)
    return ", ".join(names) if len(names) <= 2 else f"{len(names)} of {total} classes"


class QtClassPicker(QDialog):
    """Tick the object classes to show; a filter field narrows the list ("person, cup" shows both; Enter ticks
    exactly the classes a list names, or a single word's only match)."""

    def __init__(self, labels: tuple[str, ...], chosen: frozenset[str] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Classes to show")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter, e.g. cup or person, cup (Enter ticks)")
        self.filter_edit.setAccessibleName("Filter classes")
        self.list = QListWidget()
        self.list.setAccessibleName("Object classes")
        for name in labels:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if chosen is None or name in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.all_button = QPushButton("&All")
        self.none_button = QPushButton("&None")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        row = QHBoxLayout()
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.returnPressed.connect(self._tick_only_match)
        self.all_button.clicked.connect(lambda: self._set_all(Qt.CheckState.Checked))
        self.none_button.clicked.connect(lambda: self._set_all(Qt.CheckState.Unchecked))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(300, 420)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    @staticmethod
    def _names(text: str) -> list[str]:
        """The filter's parts: "person, cup" -> ["person", "cup"]."""
        return [part.strip().lower() for part in text.split(",") if part.strip()]

    def _filter(self, text: str) -> None:
        names = self._names(text)
        for item in self._items():
            item.setHidden(bool(names) and not any(name in item.text().lower() for name in names))

    def _tick_only_match(self) -> None:
        """Enter: a list ("person, cup") ticks exactly the classes it names; one word ticks its only match."""
        names = self._names(self.filter_edit.text())
        named = {item.text() for item in self._items() if item.text().lower() in names}
        if len(names) > 1 and named:
            for item in self._items():
                item.setCheckState(Qt.CheckState.Checked if item.text() in named else Qt.CheckState.Unchecked)
            return
        shown = [item for item in self._items() if not item.isHidden()]
        if len(shown) == 1:
            shown[0].setCheckState(Qt.CheckState.Checked)

    def _set_all(self, state: Qt.CheckState) -> None:
        for item in self._items():
            if not item.isHidden():
                item.setCheckState(state)

    def chosen(self) -> frozenset[str] | None:
        """The ticked classes (None when all are ticked)."""
        items = self._items()
        ticked = frozenset(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)
        return None if len(ticked) == len(items) else ticked


class QtModeControls(QWidget):
    """The row under the model choice: the Classes button (Objects) or the background choice (Background);
    hidden for the other modes."""

    classes_changed = Signal(object)  # frozenset[str] | None
    background_changed = Signal(object)  # BackgroundEffect

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: tuple[str, ...] = ()
        self.classes: frozenset[str] | None = None
        self.picture: Path | None = None
        self.classes_label = QLabel("&Classes:")
        self.classes_button = QPushButton()
        self.classes_button.setAccessibleName("Object classes to show")
        self.classes_label.setBuddy(self.classes_button)
        self.classes_button.setToolTip("Choose which object classes are detected and shown (and recorded)")
        self.background_label = QLabel("Bac&kground:")
        self.background_combo = QComboBox()
        self.background_combo.setAccessibleName("Background effect")
        self.background_combo.setToolTip("Blur the background behind people, or replace it with a picture")
        self.background_label.setBuddy(self.background_combo)
        for text, data in (("Blur (strong)", "strong"), ("Blur (light)", "light"), ("Replace with picture…", "pick")):
            self.background_combo.addItem(text, data)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.classes_label, self.classes_button, self.background_label, self.background_combo):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.classes_button.clicked.connect(self.pick_classes)
        self.background_combo.activated.connect(self._background_activated)
        self.set_mode("")

    def set_mode(self, key: str, labels: tuple[str, ...] = ()) -> None:
        """Show the controls of mode `key`; a new label set (another detector) starts from all classes."""
        objects, background = key == "objects", key == "background"
        widget: QWidget
        for widget in (self.classes_label, self.classes_button):
            widget.setVisible(objects)
        for widget in (self.background_label, self.background_combo):
            widget.setVisible(background)
        if objects and labels != self.labels:
            self.labels, self.classes = labels, None
        self.classes_button.setText(classes_text(self.classes, len(self.labels)))
        self.setVisible(objects or background)

    def set_classes(self, classes: frozenset[str] | None) -> None:
        self.classes = classes
        self.classes_button.setText(classes_text(classes, len(self.labels)))
        self.classes_changed.emit(classes)

    def pick_classes(self) -> None:
        dialog = QtClassPicker(self.labels, self.classes, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_classes(dialog.chosen())

    def effect(self) -> BackgroundEffect:
        """The background effect the controls describe."""
        data = self.background_combo.currentData()
        if data == "picture" and self.picture is not None:
            return BackgroundEffect("replace", image=self.picture)
        return BackgroundEffect("blur", strength=data if data in ("strong", "light") else "strong")

    def use_picture(self, path: Path) -> None:
        """Replace the background with the picture at `path` (decoded by the live worker, not here)."""
        self.picture = Path(path)
        index = self.background_combo.findData("picture")
        if index < 0:
            self.background_combo.insertItem(2, "", "picture")
            index = 2
        self.background_combo.setItemText(index, f"Picture: {self.picture.name}")
        self.background_combo.setItemData(index, str(self.picture), Qt.ItemDataRole.ToolTipRole)
        self.background_combo.setCurrentIndex(index)
        self.background_changed.emit(self.effect())

    def _background_activated(self, index: int) -> None:
        if self.background_combo.itemData(index) == "pick":
            name, _ = QFileDialog.getOpenFileName(self, "Background picture", str(self.picture or Path.home()),
                                                  PICTURE_FILTER)
            if name:
                self.use_picture(Path(name))
                return
            previous = self.background_combo.findData("picture") if self.picture else 0
            self.background_combo.setCurrentIndex(max(0, previous))
        self.background_changed.emit(self.effect())
