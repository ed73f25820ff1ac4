"""The camera panel's size offscreen: narrow enough for a laptop screen beside the Models dock in every mode
(its rows wrap instead of widening it), nothing cut off at its narrowest, and a window at its smallest size
that neither starting the camera, nor the stats arriving, nor switching modes makes bigger."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from bench.live_video import model_video
from desktop_app.core.results import DetectionResult, PoseResult
from desktop_app.qt.camera.qt_camera_panel import QtCameraPanel
from desktop_app.qt.camera.qt_flow_layout import QtFlowLayout
from tests.qt.test_camera_panel import WAIT_MS, Seen, panel  # noqa: F401  (the panel fixture)

MAX_MIN_WIDTH = 420  # px: the panel beside the Models dock on a 1366 px wide screen
MODES = ("faces", "people", "objects", "background")


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model_video(tmp_path_factory.mktemp("layout-video"), "movenet-lightning", count=30)[0]


def _outside(root: QWidget) -> list[str]:
    """Visible controls inside `root` that reach beyond its left or right edge."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.width() == 0:
            continue
        left = widget.mapTo(root, widget.rect().topLeft()).x()
        if left < 0 or left + widget.width() > root.width():
            found.append(f"{type(widget).__name__} {widget.accessibleName()!r} x={left} w={widget.width()}")
    return found


def _shrink(qtbot, panel: QtCameraPanel) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    hint = panel.minimumSizeHint()
    panel.resize(hint.width(), max(hint.height(), 560))
    qtbot.waitUntil(lambda: panel.width() == hint.width(), timeout=WAIT_MS)


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_fits_a_narrow_panel_without_cutting_controls(qtbot, panel: QtCameraPanel, mode: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811,E501
    panel.set_mode(mode)
    wide_controls_height = panel.view.model_combo.y()
    assert panel.minimumSizeHint().width() <= MAX_MIN_WIDTH
    _shrink(qtbot, panel)
    qtbot.waitUntil(lambda: panel.view.stats.columns == 2, timeout=WAIT_MS)  # the stats strip folds to 3 rows
    assert _outside(panel) == []
    view = panel.view
    # The rows wrapped: the source row's controls no longer fit one line, so the model row moved down.
    assert view.model_combo.y() > wide_controls_height
    assert view.canvas.height() >= 200 and view.canvas.width() >= panel.width() - 40  # the video keeps the rest


def test_every_entry_of_the_list_keeps_the_panel_narrow(panel: QtCameraPanel) -> None:  # noqa: F811
    combo = panel.view.model_combo
    widths = {}
    for i in range(combo.count()):
        if combo.itemData(i) is not None:  # a broken card's line cannot be chosen
            combo.setCurrentIndex(i)
            widths[combo.itemText(i)] = panel.minimumSizeHint().width()
    assert any(text.startswith("Classify:") for text in widths)  # with its score bars beside the video
    assert max(widths.values()) <= MAX_MIN_WIDTH, widths


def test_a_classifiers_bars_go_under_the_video_when_the_panel_is_narrow(qtbot, panel: QtCameraPanel) -> None:  # type: ignore[no-untyped-def]  # noqa: F811,E501
    combo, view = panel.view.model_combo, panel.view
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemText(i).startswith("Classify:")))
    assert view.score_bars.isVisibleTo(panel)
    qtbot.waitUntil(lambda: view.score_bars.x() > view.canvas.x() + view.canvas.width() - 1, timeout=WAIT_MS)
    _shrink(qtbot, panel)
    qtbot.waitUntil(lambda: view.score_bars.y() >= view.canvas.y() + view.canvas.height(), timeout=WAIT_MS)
    assert view.canvas.width() >= panel.width() - 40 and _outside(panel) == []


def test_flow_row_wraps_and_pushes_its_last_control_right(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    row = QtFlowLayout(host)
    boxes = [QWidget() for _ in range(3)]
    for box in boxes:
        box.setFixedSize(100, 20)
    row.add(boxes[0])
    row.add(boxes[1])
    row.add(boxes[2], push_right=True)
    assert row.minimumSize().width() == 100 and row.sizeHint().width() == 312
    assert row.heightForWidth(400) == 20 and row.heightForWidth(250) == 44 and row.heightForWidth(100) == 68
    host.resize(400, 20)
    host.show()
    qtbot.waitUntil(lambda: boxes[2].x() == 300, timeout=WAIT_MS)  # the spare 88 px go before the pushed one
    assert [b.x() for b in boxes[:2]] == [0, 106]
    boxes[1].hide()
    qtbot.waitUntil(lambda: boxes[2].x() == 300 and row.sizeHint().width() == 206, timeout=WAIT_MS)


def test_a_window_at_its_smallest_never_grows_while_modes_run(  # type: ignore[no-untyped-def]
        qtbot, panel: QtCameraPanel, video: Path) -> None:  # noqa: F811
    _shrink(qtbot, panel)
    size = panel.window().size()
    seen = Seen(panel)
    panel.set_source(str(video))
    panel.start()
    kinds = {"people": lambda p: isinstance(p, PoseResult), "objects": lambda p: isinstance(p, DetectionResult),
             "background": lambda _p: bool(seen.last and seen.last.effect), "faces": lambda p: p is not None}
    for mode in ("people", "objects", "background", "faces"):
        panel.set_mode(mode)
        start = seen.count

        def ready(mode: str = mode, start: int = start) -> bool:
            last = seen.last
            return seen.count >= start + 3 and last is not None and bool(kinds[mode](last.result.payload))

        qtbot.waitUntil(ready, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(seen.stats), timeout=WAIT_MS)  # numbers in the stats strip
        assert panel.window().size() == size, mode
        assert panel.minimumSizeHint().width() <= MAX_MIN_WIDTH, mode
        assert _outside(panel) == [], mode


def test_background_mode_hides_the_controls_that_do_nothing_there(panel: QtCameraPanel) -> None:  # noqa: F811
    view = panel.view
    layers = (view.threshold_row, view.boxes_check, view.landmarks_check, view.labels_check,
              view.snapshot_overlay_check)
    panel.set_mode("background")
    assert not any(w.isVisibleTo(panel) for w in layers)
    assert view.mirror_check.isVisibleTo(panel) and view.snapshot_button.isVisibleTo(panel)
    panel.set_mode("objects")
    assert all(w.isVisibleTo(panel) for w in layers)
