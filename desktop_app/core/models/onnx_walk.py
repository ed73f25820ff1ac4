"""Walk an ONNX model's graphs and tensors (subgraphs and functions included) and name its dtypes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# TensorProto.DataType value -> (numpy-style name, bits per element; None for variable-size strings)
_DTYPES: dict[int, tuple[str, int | None]] = {
    1: ("float32", 32),
    2: ("uint8", 8),
    3: ("int8", 8),
    4: ("uint16", 16),
    5: ("int16", 16),
    6: ("int32", 32),
    7: ("int64", 64),
    8: ("string", None),
    9: ("bool", 8),
    10: ("float16", 16),
    11: ("float64", 64),
    12: ("uint32", 32),
    13: ("uint64", 64),
    14: ("complex64", 64),
    15: ("complex128", 128),
    16: ("bfloat16", 16),
    17: ("float8_e4m3fn", 8),
    18: ("float8_e4m3fnuz", 8),
    19: ("float8_e5m2", 8),
    20: ("float8_e5m2fnuz", 8),
    21: ("uint4", 4),
    22: ("int4", 4),
    23: ("float4_e2m1", 4),
    24: ("float8_e8m0", 8),
    25: ("uint2", 2),
    26: ("int2", 2),
    27: ("float6_e2m3", 6),
    28: ("float6_e3m2", 6),
}


def dtype_name(elem_type: int) -> str:
    """numpy-style name of an ONNX element type ("float32", "int64", "string"; "undefined" for 0)."""
    entry = _DTYPES.get(int(elem_type))
    if entry is not None:
        return entry[0]
    return "undefined" if elem_type == 0 else f"type{int(elem_type)}"


def dtype_bits(elem_type: int) -> int | None:
    """Bits per element of an ONNX element type; None for strings and unknown types."""
    entry = _DTYPES.get(int(elem_type))
    return entry[1] if entry is not None else None


def _attribute_graphs(node: Any) -> Iterator[Any]:
    for attr in node.attribute:
        if attr.HasField("g"):
            yield attr.g
        yield from attr.graphs


def all_graphs(graph: Any) -> Iterator[Any]:
    """The graph and every subgraph nested in its nodes' attributes (If, Loop, Scan bodies)."""
    stack = [graph]
    while stack:
        current = stack.pop()
        yield current
        for node in current.node:
            stack.extend(_attribute_graphs(node))


def _node_tensors(nodes: Any) -> Iterator[Any]:
    for node in nodes:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t
            yield from attr.tensors
            if attr.HasField("sparse_tensor"):
                yield attr.sparse_tensor.values
                yield attr.sparse_tensor.indices
            for sparse in attr.sparse_tensors:
                yield sparse.values
                yield sparse.indices


def all_tensors(model: Any) -> Iterator[Any]:
    """Every TensorProto the model holds: initializers, sparse ones, and constants in node attributes."""
    graphs = list(all_graphs(model.graph))
    for function in model.functions:
        for node in function.node:
            for sub in _attribute_graphs(node):
                graphs.extend(all_graphs(sub))
        yield from _node_tensors(function.node)
    for graph in graphs:
        yield from graph.initializer
        for sparse in graph.sparse_initializer:
            yield sparse.values
            yield sparse.indices
        yield from _node_tensors(graph.node)
