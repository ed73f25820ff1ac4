""""Make int8 copy": the int8 copy of efficientnet-lite0 from a calibration folder of the user's images, the
op census that picks static or dynamic, and dynamic quantization of a MatMul model.

CPU timing on a shared machine is noise, so the goals (>= 1.5x faster, >= 95 % top-1 agreement) are printed,
not asserted; the test asserts only invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageEnhance, ImageOps

from desktop_app.core.errors import TaskError
from desktop_app.core.models.quantize import choose_mode, make_int8_copy, op_census
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import UserDirs
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.results import ClassificationResult
from tests.builders import save
from tests.conftest import MODELS, SAMPLES
from tests.core.models.conftest import make_conv_model

CAT_CLASSES = range(281, 286)


def calibration_folder(folder: Path) -> Path:
    """The sample photos plus flips, crops and brightness changes: 24 images of the user's own kind."""
    folder.mkdir(parents=True, exist_ok=True)
    photos = sorted(SAMPLES.glob("*.jpg")) + sorted(SAMPLES.glob("*.png"))
    for path in photos:
        image = Image.open(path).convert("RGB")
        w, h = image.size
        variants = {
            "orig": image, "flip": ImageOps.mirror(image), "crop": image.crop((w // 8, h // 8, w - w // 8, h - h // 8)),
            "dark": ImageEnhance.Brightness(image).enhance(0.7), "bright": ImageEnhance.Brightness(image).enhance(1.3),
            "flipcrop": ImageOps.mirror(image.crop((0, 0, w * 3 // 4, h * 3 // 4))),
        }
        for name, variant in variants.items():
            variant.save(folder / f"{path.stem}-{name}.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def _registry() -> ModelRegistry:
    return ModelRegistry(MODELS, UserDirs.default().models)


def test_int8_copy_of_efficientnet_is_a_smaller_user_model_that_runs(tmp_path: Path) -> None:
    registry = _registry()
    folder = calibration_folder(tmp_path / "my-photos")
    report = make_int8_copy(registry, "efficientnet-lite0", folder, latency_runs=20)
    print("\n" + "\n".join(report.lines()))
    print(f"GOALS: latency ratio {report.latency_ratio:.2f}x (goal >= 1.5x), "
          f"top-1 agreement {report.top1_agreement:.1%} (goal >= 95 %)")
    assert report.mode == "static" and report.mode_reason.startswith("auto")
    assert report.calibration_inputs == report.eval_count == 24
    assert any("notes.txt" in s for s in report.skipped_files)
    assert 0.0 <= report.top1_agreement <= 1.0 and 0.0 <= report.max_prob_diff <= 1.0
    assert len(report.disagreements) == round((1 - report.top1_agreement) * report.eval_count)
    assert report.latency_ratio > 0 and report.int8_bytes < report.fp32_bytes
    assert report.to_dict()["size_ratio"] > 1

    copy = registry.get(report.copy_id)
    original = registry.get("efficientnet-lite0")
    assert copy.id == "efficientnet-lite0-int8" and not copy.bundled
    assert copy.folder.parent == UserDirs.default().models
    assert copy.task == "classify" and copy.image == original.image and copy.labels() == original.labels()
    assert copy.thresholds == original.thresholds and copy.license.startswith("same as efficientnet-lite0")
    assert (copy.folder / "LICENSE.txt").is_file()
    assert original.sha256 and original.sha256 in copy.description and str(folder) in copy.description
    assert copy.source.sha256 == original.sha256
    registry.verify(copy)

    result = Pipeline(registry).run_path(SAMPLES / "cat-chelsea.jpg", copy.id, top_k=3)[0]
    assert result.ok and result.model_id == copy.id and isinstance(result.payload, ClassificationResult)
    assert result.payload.best.index in CAT_CLASSES and result.payload.best.label == original.labels()[
        result.payload.best.index]

    again = make_int8_copy(registry, "efficientnet-lite0", folder, latency_runs=2)  # a second copy gets its own id
    assert again.copy_id == "efficientnet-lite0-int8-2"


def _matmul_model(path: Path) -> Path:
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((64, 128)).astype(np.float32), "w1")
    w2 = numpy_helper.from_array(rng.standard_normal((128, 10)).astype(np.float32), "w2")
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("MatMul", ["r", "w2"], ["y"])]
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])], [w1, w2])
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def test_op_census_picks_static_for_convs_and_dynamic_for_matmuls(tmp_path: Path) -> None:
    conv = tmp_path / "conv.onnx"
    onnx.save(make_conv_model(), str(conv))
    assert op_census(conv) == {"Conv": 1}
    assert choose_mode(op_census(conv))[0] == "static"
    mlp = _matmul_model(tmp_path / "mlp.onnx")
    assert choose_mode(op_census(mlp)) == ("dynamic", "auto: 0 Conv vs 2 MatMul/Gemm/RNN nodes")
    assert choose_mode(op_census(MODELS / "efficientnet-lite0" / "efficientnet-lite0.onnx"))[0] == "static"


def test_dynamic_copy_of_a_matmul_model_without_calibration(tmp_path: Path) -> None:
    registry = _registry()
    card = registry.import_model(_matmul_model(tmp_path / "mlp.onnx"))
    report = make_int8_copy(registry, card.id, latency_runs=5)
    print("\n" + "\n".join(report.lines()))
    assert report.mode == "dynamic" and report.calibration is None
    assert report.eval_inputs == "random inputs" and report.eval_count == 8
    assert report.top1_agreement >= 0.75 and report.int8_bytes < report.fp32_bytes
    copy = registry.get(report.copy_id)
    assert copy.task == "raw" and copy.license == f"same as {card.id} (unknown)"
    result = Pipeline(registry).run_data(None, copy.id, "random input")
    assert result.ok


def test_static_needs_a_calibration_folder_and_an_image_model(tmp_path: Path) -> None:
    registry = _registry()
    with pytest.raises(TaskError, match="calibration folder"):
        make_int8_copy(registry, "efficientnet-lite0", mode="static")
    card = registry.import_model(_matmul_model(tmp_path / "mlp.onnx"))
    with pytest.raises(TaskError, match="image model"):
        make_int8_copy(registry, card.id, tmp_path, mode="static")
    with pytest.raises(TaskError, match="mode"):
        make_int8_copy(registry, card.id, mode="int4")
    assert [c.id for c in registry.list() if "int8" in c.id] == []  # nothing half-made was left behind
