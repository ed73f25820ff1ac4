"""Command line over the same core the GUI uses (no Qt import).

Exit status: 0 when every item succeeded, 1 when some failed (the others still processed and printed),
2 for usage errors. With --json, one JSON object per line, one per input item.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from desktop_app import __version__
from desktop_app.cli_models import add_models_parser, card_dict
from desktop_app.core.batch import BatchJob
from desktop_app.core.batch_engine import BatchEngine
from desktop_app.core.errors import AppError
from desktop_app.core.logs import setup_logging
from desktop_app.core.models.registry import ModelRegistry
from desktop_app.core.paths import UserDirs
from desktop_app.core.pipeline import Pipeline
from desktop_app.core.runtime import health
from desktop_app.core.runtime import providers as prov
from desktop_app.core.runtime.ort_output import preload_gpu_libraries, quiet_default_logger
from desktop_app.core.runtime.session import SessionPool
from desktop_app.core.serialize import result_summary, result_to_dict
from desktop_app.core.tasks.image_prep import one_opencv_thread

DEFAULT_BY_KIND = {"image": "efficientnet-lite0", "table": "adult-income"}
TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}


def _emit(obj: Any, as_json: bool, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False) if as_json else text, flush=True)


def _registry(args: argparse.Namespace) -> ModelRegistry:
    return ModelRegistry.default()


def _pipeline(args: argparse.Namespace) -> Pipeline:
    return Pipeline(_registry(args), SessionPool(args.provider))


def run_items(args: argparse.Namespace, pipeline: Pipeline, items: list[tuple[Path, str]], **options: Any) -> int:
    """Run files through the batch engine (decode-ahead, batching per --batch-size), printing each
    Result in input order as it comes; 1 when any failed."""
    jobs = [BatchJob(i, Path(path), None, model_id, options) for i, (path, model_id) in enumerate(items)]
    engine = BatchEngine(pipeline, batch_size=getattr(args, "batch_size", 0) or None)
    failed = 0
    with closing(engine.run(jobs)) as outputs:
        for output in outputs:
            for result in output.results:
                failed += not result.ok
                _emit(result_to_dict(result), args.json, result_summary(result))
    return 1 if failed else 0


#: Which model tasks each run command takes (a model of another task is refused, naming its command).
RUN_TASKS: dict[str, tuple[str, ...]] = {
    "classify": ("classify", "emotion", "tabular", "text-classify"),
    "detect": ("detect", "detect-faces", "detect-yolo", "detect-ssd"),
    "segment": ("segment",),
    "pose": ("pose",),
    "vad": ("vad",),
}


def _check_models(pipeline: Pipeline, command: str, model_ids: set[str]) -> None:
    """Each model exists with a sound card (else its own card error) and does what `command` runs."""
    for model_id in sorted(model_ids):
        card = pipeline.registry.get(model_id)
        if card.task not in RUN_TASKS[command]:
            other = next((cmd for cmd, tasks in RUN_TASKS.items() if card.task in tasks), "raw")
            raise AppError(f"model '{model_id}' is a {card.task} model, not one `{command}` runs; "
                           f"use `desktop-app {other}`" + (f" {model_id}" if other == "raw" else f" --model {model_id}"))


def cmd_classify(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    items = []
    for path in args.paths:
        model = args.model or DEFAULT_BY_KIND["table" if path.suffix.lower() in TABLE_SUFFIXES else "image"]
        items.append((path, model))
    _check_models(pipeline, "classify", {model for _, model in items})
    return run_items(args, pipeline, items, top_k=args.top_k)


def cmd_detect(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    _check_models(pipeline, args.command, {args.model})
    options: dict[str, Any] = {"score_threshold": args.threshold}
    if getattr(args, "emotion", False):
        options["emotion"] = True
    return run_items(args, pipeline, [(p, args.model) for p in args.paths], **options)


def cmd_vad(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    _check_models(pipeline, "vad", {args.model})
    return run_items(args, pipeline, [(p, args.model) for p in args.paths])


def cmd_raw(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    if args.paths:
        return run_items(args, pipeline, [(p, args.model) for p in args.paths])
    result = pipeline.run_data(None, args.model, "random input", seed=args.seed)
    _emit(result_to_dict(result), args.json, result_summary(result))
    return 0 if result.ok else 1


def cmd_providers(args: argparse.Namespace) -> int:
    results = health.check_all()
    chosen, why = health.choose(results)
    data = {"onnxruntime": prov.ort_distribution(), "available": prov.available_providers(),
            "preference": [prov.short_name(p) for p in prov.preference_chain()],
            "providers": [h.to_dict() for h in results], "chosen": prov.short_name(chosen), "why": why}
    lines = [f"ONNX Runtime package: {data['onnxruntime']}"]
    for h in results:
        verdict = "healthy" if h.healthy else ("unhealthy" if h.available else "not available")
        lines.append(f"  {h.short:<9} {verdict:<14} {h.detail}")
    lines.append(f"chosen: {data['chosen']} - {why}")
    _emit(data, args.json, "\n".join(lines))
    return 0


def cmd_self_test(args: argparse.Namespace) -> int:
    from desktop_app.core.selftest import run_checks

    failed = 0
    for check in run_checks(_pipeline(args)):
        failed += not check.ok
        _emit({"check": check.name, "ok": check.ok, "detail": check.detail}, args.json, check.line())
    summary = "self-test passed" if not failed else f"self-test FAILED: {failed} check(s)"
    if not args.json:
        print(summary, flush=True)
    return 1 if failed else 0


def cmd_diagnostics(args: argparse.Namespace) -> int:
    from desktop_app.core.diagnostics import system_info, system_info_text

    info = system_info()
    _emit(info, args.json, system_info_text(info))
    return 0


def cmd_fairness(args: argparse.Namespace) -> int:
    from desktop_app.core.monitor.report import format_text, run_csv

    run = run_csv(_pipeline(args), args.csv, args.model, args.group, label_column=args.label,
                  positive=args.positive, min_n=args.min_n, low_confidence=args.low_confidence)
    for problem in run.failed:
        print(f"warning: {problem}", file=sys.stderr)
    report = run.engine.report()
    print(json.dumps(report, ensure_ascii=False) if args.json else format_text(report), flush=True)
    return 1 if run.failed else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from desktop_app.core.runtime.bench import BenchSettings, bench_path, parse_providers, run_bench

    try:
        settings = BenchSettings(runs=args.runs, seconds=args.seconds, warmup=args.warmup, batches=tuple(args.batch))
        providers = parse_providers(args.providers)
    except ValueError as exc:
        _emit({"ok": False, "error": str(exc)}, args.json, f"error: {exc}")
        return 2
    registry = _registry(args)
    card = registry.get(args.model)
    registry.verify(card)
    result = run_bench(card, settings, providers=providers,
                       save_to=None if args.no_save else bench_path(card, UserDirs.default()))
    _emit(result.to_dict(), args.json, "\n".join(result.lines()))
    return 0


def cmd_quantize(args: argparse.Namespace) -> int:
    from desktop_app.core.models.quantize import make_int8_copy

    report = make_int8_copy(_registry(args), args.model, args.calibration, mode=args.mode, copy_id=args.id,
                            latency_runs=args.runs)
    _emit(report.to_dict(), args.json, "\n".join(report.lines()))
    return 0


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("batch sizes must be at least 1")
    return values


def _catalog_progress(progress: Any) -> None:
    """Download progress on stderr, one rewritten line."""
    print(f"\r{progress.done / 1e6:8.1f} / {progress.total / 1e6:.1f} MB  {progress.rate / 1e6:6.2f} MB/s",
          end="", file=sys.stderr, flush=True)


def cmd_catalog(args: argparse.Namespace) -> int:
    """catalog list / download ID / match PATH. Only `download` touches the network."""
    from desktop_app.core.models import catalog as cat

    catalog = cat.Catalog.default()
    if args.action == "list":
        for e in catalog.entries:
            data = {"id": e.id, "name": e.name, "task": e.task, "size_bytes": e.size, "license": e.license,
                    "sha256": e.sha256, "urls": list(e.urls), "hash_source": vars(e.hash_source)}
            _emit(data, args.json, f"{e.id:<18} {e.task:<12} {e.size / 1e6:8.1f} MB  {e.license:<13} {e.name}")
        return 0
    if len(args.targets) != 1:
        raise AppError(f"catalog {args.action} takes exactly one {'ID' if args.action == 'download' else 'PATH'}")
    registry = _registry(args)
    if args.action == "download":
        from desktop_app.core.models.download import download_entry

        try:
            card = download_entry(catalog.get(args.targets[0]), registry, mirror=args.mirror,
                                  progress=_catalog_progress)
        finally:
            print(file=sys.stderr)
    else:
        card = cat.import_matched(registry, catalog, Path(args.targets[0]))
    _emit({"ok": True, **card_dict(card)}, args.json, f"{card.id}: installed ({card.task}) in {card.folder}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="desktop-app", description="Offline ONNX inference workbench.")
    parser.add_argument("--version", action="version", version=f"desktop-app {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="one JSON object per line")
    common.add_argument("--provider", choices=prov.CHOICES, default="auto", help="execution provider (default auto)")
    runs = argparse.ArgumentParser(add_help=False, parents=[common])
    runs.add_argument("--batch-size", type=int, default=0, metavar="N",
                      help="inputs per model run where the model allows it: 0 = measured (default), 1 = one at a time")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("classify", parents=[runs],
                       help="classify images, .txt texts (with a text model) or CSV rows (with a tabular model)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--model", help="model id (default: efficientnet-lite0 for images, adult-income for CSV)")
    p.add_argument("--top-k", type=int, default=5)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("detect", parents=[runs], help="detect objects or faces (faces: optionally with expressions)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--model", default="centerface", help="any detect model id (default centerface, faces)")
    p.add_argument("--emotion", action="store_true", help="faces: run the expression model on each face")
    p.add_argument("--threshold", type=float, default=None, help="score threshold (default from the model card)")
    p.set_defaults(func=cmd_detect)

    for name, what in (("segment", "masks of each object, or a class for every pixel"),
                       ("pose", "people (or objects) with keypoints")):
        p = sub.add_parser(name, parents=[runs], help=f"{what}, with a {name} model")
        p.add_argument("paths", nargs="+", type=Path)
        p.add_argument("--model", required=True, help=f"a {name} model id")
        p.add_argument("--threshold", type=float, default=None, help="score threshold (default from the model card)")
        p.set_defaults(func=cmd_detect)

    p = sub.add_parser("vad", parents=[runs], help="find speech in audio files")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--model", default="silero-vad")
    p.set_defaults(func=cmd_vad)

    p = sub.add_parser("raw", parents=[runs], help="run any model on .npy tensors or a random input")
    p.add_argument("model")
    p.add_argument("paths", nargs="*", type=Path)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_raw)

    add_models_parser(sub, common)

    p = sub.add_parser("providers", parents=[common], help="which execution providers work here, and why")
    p.set_defaults(func=cmd_providers)

    p = sub.add_parser("self-test", parents=[common], help="check every provider and bundled model")
    p.set_defaults(func=cmd_self_test)

    p = sub.add_parser("fairness", parents=[common], help="confidence, calibration and per-group rates of a CSV")
    p.add_argument("csv", type=Path)
    p.add_argument("--model", default=DEFAULT_BY_KIND["table"], help="tabular model id (default adult-income)")
    p.add_argument("--group", action="append", required=True, help="CSV column naming a group (repeatable)")
    p.add_argument("--label", help="CSV column with the true label (default: the model card's label column)")
    p.add_argument("--positive", help="the positive class (default: the model card's)")
    p.add_argument("--min-n", type=int, default=30, help="numbers below this n are marked unreliable")
    p.add_argument("--low-confidence", type=float, default=0.6, help="top-1 score counted as low confidence")
    p.set_defaults(func=cmd_fairness)

    p = sub.add_parser("bench", help="latency and throughput of a model on every healthy provider")
    p.add_argument("model", help="model id")
    p.add_argument("--providers", help="comma-separated: cpu,cuda,directml (default: every healthy provider)")
    p.add_argument("--runs", type=int, default=50, help="timed runs per provider and batch size (default 50)")
    p.add_argument("--seconds", type=float, default=10.0, help="or stop after this long (default 10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    p.add_argument("--batch", type=_int_list, default=[1, 4], help="batch sizes, e.g. 1,4 (default 1,4)")
    p.add_argument("--no-save", action="store_true", help="do not write the JSON result")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("quantize", help="make an int8 copy of a model as a new user model, with a report")
    p.add_argument("model", help="model id")
    p.add_argument("--calibration", type=Path, help="folder of your own inputs (images) for calibration and checks")
    p.add_argument("--mode", choices=["auto", "static", "dynamic"], default="auto",
                   help="static (CNNs, needs --calibration), dynamic (MatMul-heavy) or auto by op census")
    p.add_argument("--id", help="id of the new model (default MODEL-int8)")
    p.add_argument("--runs", type=int, default=30, help="timed runs of each model for the latency ratio")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=cmd_quantize)

    p = sub.add_parser("catalog", parents=[common], help="public models: list, download (verified), match a file")
    p.add_argument("action", choices=["list", "download", "match"])
    p.add_argument("targets", nargs="*", help="a catalog id (download) or a downloaded file (match)")
    p.add_argument("--mirror", type=int, default=None, help="use only this mirror (0 = first URL)")
    p.set_defaults(func=cmd_catalog)

    p = sub.add_parser("diagnostics", parents=[common], help="versions, providers and audio devices")
    p.set_defaults(func=cmd_diagnostics)
    return parser


def start_onnxruntime_logging() -> None:
    """The console shows warnings and errors only; ONNX Runtime's own lines (captured, INFO) go to the log file
    only; its default logger is quieted and PyPI's CUDA libraries are preloaded before any session exists."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            handler.setLevel(logging.WARNING)
    with contextlib.suppress(OSError):  # a read-only home: the command still runs, without a log file
        setup_logging(UserDirs.default())
    quiet_default_logger()
    preload_gpu_libraries()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the command line; returns the exit status."""
    one_opencv_thread()  # process-wide, so here at the entry point and nowhere else
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    start_onnxruntime_logging()
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--self-test":
        argv[0] = "self-test"
    args = parser.parse_args(argv)
    if args.command == "models" and getattr(args, "id", None) and len(args.targets) != 1:
        parser.error("--id names one imported model; give one path with it")
    try:
        return int(args.func(args))
    except AppError as exc:
        _emit({"ok": False, "error": str(exc)}, getattr(args, "json", False), f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
