"""The card's output tables ([classify], [detect], [segment], [pose], [text]) and new [image] fields: parsed
values, defaults, and one-line errors naming the table and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card import parse_card
from desktop_app.core.models.card_outputs import COCO17_SKELETON


def card(tmp_path: Path, **fields: Any) -> Any:
    return parse_card({"id": "m", "file": "m.onnx", "image": {}, **fields}, tmp_path / "m")


def test_tables_parse_with_their_defaults(tmp_path: Path) -> None:
    c = card(tmp_path, task="pose", labels=["person"], recognised="by hand", detect={"layout": "rows"}, pose={},
             image={"dtype": "uint8", "pad": 0, "crop_fraction": 0.9, "interpolation": "pil-bicubic"})
    assert c.labels() == ("person",) and c.recognised == "by hand"
    assert c.detect.columns == ("x1", "y1", "x2", "y2", "score", "class") and c.detect.coords == "pixels"
    assert c.pose.keypoints == 17 and c.pose.skeleton == COCO17_SKELETON and c.pose.keypoint_names[0] == "nose"
    assert (c.image.dtype, c.image.pad, c.image.crop_fraction, c.image.interpolation) == ("uint8", 0, 0.9,
                                                                                           "pil-bicubic")
    text = parse_card({"id": "t", "file": "m.onnx", "task": "text-classify"}, tmp_path)
    assert text.text is not None and text.text.tokenizer == "tokenizer.json"


@pytest.mark.parametrize(("fields", "match"), [
    ({"task": "detect", "detect": {"layout": "foo"}}, r"\[detect\]: 'layout' is 'foo'; expected one of yolo"),
    ({"task": "detect"}, r"task 'detect' needs a \[detect\] table"),
    ({"task": "detect", "detect": {"layout": "rows", "columns": ["x1", "y1", "x2", "y2", "conf"]}},
     r"\[detect\]: 'columns' has 'conf'"),
    ({"task": "detect", "detect": {"layout": "rows", "columns": ["cx", "cy", "w", "h", "class"]}},
     r"\[detect\]: 'columns' needs a 'score'"),
    ({"task": "detect", "detect": {"layout": "yolo", "columns": ["x1"]}}, r"'columns' applies to layout 'rows'"),
    ({"task": "segment", "segment": {"kind": "instance"}}, r"kind 'instance' needs a \[detect\]"),
    ({"task": "pose", "pose": {"layout": "keypoints", "keypoints": 5, "skeleton": "coco17"}},
     r"\[pose\]: 'skeleton' is 'coco17' but 'keypoints' is 5"),
    ({"task": "pose", "pose": {"layout": "keypoints", "keypoints": 2, "skeleton": [[0, 2]]}},
     r"\[pose\]: 'skeleton' must be"),
    ({"task": "pose", "pose": {"layout": "keypoints", "dims": 4}}, r"\[pose\]: 'dims' is 4"),
    ({"task": "classify", "classify": {"activation": "relu"}}, r"\[classify\]: 'activation' is 'relu'"),
    ({"task": "classify", "classify": {"heads": [{"name": "a"}]}}, r"\[\[classify.heads\]\] #1: 'output'"),
    ({"labels": ["a"], "labels_file": "l.txt"}, r"either 'labels' or 'labels_file'"),
    ({"image": {"dtype": "int8"}}, r"\[image\]: 'dtype' is 'int8'"),
    ({"image": {"pad": 300}}, r"\[image\]: 'pad' is 300"),
    ({"image": {"crop_fraction": 0}}, r"\[image\]: 'crop_fraction' must be above 0"),
    ({"image": {"interpolation": "fancy"}}, r"\[image\]: 'interpolation' is 'fancy'"),
    ({"task": "text-classify", "text": {"tokenizer": "../t.json"}}, r"\[text\]: 'tokenizer' must be a plain"),
])
def test_each_wrong_field_is_named(tmp_path: Path, fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ModelCardError, match=match) as info:
        card(tmp_path, **fields)
    assert "\n" not in str(info.value)
