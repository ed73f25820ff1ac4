"""Every file of the hostile corpus through the command line, one batch per kind with a good sample in it:
the expected outcome ("ok" result, or a one-line error naming the file), no traceback, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf
from PIL import Image

from desktop_app.cli import main
from tests.conftest import SAMPLES
from tests.data.hostile.make_corpus import build, kind_of

COMMANDS = {"image": ["classify"], "table": ["classify"], "audio": ["vad"], "model": ["models", "import"]}
GOOD = {"image": SAMPLES / "cat-chelsea.jpg", "table": SAMPLES / "adult-test-sample.csv",
        "audio": SAMPLES / "speech-espeak.wav"}
WORDS = {  # file -> words its error must contain (case-insensitive)
    "empty.jpg": "empty", "empty.png": "empty", "truncated.jpg": "truncated", "truncated.png": "truncated", "wav-named.jpg": "wav audio",
    "bomb.png": "over the 64-megapixel limit", "bomb.jpg": "over the 64-megapixel limit",
    "bomb.tif": "over the 64-megapixel limit", "drawing.svg": "svg drawings are not supported",
    "nul-bytes.csv": "nul bytes", "ragged-rows.csv": "has 5 fields, expected 15",
    "wide-10000-columns.csv": "10000 columns, over the limit", "png-named.csv": "not a csv file",
    "empty.csv": "empty", "empty.wav": "empty", "truncated.wav": "truncated", "zero-channels.wav": "channel count",
    "jpeg-named.wav": "not audio", "empty.onnx": "empty", "not-onnx.onnx": "not an onnx model",
    "jpeg-named.onnx": "jpeg", "truncated.onnx": "truncated", "ext-relative/model.onnx": "outside the model's folder",
    "ext-absolute/model.onnx": "absolute path", "custom-domain-op.onnx": "cannot load the model",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, build(folder)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if line.strip()]
    return code, [json.loads(line) for line in lines], captured.out + captured.err


def test_the_corpus_covers_every_kind(corpus: tuple[Path, dict[str, str]]) -> None:
    folder, expected = corpus
    kinds = {kind_of(name) for name in expected}
    assert kinds == set(COMMANDS) and set(expected.values()) == {"ok", "error"}
    assert all((folder / name).is_file() for name in expected)
    assert len(expected) >= 40
    modes = {name: Image.open(folder / name).mode for name in
             ("gray16.png", "rgb16.png", "cmyk.jpg", "palette.png", "alpha.png", "animated.gif", "multipage.tif")}
    assert (folder / "rgb16.png").read_bytes()[24] == 16  # IHDR bit depth: 48-bit RGB
    assert modes["gray16.png"].startswith("I") and modes["cmyk.jpg"] == "CMYK" and modes["palette.png"] == "P"
    assert modes["alpha.png"] == "RGBA" and Image.open(folder / "animated.gif").n_frames == 3
    assert Image.open(folder / "multipage.tif").n_frames == 3
    assert sf.info(str(folder / "six-channels-96k.wav")).channels == 6
    assert sf.info(str(folder / "pcm8.wav")).subtype == "PCM_U8" and sf.info(str(folder / "one-sample.wav")).frames == 1


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_each_hostile_file_gives_its_expected_outcome_and_the_batch_finishes(
        kind: str, corpus: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    folder, expected = corpus
    names = [name for name in expected if kind_of(name) == kind]
    paths = [str(folder / name) for name in names]
    good = GOOD.get(kind)
    if good is not None:
        paths.insert(len(paths) // 2, str(good))
    code, items, text = run_json(capsys, *COMMANDS[kind], *paths)
    assert code == 1 and "Traceback" not in text

    key = "target" if kind == "model" else "path"
    by_path: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_path.setdefault(str(item[key]), []).append(item)
    assert list(by_path) == paths, "one answer per file, in order, none lost"

    if good is not None:
        good_items = by_path.pop(str(good))
        assert good_items and all(i["ok"] for i in good_items)
        if kind == "table":
            assert len(good_items) == 200
        elif kind == "audio":
            assert good_items[0]["segments"]
        else:
            assert good_items[0]["top"][0]["index"] in range(281, 286)

    for name in names:
        answers = by_path[str(folder / name)]
        if expected[name] == "ok":
            assert all(a["ok"] and a["error"] is None for a in answers), (name, answers)
            continue
        assert len(answers) == 1, (name, answers)
        (answer,) = answers
        message = answer["error"]
        assert not answer["ok"] and message, name
        assert "\n" not in message and "Traceback" not in message, message
        assert Path(name).name in message, message
        assert WORDS[name] in message.lower(), message
        if name.startswith("ext-"):
            assert "secret.bin" in message

    if kind == "model":  # imported as declared; a random input of 2**80 elements is refused when run
        code, (item,), text = run_json(capsys, "raw", "absurd-shape")
        assert code == 1 and not item["ok"] and "too large" in item["error"] and "Traceback" not in text
        code, listed, _ = run_json(capsys, "models", "list")
        ids = {m["id"] for m in listed}
        assert {"no-inputs", "absurd-shape", "negative-shape"} <= ids and "model" not in ids
