"""Ultralytics part of the user-export fixtures: tiny YOLO11 models trained on drawn data, exported, referenced.

Runs inside the build venv only (imports ultralytics). Nothing is downloaded: models start from YAML.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

# Depth / width / max-channels: half the width of yolo11n, channels capped at 48, so each ONNX file is ~1.5-2 MB.
TINY_SCALE: list[float] = [0.50, 0.125, 384]
STOCK_YAML = {"detect": "yolo11.yaml", "segment": "yolo11-seg.yaml", "pose": "yolo11-pose.yaml",
              "classify": "yolo11-cls.yaml"}
PREDICT_ARGS: dict[str, Any] = {"conf": 0.25, "iou": 0.7, "retina_masks": True, "device": "cpu"}


def tiny_model_yaml(task: str, out_dir: Path, nc: int) -> Path:
    """Write the stock YOLO11 YAML of `task` with a single tiny scale; returns the file (named without a scale)."""
    from ultralytics.utils import ROOT, YAML

    d = dict(YAML.load(ROOT / "cfg" / "models" / "11" / STOCK_YAML[task]))
    d["scales"] = {"n": TINY_SCALE}
    d["nc"] = nc
    if task == "pose":
        d["kpt_shape"] = [17, 3]
    path = out_dir / f"tiny-{task}.yaml"
    YAML.save(path, d)
    return path


def train(task: str, model_yaml: Path, data: Path, imgsz: int, epochs: int, project: Path, batch: int = 16) -> Path:
    """Train from scratch on CPU with fixed seed; returns best.pt."""
    from ultralytics import YOLO

    t0 = time.time()
    model = YOLO(str(model_yaml), task=task)
    model.train(
        data=str(data), imgsz=imgsz, epochs=epochs, batch=batch, device="cpu", workers=0, plots=False, amp=False,
        pretrained=False, seed=0, deterministic=True, project=str(project), name=task, exist_ok=True, cache=True,
        verbose=False, patience=1000,
    )
    best = project / task / "weights" / "best.pt"
    print(f"[yolo] trained {task} in {time.time() - t0:.0f}s -> {best}", flush=True)
    return best


def export(best: Path, imgsz: int, out_dir: Path, nms: bool) -> Path:
    """Export best.pt with Ultralytics' exporter (opset 17, static shape) and copy it to out_dir/model.onnx."""
    from ultralytics import YOLO

    model = YOLO(str(best))
    written = Path(model.export(format="onnx", imgsz=imgsz, opset=17, dynamic=False, nms=nms, simplify=True))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "model.onnx"
    shutil.copyfile(written, target)
    written.unlink()
    return target


def _round(a: Any, nd: int = 6) -> Any:
    return np.round(np.asarray(a, dtype=np.float64), nd).tolist()


def reference(
    onnx_path: Path, task: str, imgsz: int, samples: list[Path], variant: str, repo: Path
) -> dict[str, Any]:
    """Run Ultralytics' own predictor on the ONNX file for each sample; write reference.json (+ masks.npz)."""
    import ultralytics
    from ultralytics import YOLO

    model = YOLO(str(onnx_path), task=task)
    results: dict[str, Any] = {}
    masks: dict[str, np.ndarray] = {}
    for sample in samples:
        r = model.predict(source=str(sample), imgsz=imgsz, verbose=False, **PREDICT_ARGS)[0]
        entry: dict[str, Any] = {"orig_shape": list(r.orig_shape)}
        if task == "classify":
            entry["top5"] = [int(i) for i in r.probs.top5]
            entry["top5_prob"] = _round(r.probs.top5conf.cpu().numpy())
            entry["top5_names"] = [r.names[int(i)] for i in r.probs.top5]
            entry["probs"] = _round(r.probs.data.cpu().numpy())
        else:
            b = r.boxes
            entry["boxes_xyxy"] = _round(b.xyxy.cpu().numpy(), 4)
            entry["scores"] = _round(b.conf.cpu().numpy())
            entry["classes"] = [int(c) for c in b.cls.cpu().numpy()]
            entry["labels"] = [r.names[int(c)] for c in b.cls.cpu().numpy()]
            if task == "segment" and r.masks is not None:
                m = (r.masks.data.cpu().numpy() > 0.5).astype(np.uint8)
                masks[sample.name] = m
                entry["mask_shape"] = list(m.shape)
                entry["mask_areas"] = [int(x) for x in m.reshape(m.shape[0], -1).sum(axis=1)]
            if task == "pose" and r.keypoints is not None:
                entry["keypoints_xy"] = _round(r.keypoints.xy.cpu().numpy(), 4)
                entry["keypoints_conf"] = _round(r.keypoints.conf.cpu().numpy())
        results[sample.name] = entry
    ref = {
        "framework": "ultralytics",
        "version": ultralytics.__version__,
        "model_file": onnx_path.name,
        "task": task,
        "variant": variant,
        "names": {str(k): v for k, v in model.names.items()},
        "predictor_call": {"call": f'YOLO("{onnx_path.name}", task="{task}").predict(source=..., imgsz={imgsz}, '
                                   "conf=0.25, iou=0.7, retina_masks=True, device=\"cpu\")",
                           "imgsz": imgsz, **PREDICT_ARGS},
        "masks_file": "masks.npz" if masks else None,
        "sample_paths": {p.name: p.relative_to(repo).as_posix() for p in samples},
        "results": results,
    }
    (onnx_path.parent / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
    if masks:
        np.savez_compressed(onnx_path.parent / "masks.npz", **masks)
    return ref


def detected_fraction(ref: dict[str, Any], truth: dict[str, int]) -> float:
    """Found boxes / drawn objects over the samples in `truth` (how confidently the model learned)."""
    found = sum(min(len(ref["results"][k].get("scores", [])), n) for k, n in truth.items())
    return found / max(1, sum(truth.values()))
