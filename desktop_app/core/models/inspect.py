"""Read what an ONNX file declares (inputs, outputs, opsets, size, external data) without running it.

Every refusal is a one-line ModelError: not ONNX, empty, truncated, too large, or external data that
is missing or points outside the model's folder. Raw protobuf/onnx exceptions never escape.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import ModelError
from desktop_app.core.fileio import sha256_file
from desktop_app.core.media.sniff import describe, sniff
from desktop_app.core.models.external import validate_external_data
from desktop_app.core.models.onnx_walk import all_graphs, dtype_bits, dtype_name

GIB = 1 << 30
STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml", "ai.onnx.preview.training", "ai.onnx.training"})
# Sniffed kinds that say nothing against ONNX: the parser decides.
_PARSER_DECIDES = frozenset({"empty", "unknown", "onnx-ish"})
# Wording for a refused model where the context suggests what went wrong; other kinds use describe().
_MODEL_HINTS = {
    "text": "a text file",
    "html": "an HTML page (a download error page?)",
    "xml": "an XML document (a download error page?)",
    "zip": "a ZIP archive (a PyTorch checkpoint or a zipped model?)",
}


@dataclass(frozen=True)
class TensorInfo:
    """One graph input or output: name, numpy-style dtype name and shape (ints, symbolic names, None)."""

    name: str
    dtype: str
    shape: tuple[int | str | None, ...]
    rank_known: bool = True  # False when the model declares no shape at all (shape is then ())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape) if self.rank_known else None}


@dataclass(frozen=True)
class ModelInfo:
    """What an ONNX file declares, read once; JSON-able through to_dict() and signature()."""

    path: Path
    file_size: int
    sha256: str
    ir_version: int
    opsets: dict[str, int]
    producer: str
    producer_version: str
    domain: str
    model_version: int
    doc: str
    metadata: dict[str, str]
    inputs: tuple[TensorInfo, ...]
    outputs: tuple[TensorInfo, ...]
    parameter_count: int
    initializer_bytes: int
    external_data: tuple[Path, ...]  # relative to the model's folder, normalised
    custom_domains: tuple[str, ...]
    node_count: int  # nodes of the main graph and of its subgraphs

    def signature(self) -> dict[str, Any]:
        """The model's calling convention (for "copy signature as JSON")."""
        return {
            "file": self.path.name,
            "opsets": dict(self.opsets),
            "inputs": [t.to_dict() for t in self.inputs],
            "outputs": [t.to_dict() for t in self.outputs],
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["external_data"] = [p.as_posix() for p in self.external_data]
        data["inputs"] = [t.to_dict() for t in self.inputs]
        data["outputs"] = [t.to_dict() for t in self.outputs]
        return data


def inspect_model(path: Path, *, max_bytes: int = 4 * GIB) -> ModelInfo:
    """Parse `path` (never its external data) and describe it; raises ModelError on anything unsafe."""
    path = Path(path)
    model, size = _load(path, max_bytes)
    external = validate_external_data(model, path)
    graph = model.graph
    initializer_names = {t.name for t in graph.initializer} | {s.values.name for s in graph.sparse_initializer}
    params, nbytes = _count_parameters(model)
    return ModelInfo(
        path=path,
        file_size=size,
        sha256=sha256_file(path),
        ir_version=int(model.ir_version),
        opsets={op.domain: int(op.version) for op in model.opset_import},
        producer=model.producer_name,
        producer_version=model.producer_version,
        domain=model.domain,
        model_version=int(model.model_version),
        doc=model.doc_string,
        metadata={p.key: p.value for p in model.metadata_props},
        inputs=tuple(_tensor_info(v) for v in graph.input if v.name not in initializer_names),
        outputs=tuple(_tensor_info(v) for v in graph.output),
        parameter_count=params,
        initializer_bytes=nbytes,
        external_data=external,
        custom_domains=_custom_domains(model),
        node_count=sum(len(g.node) for g in all_graphs(model.graph)),
    )


def check_model(path: Path, *, max_bytes: int = 4 * GIB) -> None:
    """Run onnx.checker on `path` after inspect_model's safety checks; failures become one ModelError."""
    import onnx.checker

    path = Path(path)
    model, _ = _load(path, max_bytes)
    validate_external_data(model, path)  # before the checker opens any external file
    custom = _custom_domains(model)
    del model
    try:
        onnx.checker.check_model(str(path), full_check=False)
    except Exception as exc:  # onnx raises ValidationError, C++ errors, protobuf errors
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        if custom:
            domains = ", ".join(f"'{d}'" for d in custom)
            raise ModelError(
                f"{path.name} uses operators from custom domain {domains} that ONNX Runtime may not support "
                f"(checker: {first})"
            ) from None
        raise ModelError(f"{path.name} failed the ONNX checker: {first}") from None


def _load(path: Path, max_bytes: int) -> tuple[Any, int]:
    import onnx

    name = path.name
    try:
        if path.is_dir():
            raise ModelError(f"{name} is a folder, not an ONNX file")
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(512)
    except FileNotFoundError:
        raise ModelError(f"{name}: file not found") from None
    except OSError as exc:
        raise ModelError(f"{name}: cannot read the file: {exc.strerror or exc}") from None
    if size == 0:
        raise ModelError(f"{name} is empty (0 bytes)")
    if size > max_bytes:
        raise ModelError(f"{name} is too large ({size / GIB:.1f} GiB; the limit is {max_bytes / GIB:.1f} GiB)")
    kind = _looks_like(head)
    if kind:
        raise ModelError(f"{name} is not an ONNX model (it looks like {kind})")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # protobuf DecodeError, RuntimeError from the C++ parser, MemoryError, ...
        raise ModelError(_unparsable(name, head)) from None
    if not model.HasField("graph") or model.ir_version <= 0:
        raise ModelError(_unparsable(name, head))
    return model, size


def _looks_like(head: bytes) -> str | None:
    """What a file that is clearly not ONNX looks like ("a JPEG image"), or None to let the parser try."""
    if head[:1] == b"\x08":  # starts like an ONNX file (ir_version comes first): probably ONNX
        return None
    kind = sniff(head)
    if kind in _PARSER_DECIDES:
        return None
    return _MODEL_HINTS.get(kind) or describe(kind)


def _unparsable(name: str, head: bytes) -> str:
    if head[:1] == b"\x08":  # starts like an ONNX file (ir_version comes first)
        return f"{name} is truncated or corrupt"
    return f"{name} is not an ONNX model (it could not be parsed as one)"


def _tensor_info(value: Any) -> TensorInfo:
    dtype, shape, known = _describe_type(value.type)
    return TensorInfo(name=value.name, dtype=dtype, shape=shape, rank_known=known)


def _describe_type(tp: Any) -> tuple[str, tuple[int | str | None, ...], bool]:
    kind = tp.WhichOneof("value")
    if kind in ("tensor_type", "sparse_tensor_type"):
        tensor = getattr(tp, kind)
        dtype = dtype_name(tensor.elem_type)
        if kind == "sparse_tensor_type":
            dtype = f"sparse<{dtype}>"
        if not tensor.HasField("shape"):
            return dtype, (), False
        return dtype, tuple(_dim(d) for d in tensor.shape.dim), True
    if kind == "sequence_type":
        inner, _, _ = _describe_type(tp.sequence_type.elem_type)
        return f"sequence<{inner}>", (), False
    if kind == "optional_type":
        inner, shape, known = _describe_type(tp.optional_type.elem_type)
        return f"optional<{inner}>", shape, known
    if kind == "map_type":
        value, _, _ = _describe_type(tp.map_type.value_type)
        return f"map<{dtype_name(tp.map_type.key_type)},{value}>", (), False
    return "unknown", (), False


def _dim(dim: Any) -> int | str | None:
    which = dim.WhichOneof("value")
    if which == "dim_value":
        return int(dim.dim_value)
    if which == "dim_param" and dim.dim_param:
        return str(dim.dim_param)
    return None


def _count_parameters(model: Any) -> tuple[int, int]:
    """Element count and byte size of every initializer and Constant-node tensor, from the declared dims.

    Subgraphs (If/Loop/Scan bodies) count too: exporters such as the one behind silero-vad keep the
    weights in Constant nodes there rather than in initializers. Nothing is read from external data.
    """
    count = 0
    nbytes = 0
    for graph in all_graphs(model.graph):
        for tensor in _weight_tensors(graph):
            elements = math.prod(max(int(d), 0) for d in tensor.dims)
            count += elements
            bits = dtype_bits(tensor.data_type)
            nbytes += sum(len(s) for s in tensor.string_data) if bits is None else (elements * bits + 7) // 8
    return count, nbytes


def _weight_tensors(graph: Any) -> list[Any]:
    """The graph's own initializers (sparse ones by their values) and its Constant nodes' tensors."""
    tensors = list(graph.initializer) + [s.values for s in graph.sparse_initializer]
    for node in graph.node:
        if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
            continue
        for attr in node.attribute:
            if attr.name == "value" and attr.HasField("t"):
                tensors.append(attr.t)
            elif attr.name == "sparse_value" and attr.HasField("sparse_tensor"):
                tensors.append(attr.sparse_tensor.values)
    return tensors


def _custom_domains(model: Any) -> tuple[str, ...]:
    local = {(f.domain, f.name) for f in model.functions}
    domains: set[str] = set()
    for graph in all_graphs(model.graph):
        for node in graph.node:
            if node.domain not in STANDARD_DOMAINS and (node.domain, node.op_type) not in local:
                domains.add(node.domain)
    for function in model.functions:
        for node in function.node:
            if node.domain not in STANDARD_DOMAINS and (node.domain, node.op_type) not in local:
                domains.add(node.domain)
    return tuple(sorted(domains))


__all__ = ["GIB", "ModelInfo", "TensorInfo", "check_model", "inspect_model"]
