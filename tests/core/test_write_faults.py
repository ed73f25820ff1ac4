"""Disk full, read-only folder, no permission, for every file the core writes for the user: one plain line
(WriteError), no half-written target or temporary file left, the data still in memory, and a retry to
another folder that writes a readable file. ENOSPC is real where a path can be written (/dev/full as the
temporary file); the rest is raised at the low-level calls (see tests/write_faults.py)."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import soundfile as sf

from desktop_app.core import fileio
from desktop_app.core.batch_export import export_error, export_results, results_json
from desktop_app.core.errors import AppError, WriteError
from desktop_app.core.fileio import atomic_write_many, atomic_write_text, describe_write_error
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import UserDirs
from desktop_app.core.results import ClassificationResult, ClassScore, Result
from desktop_app.core.runtime.bench import BenchSettings, run_bench, save_result
from desktop_app.core.services import AppServices
from desktop_app.core.settings import SettingsStore
from desktop_app.core.sources import wav_recorder as wav_module
from desktop_app.core.sources.recorder import MIN_FREE_BYTES, SPACE_CHECK_EVERY, VideoRecorder, save_snapshot
from desktop_app.core.sources.wav_recorder import WavRecorder
from tests.builders import add_one
from tests.conftest import MODELS
from tests.write_faults import (
    dev_full_in,
    fail_mkstemp_in,
    fail_replace_into,
    free_space,
    leftovers,
    needs_dev_full,
    os_error,
    sound_file_that_fills,
)


@pytest.fixture
def faults() -> Iterator[pytest.MonkeyPatch]:
    """A monkeypatch of its own for the faults, so a test can lift them mid-way (space freed) without
    undoing the suite's own patches (the user folders in tmp)."""
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def _results() -> list[Result]:
    top = (ClassScore(281, "tabby", 0.6), ClassScore(282, "tiger cat", 0.3))
    return [Result(f"{i}.jpg", True, "efficientnet-lite0", task="classify", payload=ClassificationResult(top, 1000))
            for i in range(3)]


# -- the plain line ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code,reason", [
    (errno.ENOSPC, "the disk is full"),
    (errno.EROFS, "the folder is read-only"),
    (errno.EACCES, "no permission to write there"),
    (errno.EPERM, "no permission to write there"),
])
def test_each_fault_reads_as_one_plain_line(tmp_path: Path, code: int, reason: str) -> None:
    target = tmp_path / "out" / "results.csv"
    assert describe_write_error(target, os_error(code)) == f"could not write results.csv to {target.parent}: {reason}"


def test_other_system_errors_say_what_the_system_said(tmp_path: Path) -> None:
    line = describe_write_error(tmp_path / "x.json", os_error(errno.ENAMETOOLONG))
    assert line == f"could not write x.json to {tmp_path}: {os.strerror(errno.ENAMETOOLONG)[:1].lower()}" \
                   f"{os.strerror(errno.ENAMETOOLONG)[1:]}"


def test_a_library_error_without_errno_is_explained_by_the_folder(tmp_path: Path,
                                                                  faults: pytest.MonkeyPatch) -> None:
    """libsndfile reports a full disk as "system error" (code 2) only: the folder is asked why."""
    silent = sf.LibsndfileError(2)
    free = [10 * MIN_FREE_BYTES]
    free_space(faults, tmp_path, free)
    assert "the disk is full" not in describe_write_error(tmp_path / "a.wav", silent)
    free[0] = 0
    assert describe_write_error(tmp_path / "a.wav", silent) == f"could not write a.wav to {tmp_path}: the disk is full"


# -- the atomic writers ------------------------------------------------------------------------------


