"""A real Ultralytics detect export taken through the whole window: recognised and previewed in the describe
dialog, imported, run on a dropped photo in the Files panel and live on a video in the Camera panel (both
matching Ultralytics' own predictor), then its card edited and reloaded so the next run keeps fewer boxes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from desktop_app.core.models.card_edit import edit_card
from desktop_app.core.results import DetectionResult
from desktop_app.core.sources.live import LiveFrame
from tests.qt.test_describe_dialog import _open_dialog, _wait_preview
from tests.qt.test_files_panel import drop

USER_MODELS = Path(__file__).parents[1] / "data" / "user_models"
FOLDER = USER_MODELS / "yolo-detect"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "shapes-1.png"
EDITED_SCORE = 0.93  # between the reference's scores on SAMPLE: keeps some boxes, drops others
WAIT_MS = 60_000


def _reference() -> dict[str, Any]:
    return json.loads((FOLDER / "reference.json").read_text(encoding="utf-8"))


def _iou(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _matches(payload: DetectionResult, want: dict[str, Any]) -> None:
    """Same count, labels and order as the predictor; every box overlaps its reference with IoU >= 0.99."""
    dets = payload.detections
    assert [d.label for d in dets] == want["labels"], [d.label for d in dets]
    for det, box in zip(dets, want["boxes_xyxy"], strict=True):
        assert _iou(det.box, box) >= 0.99, (det.box, box)


def _drop_photo(qtbot, window, photo: Path) -> DetectionResult:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.files_panel.result_selected, timeout=WAIT_MS) as selected:
        drop(window, [photo])
    result = selected.args[0]
    assert result.ok and isinstance(result.payload, DetectionResult), result.error
    row = window.files_panel.model.rows[-1]
    assert row.result.payload is result.payload or row.result.payload == result.payload
    return result.payload


def _live_detections(live: LiveFrame) -> DetectionResult | None:
    payload = live.result.payload
    return payload if live.result.ok and isinstance(payload, DetectionResult) else None


def _live_count(live: LiveFrame) -> int:
    shown = _live_detections(live)
    return -1 if shown is None else len(shown.detections)


def _video(path: Path, photo: Path, frames: int = 20) -> Path:
    image = cv2.imread(str(photo))
    assert image is not None
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, (image.shape[1], image.shape[0]))
    assert writer.isOpened()
    for _ in range(frames):
        writer.write(image)
    writer.release()
    return path


def test_real_detect_export_described_imported_run_live_then_edited(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ref = _reference()
    want = ref["results"][SAMPLE]
    photo = ROOT / ref["sample_paths"][SAMPLE]
    manager, registry = main_window.model_manager, main_window.services.registry

    # 1. describe: recognised, previewed on the sample as Ultralytics' predictor sees it, imported
    dialog = _open_dialog(qtbot, manager, [FOLDER / "model.onnx"])
    assert "Ultralytics YOLO detect" in dialog.recognised_line.text(), dialog.recognised_line.text()
    assert dialog.form.task == "detect"
    dialog.preview.add_input(photo)
    assert dialog.preview.input_path == photo
    _wait_preview(qtbot, dialog, lambda run: run.result.ok and Path(run.result.source).name == SAMPLE)
    run = dialog.preview.last
    assert run is not None
    preview = run.result.payload
    assert isinstance(preview, DetectionResult)
    _matches(preview, want)
    assert dialog.preview.result_view.current_page not in ("error", "empty")
    with qtbot.waitSignal(manager.controller.imports_done, timeout=WAIT_MS):
        dialog.accept_button.click()
    qtbot.waitUntil(lambda: "yolo-detect" in registry.snapshot().ids(), timeout=WAIT_MS)
    card = registry.get("yolo-detect")
    assert card.task == "detect" and card.labels() == ("circle", "square", "triangle")

    # 2. a dropped photo, with the imported model chosen in the Files panel
    combo = main_window.files_panel.view.task_combo
    qtbot.waitUntil(lambda: combo.findData("model:yolo-detect") >= 0, timeout=WAIT_MS)
    combo.setCurrentIndex(combo.findData("model:yolo-detect"))
    settings = main_window.services.settings
    assert (settings.image_task, settings.image_model) == ("detect", "yolo-detect")
    _matches(_drop_photo(qtbot, main_window, photo), want)

    # 3. live on a video of the same photo in the Camera panel; the window keeps its size
    camera = main_window.camera_panel
    main_window.inputs.setCurrentWidget(camera)
    qtbot.waitUntil(lambda: not camera.device_lister.busy, timeout=WAIT_MS)
    models = camera.view.model_combo
    index = next((i for i in range(models.count()) if (models.itemData(i) or ("",))[0] == "yolo-detect"), -1)
    assert index >= 0, [models.itemText(i) for i in range(models.count())]
    models.setCurrentIndex(index)
    central = main_window.centralWidget()  # the Camera tab laid out (offscreen, the window is at its minimum)
    qtbot.waitUntil(lambda: central.width() >= central.minimumSizeHint().width(), timeout=WAIT_MS)
    size = main_window.size()
    frames: list[LiveFrame] = []
    camera.controller.frame.connect(lambda live: frames.append(live) if len(frames) < 50 else None)
    camera.view.loop_check.setChecked(True)
    camera.set_source(str(_video(tmp_path / "shapes.avi", photo)))
    camera.start()
    count = len(want["labels"])
    qtbot.waitUntil(lambda: any(_live_count(f) == count for f in frames), timeout=WAIT_MS)
    live = next(f for f in frames if _live_count(f) == count)
    shown = _live_detections(live)
    assert live.result.model_id == "yolo-detect" and shown is not None
    assert sorted(d.label for d in shown.detections) == sorted(want["labels"])
    assert main_window.size() == size
    camera.stop()
    qtbot.waitUntil(lambda: not camera.running, timeout=WAIT_MS)
    main_window.inputs.setCurrentWidget(main_window.files_panel)

    # 4. a higher score threshold in the card, reloaded: the next run keeps only the boxes above it
    edit_card(registry, "yolo-detect", {"thresholds.score": str(EDITED_SCORE)})
    manager.reload()
    assert registry.get("yolo-detect").threshold("score", 0.0) == EDITED_SCORE
    kept = [i for i, s in enumerate(want["scores"]) if s >= EDITED_SCORE]
    assert 0 < len(kept) < len(want["scores"])  # the test's premise: some boxes go, some stay
    fewer = _drop_photo(qtbot, main_window, photo)
    _matches(fewer, {"labels": [want["labels"][i] for i in kept],
                     "boxes_xyxy": [want["boxes_xyxy"][i] for i in kept]})
    assert np.all(np.array([d.score for d in fewer.detections]) >= EDITED_SCORE)
