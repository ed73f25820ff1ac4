"""A real detector with its metadata removed (Ultralytics' end-to-end export, `[1,300,6]` rows of x1, y1, x2, y2,
score, class in input pixels) is described with command-line flags only, as docs/model-cards.md shows, and gives
what Ultralytics' own predictor gave on the same network."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from desktop_app.cli import main
from tests.core.accuracy.test_user_exports_decoders import MODELS, ROOT, check_boxes, reference


def test_metadata_free_export_described_with_flags_gives_the_framework_result(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = reference("yolo-detect-e2e")
    model = onnx.load(str(MODELS / "yolo-detect-e2e" / "model.onnx"))
    del model.metadata_props[:]  # nothing left to recognise
    bare = tmp_path / "detector.onnx"
    onnx.save(model, str(bare))
    labels = tmp_path / "shapes.txt"
    labels.write_text("\n".join(ref["names"][str(i)] for i in range(len(ref["names"]))) + "\n", encoding="utf-8")

    assert main(["models", "import", str(bare), "--id", "shapes", "--task", "detect", "--size", "160x160",
                 "--layout", "NCHW", "--dtype", "float32", "--color", "RGB", "--scale", "0-1", "--resize", "letterbox",
                 "--labels", str(labels), "--set", "image.interpolation=linear", "--set", "image.pad=114",
                 "--set", "detect.layout=rows", "--set", 'detect.columns=["x1","y1","x2","y2","score","class"]',
                 "--set", "detect.coords=pixels", "--set", "thresholds.score=0.25"]) == 0
    capsys.readouterr()
    for name, want in ref["results"].items():
        assert main(["detect", str(ROOT / ref["sample_paths"][name]), "--model", "shapes", "--json"]) == 0
        (item,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
        dets = item["detections"]
        check_boxes([tuple(d["box"]) for d in dets], [d["score"] for d in dets], [d["label"] for d in dets], want)
        assert np.isfinite([d["score"] for d in dets]).all()
