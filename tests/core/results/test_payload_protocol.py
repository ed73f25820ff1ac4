"""Payloads present themselves: every registered task names a payload class that implements the whole
`Payload` protocol, failed items get their task's empty fields, and no module dispatches on payload types
with an `isinstance` chain (an AST scan of the package, so a chain added back fails here)."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.batch_export import CSV_COLUMNS, csv_row
from desktop_app.core.monitor.events import monitored_results
from desktop_app.core.payloads import Payload
from desktop_app.core.results import (
    ClassificationResult,
    ClassScore,
    Detection,
    DetectionResult,
    Keypoint,
    MultiHeadResult,
    PosedPerson,
    PoseResult,
    RawResult,
    Result,
    SegmentationResult,
    SegmentInstance,
    SpeechSegment,
    TensorSummary,
    VadResult,
)
from desktop_app.core.serialize import result_to_dict
from desktop_app.core.tasks import TASKS

PACKAGE = Path(__file__).resolve().parents[3] / "desktop_app"
MAX_BRANCHES = 2

#: One filled-in payload per payload class; a new payload class adds its sample here.
SAMPLES: dict[type, object] = {
    ClassificationResult: ClassificationResult((ClassScore(3, "cat", 0.75), ClassScore(1, "dog", 0.25)), 10, "cat"),
    DetectionResult: DetectionResult((Detection((1.0, 2.0, 30.0, 40.0), 0.9, "face", ((5.0, 6.0),),
                                                ClassScore(3, "happy", 0.8)),), 64, 48),
    VadResult: VadResult((SpeechSegment(0.5, 1.25, 0.8),), (0.1, 0.9, 0.9), 0.032, 2.0),
    RawResult: RawResult((TensorSummary("x", "float32", (1, 3), 0.0, 1.0, 0.5, 0.1),),
                         (TensorSummary("y", "float32", (1, 2), 0.0, 2.0, 1.0, 1.0, (0.0, 2.0)),)),
    SegmentationResult: SegmentationResult(
        (SegmentInstance((1.0, 2.0, 5.0, 6.0), 0.8, "dog", np.ones((4, 4), bool), (1, 2), 1),), None,
        ("cat", "dog"), (("dog", 0.25),), 8, 8),
    PoseResult: PoseResult((PosedPerson((0.0, 0.0, 10.0, 20.0), 0.9, "person",
                                        (Keypoint(2.0, 3.0, 0.9), Keypoint(4.0, 5.0, 0.2))),),
                           ((0, 1),), ("nose", "eye"), 0.5, 10, 20),
    MultiHeadResult: MultiHeadResult((("gender", ClassificationResult((ClassScore(0, "female", 0.7),), 2)),
                                      ("age", ClassificationResult((ClassScore(2, "20-29", 0.4),), 9)))),
}
PROTOCOL_MEMBERS = sorted(name for name, value in vars(Payload).items()
                          if not name.startswith("_") and (inspect.isfunction(value) or isinstance(value, classmethod)))
PAYLOAD_TYPES = sorted({cls.payload_type for cls in TASKS.values()}, key=lambda t: t.__name__)


def test_protocol_lists_every_part_of_a_presentation() -> None:
    assert {"summary", "label", "score", "tooltip", "json_fields", "empty_json_fields", "export_fields",
            "empty_export_fields", "monitor_predictions", "is_empty", "describe"} <= set(PROTOCOL_MEMBERS)


def test_every_registered_task_names_a_payload_class() -> None:
    missing = [name for name, cls in TASKS.items() if not isinstance(getattr(cls, "payload_type", None), type)]
    assert missing == []
    assert set(PAYLOAD_TYPES) <= set(SAMPLES), "add a sample payload for each new payload class"


@pytest.mark.parametrize("payload_type", [MultiHeadResult], ids=lambda t: t.__name__)
def test_payloads_tasks_return_besides_their_payload_type(payload_type: type) -> None:
    test_payload_class_implements_the_whole_protocol(payload_type)


@pytest.mark.parametrize("payload_type", PAYLOAD_TYPES, ids=lambda t: t.__name__)
def test_payload_class_implements_the_whole_protocol(payload_type: type) -> None:
    for name in PROTOCOL_MEMBERS:
        expected = inspect.signature(getattr(Payload, name))
        actual = inspect.signature(getattr(payload_type, name))
        assert list(actual.parameters) == list(expected.parameters), f"{payload_type.__name__}.{name}"
    sample = SAMPLES[payload_type]
    assert isinstance(sample, payload_type)
    assert isinstance(sample.summary(), str) and sample.summary()
    assert isinstance(sample.label("some-task"), str) and sample.label(None)
    assert sample.score() is None or 0.0 <= sample.score() <= 1.0
    assert isinstance(sample.tooltip(), str) and sample.tooltip()
    assert isinstance(sample.describe(), str) and sample.describe()
    assert sample.is_empty() is False
    json.dumps(sample.json_fields())  # JSON-able
    assert set(payload_type.empty_json_fields()) <= set(sample.json_fields())
    assert set(sample.export_fields()) == set(payload_type.empty_export_fields())
    assert set(sample.export_fields()) <= set(CSV_COLUMNS)
    predictions = sample.monitor_predictions(7)
    assert isinstance(predictions, tuple)
    assert all(isinstance(p, ClassificationResult) and p.top for p in predictions)


def test_monitor_counts_a_classification_and_each_face_expression() -> None:
    classification = SAMPLES[ClassificationResult]
    assert classification.monitor_predictions(7) == (classification,)
    faces = SAMPLES[DetectionResult]
    assert faces.monitor_predictions(7) == (ClassificationResult((ClassScore(3, "happy", 0.8),), 7),)
    assert SAMPLES[VadResult].monitor_predictions(7) == ()


def test_monitor_counts_each_object_instance_person_and_the_first_head() -> None:
    boxes = DetectionResult((Detection((0.0, 0.0, 5.0, 5.0), 0.9, "dog"), Detection((1.0, 1.0, 4.0, 4.0), 0.6, "cat")),
                            10, 10, class_names=("cat", "dog"))
    assert [p.top[0] for p in boxes.monitor_predictions(7)] == [ClassScore(1, "dog", 0.9), ClassScore(0, "cat", 0.6)]
    assert boxes.label("detect") == "2 detections"
    [instance] = SAMPLES[SegmentationResult].monitor_predictions(7)
    assert instance.top == (ClassScore(1, "dog", 0.8),) and instance.num_classes == 2
    [person] = SAMPLES[PoseResult].monitor_predictions(7)
    assert person.top[0].score == pytest.approx(0.9)
    heads = SAMPLES[MultiHeadResult]
    assert heads.monitor_predictions(7) == (heads.heads[0][1],)
    assert json.loads(str(heads.export_fields()["heads"]))["age"]["label"] == "20-29"


def test_monitored_results_turn_faces_into_expression_results() -> None:
    faces = Result(source="a.png", ok=True, model_id="m", payload=SAMPLES[DetectionResult], task="detect-faces")
    (expression,) = monitored_results(faces, 7)
    assert expression.payload == ClassificationResult((ClassScore(3, "happy", 0.8),), 7)
    assert (expression.source, expression.model_id) == ("a.png", "m")
    cat = Result(source="b.png", ok=True, payload=SAMPLES[ClassificationResult], task="classify")
    assert monitored_results(cat, 7) == [cat]
    assert monitored_results(Result(source="c.png", ok=False, error="boom", task="classify"), 7) == []
    assert monitored_results(Result(source="d.wav", ok=True, payload=SAMPLES[VadResult], task="vad"), 7) == []


@pytest.mark.parametrize("task", sorted(TASKS))
def test_failed_item_carries_its_task_empty_fields(task: str) -> None:
    payload_type = TASKS[task].payload_type
    failed = Result(source="x.png", ok=False, error="boom", task=task)
    d = result_to_dict(failed)
    for key, value in payload_type.empty_json_fields().items():
        assert d[key] == value
    row = csv_row(failed)
    for key, cell in payload_type.empty_export_fields().items():
        assert row[key] == cell


def payload_class_names() -> set[str]:
    """Every payload class a task registers, plus the protocol itself."""
    return {t.__name__ for t in PAYLOAD_TYPES} | {"Payload"}


def _names(node: ast.expr) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    if isinstance(node, ast.Tuple):
        return set().union(*(_names(e) for e in node.elts))
    return set()


def payload_isinstance_count(source: str, names: set[str]) -> int:
    """How many `isinstance(..., <payload class>)` checks a module's source holds."""
    count = 0
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance"
                and len(node.args) == 2 and _names(node.args[1]) & names):
            count += 1
    return count


def test_the_scan_sees_a_chain() -> None:
    chain = ("def f(p):\n    if isinstance(p, VadResult): return 1\n"
             "    elif isinstance(p, (RawResult, int)): return 2\n    elif isinstance(p, m.DetectionResult): return 3\n")
    assert payload_isinstance_count(chain, payload_class_names()) == 3
    assert payload_isinstance_count("isinstance(x, int)\nisinstance(y, SomethingElse)\n", payload_class_names()) == 0


def test_no_module_dispatches_on_payload_types() -> None:
    names = payload_class_names()
    counts = {str(path.relative_to(PACKAGE.parent)): payload_isinstance_count(path.read_text(encoding="utf-8"), names)
              for path in sorted(PACKAGE.rglob("*.py"))}
    assert len(counts) > 50  # the scan really read the package
    chains = {path: n for path, n in counts.items() if n > MAX_BRANCHES}
    assert chains == {}, "ask the payload (desktop_app/core/payloads/protocol.py) instead of isinstance chains"
