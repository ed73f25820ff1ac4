"""Model manager tools: "Benchmark" and "Make int8 copy…" run in workers, show their results in the
inspector's Benchmark tab, and leave no thread behind."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from desktop_app.core.runtime.bench import BenchSettings
from tests.builders import add_one
from tests.conftest import SAMPLES


def test_benchmark_action_shows_the_result_and_saves_json(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    with qtbot.waitSignal(manager.models_changed, timeout=30_000):
        manager.import_paths([add_one(tmp_path / "tiny-bench.onnx")])
    manager.select_model("tiny-bench")
    manager.tools.bench_settings = BenchSettings(runs=5, seconds=2.0, warmup=1, batches=(1, 4))
    assert manager.tools_button.isEnabled() and manager.bench_action.isEnabled()
    with qtbot.waitSignal(manager.tools.benched, timeout=60_000) as blocker:
        manager.bench_action.trigger()
    result = blocker.args[0]
    text = manager.inspector.tools_view.toPlainText()
    assert "p50 ms" in text and "CPU" in text
    assert manager.inspector.tabs.currentWidget() is manager.inspector.tools_view
    saved = Path(result.saved_to)
    assert saved == main_window.services.dirs.models / "tiny-bench" / "bench.json"
    assert {r["batch"] for r in json.loads(saved.read_text(encoding="utf-8"))["results"]} == {1, 4}
    qtbot.waitUntil(lambda: not manager.tools.busy, timeout=10_000)


def test_make_int8_copy_action_adds_the_copy_and_shows_the_report(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    folder = tmp_path / "calibration"
    folder.mkdir()
    for path in sorted(SAMPLES.glob("*.jpg")):
        image = Image.open(path).convert("RGB")
        image.save(folder / f"{path.stem}.png")
        image.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(folder / f"{path.stem}-flip.png")
    asked: list[str] = []
    manager.ask_folder = lambda title: asked.append(title) or None  # cancelled: nothing starts
    manager.select_model("efficientnet-lite0")
    assert not manager.quantize_selected() and not manager.tools.busy and asked
    manager.ask_folder = lambda title: folder
    manager.tools.quantize_runs = 3
    with qtbot.waitSignal(manager.tools.quantized, timeout=120_000) as blocker:
        assert manager.quantize_selected()
    report = blocker.args[0]
    assert report.copy_id == "efficientnet-lite0-int8" and report.calibration_inputs == 6
    assert manager.selected_card().id == report.copy_id  # the copy appears beside the original, selected
    text = manager.inspector.tools_view.toPlainText()
    assert "top-1 agreement" in text and "size MB" in text and "latency ms" in text
    assert (main_window.services.dirs.models / report.copy_id / "labels.txt").is_file()
    qtbot.waitUntil(lambda: not manager.tools.busy, timeout=10_000)


def test_a_failing_tool_shows_one_line_in_the_error_strip(main_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manager = main_window.model_manager
    manager.select_model("efficientnet-lite0")
    manager.ask_folder = lambda title: tmp_path  # an empty folder: nothing to calibrate with
    with qtbot.waitSignal(manager.tools.failed, timeout=60_000) as blocker:
        manager.quantize_selected()
    assert blocker.args[0] == "int8 copy" and "no usable input" in blocker.args[1]
    assert manager.error_strip.isVisible() and "int8 copy failed" in manager.error_strip.full_text
