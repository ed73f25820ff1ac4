"""What a model change means for the files already in the table: which loaded files the new model takes,
and the sentence offering to run them again (plain functions: the files panel shows the offer)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from desktop_app.core.batch import kind_for_path
from desktop_app.core.results import Result
from desktop_app.core.services import SettingsChange

#: Settings whose change sends a kind of file to another model (image covers face detection too).
SETTINGS_FOR_KIND = {"image": ("image_task", "image_model", "detect_model"), "table": ("table_model",),
                     "text": ("text_model",), "audio": ("audio_model",)}
#: (one, many, what the files are called at the start of a sentence)
NOUNS = {"image": ("picture", "pictures", "Images"), "table": ("table", "tables", "Tables"),
         "text": ("text file", "text files", "Text files"), "audio": ("recording", "recordings", "Recordings")}


def changed_kinds(change: SettingsChange) -> list[str]:
    """The kinds of file whose model this settings change replaced."""
    return [kind for kind, keys in SETTINGS_FOR_KIND.items() if change.changed(*keys)]


def loaded_files(results: Iterable[Result], kind: str) -> list[Path]:
    """The files of `kind` behind the table's rows, once each, in arrival order. No disk access (this runs on
    the UI thread at every model change): a file deleted since gets its own error row when re-run."""
    seen: dict[str, None] = {}
    for result in results:
        path = Path(result.source)
        if kind_for_path(path) == kind and str(path) not in seen:
            seen[str(path)] = None
    return [Path(p) for p in seen]


def offer_text(kind: str, model: str, count: int) -> str:
    """'Images now go to nanodet. Run the 2 loaded pictures again with it?'"""
    one, many, title = NOUNS[kind]
    files = f"the {count} loaded {many}" if count > 1 else f"the loaded {one}"
    return f"{title} now go to {model}. Run {files} again with it?"
