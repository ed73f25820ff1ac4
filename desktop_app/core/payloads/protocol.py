"""The one protocol every result payload implements, so the CLI, exports, self-test, monitor and views
ask the payload instead of dispatching on its type. A new task adds a payload class, not a branch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from desktop_app.core.payloads.classification import ClassificationResult

#: A CSV cell value of the batch export.
ExportValue = str | int | float


class Payload(Protocol):
    """What a task's output says about itself: summary line, table cells, JSON, export row, monitor use."""

    def summary(self) -> str:
        """The body of the one-line summary (CLI, logs): "tabby 0.600, tiger cat 0.300"."""
        ...

    def label(self, task: str | None) -> str:
        """The batch table's label cell: top-1 class, "3 faces", "2 speech segments"."""
        ...

    def score(self) -> float | None:
        """The score shown and filtered on (top-1, best detection, best segment); None if there is none."""
        ...

    def tooltip(self) -> str:
        """The label cell's tooltip: one line per class, detection or segment."""
        ...

    def json_fields(self) -> dict[str, Any]:
        """The task's fields of the CLI's `--json` object (and the JSON export), in output order."""
        ...

    @classmethod
    def empty_json_fields(cls) -> dict[str, Any]:
        """The same fields for a failed item of this task (it has no payload)."""
        ...

    def export_fields(self) -> dict[str, ExportValue]:
        """The CSV export's columns this payload fills (the same values as `json_fields`)."""
        ...

    @classmethod
    def empty_export_fields(cls) -> dict[str, ExportValue]:
        """The same columns for a failed item of this task."""
        ...

    def monitor_predictions(self, emotion_classes: int) -> tuple[ClassificationResult, ...]:
        """What the confidence monitor counts: a classification itself, a face's expression, or nothing."""
        ...

    def is_empty(self) -> bool:
        """True when the run found nothing (the self-test fails a bundled model on its sample then)."""
        ...

    def describe(self) -> str:
        """A few words for the self-test's verdict line: "tabby 0.60", "2 face(s)"."""
        ...


def plural(n: int, word: str) -> str:
    """'1 face', '3 faces'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
