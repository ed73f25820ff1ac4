"""Property-based tests of the ONNX inspector and checker wrapper: arbitrary bytes, mutated real model
files and generated graphs with odd signatures give either a ModelInfo or one-line ModelErrors, never
another exception (a crash in the user's face)."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper

from desktop_app.core.errors import AppError
from desktop_app.core.models.inspect import check_model, inspect_model
from tests.builders import add_one, mean_colour_classifier
from tests.core.media.test_media_fuzz import _mutate

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_FOLDER = Path(tempfile.mkdtemp(prefix="inspect-fuzz-"))
_COUNTER = itertools.count()


def _seeds() -> dict[str, bytes]:
    return {"add": add_one(_FOLDER / "add.onnx").read_bytes(),
            "classifier": mean_colour_classifier(_FOLDER / "mean.onnx").read_bytes()}


SEEDS = _seeds()


def _write(data: bytes) -> Path:
    path = _FOLDER / f"fuzz-{next(_COUNTER)}.onnx"
    path.write_bytes(data)
    return path


def _inspect_or_refuse(path: Path) -> None:
    for call in (inspect_model, check_model):
        try:
            call(path)
        except AppError as exc:
            text = str(exc)
            assert text and "\n" not in text and path.name in text
    path.unlink()


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_in_one_line(data: bytes) -> None:
    _inspect_or_refuse(_write(data))


@FUZZ
@given(seed=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_mutated_model_files_are_inspected_or_refused(seed: str, data: st.DataObject) -> None:
    _inspect_or_refuse(_write(_mutate(data, SEEDS[seed])))


_DIM = st.one_of(st.integers(-5, 2**40), st.text(alphabet="abcN_ ?", max_size=6), st.none())
_DTYPE = st.sampled_from([TensorProto.FLOAT, TensorProto.UINT8, TensorProto.INT64, TensorProto.STRING,
                          TensorProto.BOOL, TensorProto.FLOAT16, TensorProto.UNDEFINED, 999])


@FUZZ
@given(inputs=st.lists(st.tuples(_DTYPE, st.lists(_DIM, max_size=5)), max_size=3),
       opset=st.integers(-1, 40), domain=st.sampled_from(["", "ai.onnx", "com.example.custom"]))
def test_generated_graphs_with_odd_signatures(inputs: list[tuple[int, list[int | str | None]]], opset: int,
                                              domain: str) -> None:
    values = [helper.make_tensor_value_info(f"in{i}", dtype, dims) for i, (dtype, dims) in enumerate(inputs)]
    out = helper.make_tensor_value_info("out", TensorProto.FLOAT, None)
    nodes = [helper.make_node("Identity", [values[0].name if values else "missing"], ["out"], domain=domain)]
    graph = helper.make_graph(nodes, "fuzz", values, [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(domain, opset)])
    path = _write(model.SerializeToString())
    try:
        info = inspect_model(path)
    except AppError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(info.inputs) == len(inputs)
        assert all(isinstance(d, (int, str, type(None))) for t in info.inputs for d in t.shape)
    _inspect_or_refuse(path)