@needs_dev_full
def test_a_real_enospc_leaves_the_old_file_and_no_temporary(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n")
    dev_full_in(faults, tmp_path)
    with pytest.raises(WriteError) as caught:
        atomic_write_text(target, "new\n" * 10_000)
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert str(caught.value) == f"could not write report.json to {tmp_path}: the disk is full"
    assert target.read_text() == "old\n" and leftovers(tmp_path) == ["report.json"]
    faults.undo()  # space freed: the same write now succeeds
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n" and leftovers(tmp_path) == ["report.json"]


def test_a_read_only_folder_at_replace_removes_the_temporary(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    fail_replace_into(faults, tmp_path, errno.EROFS)
    with pytest.raises(WriteError, match="the folder is read-only$"):
        atomic_write_text(tmp_path / "a.csv", "x\n")
    assert leftovers(tmp_path) == []


def test_a_device_is_never_replaced_by_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(WriteError, match="not a regular file"):
        atomic_write_text(fifo, "x")
    assert leftovers(tmp_path) == ["pipe"] and not fifo.is_file()


def test_files_written_together_change_none_when_one_fails(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    json_path, csv_path = tmp_path / "r.json", tmp_path / "r.csv"
    json_path.write_text("old json")
    real = fileio._write_temporary
    calls: list[Path] = []

    def second_fails(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise os_error(errno.ENOSPC)
        return real(path, data)

    faults.setattr(fileio, "_write_temporary", second_fails)
    with pytest.raises(WriteError, match=r"could not write r\.csv .*: the disk is full"):
        atomic_write_many({json_path: b"new json", csv_path: b"new csv"})
    assert json_path.read_text() == "old json" and leftovers(tmp_path) == ["r.json"]
    faults.undo()
    atomic_write_many({json_path: b"new json", csv_path: b"new csv"})
    assert json_path.read_text() == "new json" and csv_path.read_text() == "new csv"


# -- batch export ------------------------------------------------------------------------------------


@needs_dev_full
def test_batch_export_to_a_full_disk_then_elsewhere(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    full, other = tmp_path / "usb", tmp_path / "home"
    full.mkdir()
    results = _results()
    dev_full_in(faults, full)
    with pytest.raises(AppError) as caught:
        export_results(full / "out.json", results)
    assert export_error(full / "out.json", caught.value) == f"could not write out.json to {full}: the disk is full"
    assert leftovers(full) == [] and len(results) == 3
    export_results(other / "out.json", results)
    assert json.loads((other / "out.json").read_text(encoding="utf-8")) == json.loads(results_json(results))


# -- settings ----------------------------------------------------------------------------------------


@needs_dev_full
def test_settings_that_cannot_be_saved_apply_for_this_run(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    services = AppServices.create(UserDirs.under(tmp_path / "home"))
    services.update_settings(top_k=7)
    settings_file = services.store.path
    told: list[str | None] = []
    services.settings_changed.subscribe(lambda change: told.append(change.save_error))
    dev_full_in(faults, settings_file.parent)
    assert services.update_settings(top_k=9).top_k == 9  # no exception, the change holds
    assert services.settings.top_k == 9
    assert told == [services.save_error] and services.save_error == (
        "settings not saved (they apply until the app closes): "
        f"could not write settings.json to {settings_file.parent}: the disk is full")
    assert SettingsStore(settings_file).load().top_k == 7  # the old file is intact
    assert leftovers(settings_file.parent) == ["settings.json"]
    faults.undo()
    services.update_settings(top_k=9)
    assert services.save_error is None and told[-1] is None and SettingsStore(settings_file).load().top_k == 9


# -- benchmark report --------------------------------------------------------------------------------


@needs_dev_full
def test_a_benchmark_that_cannot_be_saved_keeps_its_numbers(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    registry = ModelRegistry(MODELS, UserDirs.default().models)
    card = registry.import_model(add_one(tmp_path / "tiny.onnx", ["batch", 4]))
    full = tmp_path / "full"
    full.mkdir()
    dev_full_in(faults, full)
    result = run_bench(card, BenchSettings(runs=3, seconds=5.0, warmup=1, batches=(1,)), save_to=full / "bench.json")
    assert result.get("CPU", 1) is not None and result.saved_to is None
    assert result.save_error == f"could not write bench.json to {full}: the disk is full"
    assert result.lines()[-1] == f"not saved: {result.save_error}" and result.to_dict()["save_error"]
    assert leftovers(full) == []
    saved = save_result(result, tmp_path / "retry" / "bench.json")
    assert saved.save_error is None and saved.saved_to == str(tmp_path / "retry" / "bench.json")
    data = json.loads((tmp_path / "retry" / "bench.json").read_text(encoding="utf-8"))
    assert data["results"] == [x.to_dict() for x in result.stats] and "save_error" not in data


# -- snapshot ----------------------------------------------------------------------------------------


@needs_dev_full
def test_a_snapshot_to_a_full_disk_then_elsewhere(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[:, :32] = (255, 0, 0)
    full = tmp_path / "full"
    full.mkdir()
    dev_full_in(faults, full)
    with pytest.raises(WriteError, match=r"could not write snap\.png to .*: the disk is full"):
        save_snapshot(full / "snap.png", frame)
    assert leftovers(full) == []
    back = cv2.imread(str(save_snapshot(tmp_path / "snap.png", frame)))
    assert back is not None and tuple(back[0, 0]) == (0, 0, 255)  # BGR on disk


# -- WAV recording -----------------------------------------------------------------------------------




def test_a_wav_whose_disk_fills_stops_with_the_reason_and_leaves_nothing(tmp_path: Path,
                                                                         faults: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rec"
    faults.setattr(wav_module.sf, "SoundFile", sound_file_that_fills(after_writes=3))
    free = [10 * MIN_FREE_BYTES]
    free_space(faults, folder, free)
    recorder = WavRecorder(folder / "take.wav", 48_000, 2)
    block = np.full((1536, 2), 0.25, np.float32)
    recorder.write(block)
    recorder.write(block)
    free[0] = 0  # the disk is full now
    with pytest.raises(WriteError) as caught:
        recorder.write(block)
    assert str(caught.value) == f"recording stopped: could not write take.wav to {folder}: the disk is full"
    assert caught.value.errno == errno.ENOSPC
    assert leftovers(folder) == []  # the temporary file went, no take.wav
    recorder.write(block)  # after the failure: nothing happens, nothing raises
    faults.undo()
    retry = WavRecorder(tmp_path / "elsewhere" / "take.wav", 48_000, 2)
    retry.write(block)
    data, rate = sf.read(retry.close(), dtype="float32")
    assert rate == 48_000 and data.shape == (1536, 2) and np.allclose(data, 0.25)


def test_a_wav_in_a_read_only_folder_is_refused_at_once(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    fail_mkstemp_in(faults, folder, errno.EROFS)
    with pytest.raises(WriteError) as caught:
        WavRecorder(folder / "take.wav", 16_000, 1)
    assert str(caught.value) == f"cannot record: could not write take.wav to {folder}: the folder is read-only"
    assert leftovers(folder) == []


def test_a_wav_that_cannot_be_moved_into_place_is_not_left_half_way(tmp_path: Path,
                                                                    faults: pytest.MonkeyPatch) -> None:
    recorder = WavRecorder(tmp_path / "take.wav", 16_000, 1)
    recorder.write(np.zeros((160, 1), np.float32))
    fail_replace_into(faults, tmp_path, errno.EACCES)
    with pytest.raises(WriteError, match=r"^recording not saved: could not write take\.wav .*: no permission to "
                                         r"write there$"):
        recorder.close()
    assert leftovers(tmp_path) == []


# -- video recording ---------------------------------------------------------------------------------


def _frames(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.integers(0, 255, (120, 160, 3), dtype=np.uint8) for _ in range(n)]


def test_a_video_whose_disk_fills_stops_and_removes_its_partial_file(tmp_path: Path,
                                                                     faults: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "videos"
    free = [10 * MIN_FREE_BYTES]
    free_space(faults, folder, free)
    recorder = VideoRecorder(folder / "rec.avi", fps=15)
    frames = _frames(SPACE_CHECK_EVERY * 2)
    for frame in frames[:SPACE_CHECK_EVERY]:
        recorder.write(frame)
    assert any(name.endswith(".part.avi") for name in leftovers(folder))
    free[0] = MIN_FREE_BYTES - 1
    with pytest.raises(WriteError) as caught:
        for frame in frames[SPACE_CHECK_EVERY:]:
            recorder.write(frame)
    assert str(caught.value) == f"recording stopped: could not write rec.avi to {folder}: the disk is full"
    assert recorder.frames_written == SPACE_CHECK_EVERY and leftovers(folder) == []
    assert recorder.close() is None  # aborted: nothing to finish


def test_a_video_folder_that_is_read_only_or_full_is_refused_at_the_start(tmp_path: Path,
                                                                         faults: pytest.MonkeyPatch) -> None:
    ro, full = tmp_path / "ro", tmp_path / "full"
    ro.mkdir()
    full.mkdir()
    fail_mkstemp_in(faults, ro, errno.EROFS)
    with pytest.raises(WriteError, match=r"^cannot record: could not write rec\.mp4 .*: the folder is read-only$"):
        VideoRecorder(ro / "rec.mp4", fps=30)
    free_space(faults, full, [1024])
    with pytest.raises(WriteError, match=r"^cannot record: could not write rec\.mp4 .*: the disk is full$"):
        VideoRecorder(full / "rec.mp4", fps=30)
    assert leftovers(ro) == [] and leftovers(full) == []
    faults.undo()
    with VideoRecorder(full / "rec.avi", fps=30) as retry:
        for frame in _frames(5):
            retry.write(frame)
    cap = cv2.VideoCapture(str(full / "rec.avi"))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count == 5


def test_a_video_that_cannot_be_moved_into_place_reports_it(tmp_path: Path, faults: pytest.MonkeyPatch) -> None:
    recorder = VideoRecorder(tmp_path / "rec.avi", fps=30)
    for frame in _frames(3):
        recorder.write(frame)
    fail_replace_into(faults, tmp_path, errno.ENOSPC)
    with pytest.raises(WriteError, match=r"^recording not saved: .*: the disk is full$"):
        recorder.close()
    assert leftovers(tmp_path) == []
