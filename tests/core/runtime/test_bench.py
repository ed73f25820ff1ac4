"""Provider benchmark: percentiles and throughput per provider and batch size, JSON saved where documented,
unavailable providers skipped with their reason, and the `bench` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.core.errors import TaskError
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import UserDirs
from desktop_app.core.runtime import health
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.bench import (
    BenchResult,
    BenchSettings,
    LatencyStats,
    bench_path,
    parse_providers,
    run_bench,
)
from tests.builders import add_one
from tests.conftest import MODELS, ROOT

QUICK = BenchSettings(runs=15, seconds=5.0, warmup=2, batches=(1, 4))


def _sane(stats: LatencyStats) -> None:
    assert stats.runs >= 1
    assert 0 < stats.min_ms <= stats.p50_ms <= stats.p90_ms <= stats.p95_ms <= stats.p99_ms <= stats.max_ms
    assert stats.min_ms <= stats.mean_ms <= stats.max_ms
    assert stats.throughput > 0
    # items/s from the mean latency: batch / mean seconds
    assert stats.throughput == pytest.approx(stats.batch * 1000.0 / stats.mean_ms, rel=1e-6)


def _registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(MODELS, UserDirs.default().models)


def _print(result: BenchResult) -> None:
    print("\n" + "\n".join(result.lines()))


def test_tiny_user_model_bench_is_saved_next_to_the_model(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    card = registry.import_model(add_one(tmp_path / "tiny.onnx", ["batch", 16]))
    result = run_bench(card, QUICK, save_to=bench_path(card))
    _print(result)
    assert result.inputs == "random"
    cpu1, cpu4 = result.get("CPU", 1), result.get("CPU", 4)
    assert cpu1 is not None and cpu4 is not None
    for stats in (cpu1, cpu4):
        _sane(stats)
        assert stats.runs == QUICK.runs  # 15 runs of a tiny model finish long before 5 s
    assert bench_path(card) == card.folder / "bench.json"
    saved = json.loads((card.folder / "bench.json").read_text(encoding="utf-8"))
    assert saved["model"] == card.id and saved["saved_to"] == str(card.folder / "bench.json")
    assert {(r["provider"], r["batch"]) for r in saved["results"]} == {("CPU", 1), ("CPU", 4)}
    assert registry.get(card.id).id == card.id  # the JSON beside the model does not disturb the registry


def test_efficientnet_bench_on_its_sample_saves_into_the_user_data_folder(tmp_path: Path) -> None:
    card = _registry(tmp_path).get("efficientnet-lite0")
    target = bench_path(card)
    assert card.bundled and target == UserDirs.default().data / "bench" / "efficientnet-lite0.json"
    assert not target.resolve().is_relative_to(ROOT)  # never inside the install folder
    result = run_bench(card, BenchSettings(runs=8, seconds=10.0, warmup=1, batches=(1, 2)), save_to=target)
    _print(result)
    assert result.inputs == "sample cat-chelsea.jpg"
    one, two = result.get("CPU", 1), result.get("CPU", 2)
    assert one is not None and two is not None
    _sane(one)
    _sane(two)
    assert 0.5 < one.p50_ms < 5_000  # a 224x224 CNN: milliseconds, not microseconds or minutes
    assert json.loads(target.read_text(encoding="utf-8"))["results"][0]["p50_ms"] > 0


def test_unavailable_or_unhealthy_providers_are_not_benchmarked(tmp_path: Path) -> None:
    card = _registry(tmp_path).import_model(add_one(tmp_path / "tiny.onnx"))
    verdicts = health.check_all()
    result = run_bench(card, BenchSettings(runs=3, seconds=1.0, warmup=0, batches=(1,)), health_results=verdicts)
    healthy = {h.short for h in verdicts if h.healthy}
    assert {s.provider for s in result.stats} == healthy
    for h in verdicts:
        if not h.healthy:
            assert any(s.provider == h.short and s.reason == h.detail for s in result.skipped)
    fake = [health.ProviderHealth(prov.CPU, True, False, "broken on purpose")]
    with pytest.raises(TaskError, match="broken on purpose"):
        run_bench(card, BenchSettings(runs=1, batches=(1,)), health_results=fake)
    if prov.CUDA not in prov.available_providers():
        with pytest.raises(TaskError, match="CUDA"):
            run_bench(card, BenchSettings(runs=1, batches=(1,)), providers=[prov.CUDA])


def test_a_fixed_batch_dimension_skips_larger_batches(tmp_path: Path) -> None:
    card = _registry(tmp_path).import_model(add_one(tmp_path / "fixed.onnx", [1, 4]))
    result = run_bench(card, BenchSettings(runs=3, seconds=1.0, warmup=0, batches=(1, 4)), providers=[prov.CPU])
    assert result.get("CPU", 1) is not None and result.get("CPU", 4) is None
    assert any(s.batch == 4 and "fixed" in s.reason for s in result.skipped)


def test_provider_names_and_settings_are_validated() -> None:
    assert parse_providers("cpu, CUDA,cpu") == [prov.CPU, prov.CUDA]
    assert parse_providers(None) is None
    with pytest.raises(ValueError, match="tpu"):
        parse_providers("cpu,tpu")
    with pytest.raises(ValueError):
        BenchSettings(runs=0)


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(list(argv))
    out = capsys.readouterr().out.strip()
    return code, json.loads(out) if out.startswith("{") else {"text": out}


def test_bench_command_reports_percentiles_and_throughput_per_provider(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = _run_cli(capsys, "bench", "efficientnet-lite0", "--json", "--runs", "6", "--seconds", "10",
                          "--batch", "1,2", "--warmup", "1")
    assert code == 0
    print(json.dumps(data["results"], indent=1))
    cpu = [r for r in data["results"] if r["provider"] == "CPU"]
    assert [r["batch"] for r in cpu] == [1, 2]
    for row in cpu:
        assert 0 < row["p50_ms"] <= row["p95_ms"] and row["throughput_per_s"] > 0 and row["runs"] == 6
    assert {s["provider"] for s in data["skipped"]} == {h.short for h in health.check_all() if not h.healthy}
    assert Path(data["saved_to"]) == UserDirs.default().data / "bench" / "efficientnet-lite0.json"
    assert Path(data["saved_to"]).is_file()
    code, data = _run_cli(capsys, "bench", "efficientnet-lite0", "--providers", "cpu", "--runs", "2",
                          "--batch", "1", "--no-save")
    assert code == 0 and "p50 ms" in data["text"] and "saved to" not in data["text"]
    code, data = _run_cli(capsys, "bench", "efficientnet-lite0", "--providers", "tpu")
    assert code == 2 and "tpu" in data["text"]
