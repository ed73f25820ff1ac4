"""Build the "your own models" test fixtures with the original frameworks (build time only; the app imports none).

Trains tiny Ultralytics YOLO11 detect / segment / pose / classify models on pictures it draws, exports them with
Ultralytics' own exporter (default and end-to-end `nms=True`), exports a tiny ViT image classifier and a tiny BERT
text classifier with Hugging Face Optimum, and records what each framework's own predictor gives on the very same
ONNX files (`reference.json`, `masks.npz`). Usage, from the repository root:

    python models/build/build_user_exports.py --venv /work/venvs/user-exports --out tests/data/user_models

It creates the venv from `requirements-user-exports.txt` when missing and re-runs itself inside it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements-user-exports.txt"
SEED = 0
YOLO_PLAN: dict[str, dict[str, int]] = {  # task -> training size; tuned for ~5-8 min each on 2 CPU cores
    "detect": {"imgsz": 160, "epochs": 50, "train": 600, "val": 40},
    "segment": {"imgsz": 160, "epochs": 40, "train": 600, "val": 40},
    "pose": {"imgsz": 160, "epochs": 50, "train": 600, "val": 40},
    "classify": {"imgsz": 64, "epochs": 80, "train": 600, "val": 60},
}
FOLDER = {"detect": "yolo-detect", "segment": "yolo-seg", "pose": "yolo-pose", "classify": "yolo-cls"}
REAL_PHOTO = REPO / "resources" / "samples" / "cat-chelsea.jpg"


def parse_args() -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--venv", type=Path, default=Path("/work/venvs/user-exports"), help="build venv (made if missing)")
    p.add_argument("--out", type=Path, default=REPO / "tests" / "data" / "user_models", help="fixture folder")
    p.add_argument("--work", type=Path, default=Path("/tmp/user-exports-build"), help="scratch folder (datasets, runs)")
    p.add_argument("--steps", default="data,samples,train,export,hf,readme",
                   help="comma list of: data, samples, train, export, hf, readme")
    p.add_argument("--reuse", action="store_true", help="keep already-trained weights in --work")
    return p.parse_args()


def ensure_venv(venv: Path) -> None:
    """Create the build venv when missing and re-exec this script inside it."""
    python = venv / "bin" / "python"
    if Path(sys.prefix).resolve() == venv.resolve():
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-r", str(REQUIREMENTS)], check=True)
    os.execv(str(python), [str(python), *sys.argv])


def offline_environment(work: Path) -> None:
    """Ultralytics and Hugging Face must not reach the network: offline flags and a local font for Ultralytics."""
    cfg = work / "ultralytics-config"
    (cfg / "Ultralytics").mkdir(parents=True, exist_ok=True)
    font = cfg / "Ultralytics" / "Arial.ttf"
    if not font.exists():
        candidates = sorted(Path("/usr/share/fonts").rglob("*.ttf"))
        if not candidates:
            sys.exit("no TTF font under /usr/share/fonts: apt-get install -y fonts-dejavu-core")
        shutil.copyfile(candidates[0], font)
    os.environ.update({"YOLO_OFFLINE": "1", "YOLO_CONFIG_DIR": str(cfg), "HF_HUB_OFFLINE": "1",
                       "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "WANDB_DISABLED": "true"})


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def step_samples(out: Path) -> None:
    """Draw the committed sample pictures and texts."""
    import user_exports_samples as samples

    samples.write_samples(out / "samples", SEED + 100)


def step_data(work: Path) -> None:
    """Draw the training sets."""
    from user_exports_data import write_classify_dataset, write_pose_dataset, write_shapes_datasets

    t0 = time.time()
    data = work / "data"
    write_shapes_datasets(data, SEED, YOLO_PLAN["detect"]["train"], YOLO_PLAN["detect"]["val"])
    write_pose_dataset(data, SEED + 1, YOLO_PLAN["pose"]["train"], YOLO_PLAN["pose"]["val"])
    write_classify_dataset(data, SEED + 2, YOLO_PLAN["classify"]["train"], YOLO_PLAN["classify"]["val"])
    print(f"[data] drawn in {time.time() - t0:.0f}s", flush=True)


def step_train(work: Path, reuse: bool) -> None:
    """Train the four YOLO models one after the other."""
    from user_exports_yolo import tiny_model_yaml, train

    data = work / "data"
    for task, plan in YOLO_PLAN.items():
        best = work / "runs" / task / "weights" / "best.pt"
        if reuse and best.exists():
            continue
        nc = 1 if task == "pose" else 3
        source = data / "classify" if task == "classify" else data / f"{task}.yaml"
        train(task, tiny_model_yaml(task, work, nc), source, plan["imgsz"], plan["epochs"], work / "runs")


def step_export(work: Path, out: Path) -> None:
    """Export every YOLO model (default and end-to-end) and record Ultralytics' predictions on the ONNX files."""
    import user_exports_samples as samples
    from user_exports_yolo import detected_fraction, export, reference

    drawn = json.loads((out / "samples" / "samples.json").read_text())["drawn_ground_truth"]
    for task, plan in YOLO_PLAN.items():
        best = work / "runs" / task / "weights" / "best.pt"
        inputs = samples.samples_for(task, out / "samples") + ([REAL_PHOTO] if task == "classify" else [])
        variants = [("default", False)] + ([] if task == "classify" else [("end-to-end", True)])
        for variant, nms in variants:
            folder = out / (FOLDER[task] + ("-e2e" if nms else ""))
            t0 = time.time()
            onnx_path = export(best, plan["imgsz"], folder, nms)
            ref = reference(onnx_path, task, plan["imgsz"], inputs, variant, REPO)
            counts = {k: len(v.get("scores", v.get("top5", []))) for k, v in ref["results"].items()}
            truth = {k: len(v) for k, v in drawn.items() if k in counts and isinstance(v, list)}
            found = f", found {detected_fraction(ref, truth):.0%} of drawn objects" if truth else ""
            print(f"[export] {folder.name}: {onnx_path.stat().st_size} bytes, {time.time() - t0:.0f}s, {counts}{found}",
                  flush=True)


def step_hf(out: Path) -> None:
    """Optimum exports of the tiny ViT / BERT models and their ORT references."""
    import user_exports_hf as hf

    hf.build_all(out, REAL_PHOTO, REPO)


def step_readme(out: Path) -> None:
    """SHA256SUMS of the model files and a versions.json of the frameworks used."""
    import user_exports_samples as samples

    models = sorted(p for p in out.rglob("*.onnx"))
    lines = [f"{sha256(p)}  {p.relative_to(out).as_posix()}" for p in models]
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    (out / "versions.json").write_text(json.dumps(samples.framework_versions(), indent=1) + "\n")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"[readme] {len(models)} model files, fixture folder {total} bytes", flush=True)


def main() -> None:
    """Run the requested steps."""
    args = parse_args()
    ensure_venv(args.venv)
    sys.path.insert(0, str(HERE))
    work, out = args.work.resolve(), args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    offline_environment(work)
    steps = {s.strip() for s in args.steps.split(",") if s.strip()}
    t0 = time.time()
    if "data" in steps:
        step_data(work)
    if "samples" in steps:
        step_samples(out)
    if "train" in steps:
        step_train(work, args.reuse)
    if "export" in steps:
        step_export(work, out)
    if "hf" in steps:
        step_hf(out)
    if "readme" in steps:
        step_readme(out)
    print(f"[done] {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
