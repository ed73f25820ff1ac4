"""`desktop-app models …`: list, inspect, import (recognised, or described with flags), edit and remove models.

The flags of `models import` are the card's fields (docs/model-cards.md): `--size 320x320` is `[image] size`,
`--set detect.layout=rows` any other field. What import recognised is printed in one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop_app.core.errors import AppError, ModelCardError
from desktop_app.core.models.card import COLORS, LAYOUTS, RESIZE_MODES, TASKS, ModelCard
from desktop_app.core.models.card_edit import apply_settings, edit_card, parse_setting
from desktop_app.core.models.importer import import_model
from desktop_app.core.models.inspect import inspect_model
from desktop_app.core.models.registry import ModelRegistry

DTYPES = ("float32", "float16", "uint8", "int32", "int64")
#: `--scale` presets → the card's [image] mean and std (value = (pixel − mean) / std).
SCALES: dict[str, tuple[Any, Any]] = {
    "0-255": (0, 1),
    "0-1": (0, 255),
    "-1-1": (127.5, 127.5),
    "imagenet": ([123.675, 116.28, 103.53], [58.395, 57.12, 57.375]),
}


def emit(obj: Any, as_json: bool, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False) if as_json else text, flush=True)


def card_dict(card: ModelCard) -> dict[str, Any]:
    """A card as the JSON output shows it."""
    size = card.path.stat().st_size if card.path.is_file() else None
    return {"id": card.id, "name": card.name, "task": card.task, "bundled": card.bundled, "file": str(card.path),
            "size_bytes": size, "license": card.license, "sha256": card.sha256, "limitations": list(card.limitations),
            "recognised": card.recognised, "source": {k: v for k, v in vars(card.source).items() if v}}


def _size(text: str) -> list[int]:
    width, sep, height = text.lower().partition("x")
    try:
        size = [int(width), int(height)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 320x320, got {text!r}") from None
    if not sep or min(size) < 1:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 320x320, got {text!r}")
    return size


def _setting(text: str) -> tuple[str, str]:
    try:
        return parse_setting(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def overrides_from_flags(args: argparse.Namespace) -> tuple[dict[str, Any], list[Path]]:
    """The card fields the import flags give, and the files to copy beside the model (--labels)."""
    image: dict[str, Any] = {}
    for flag, key in (("size", "size"), ("layout", "layout"), ("dtype", "dtype"), ("color", "color"),
                      ("resize", "resize")):
        if getattr(args, flag) is not None:
            image[key] = getattr(args, flag)
    if args.scale is not None:
        image["mean"], image["std"] = SCALES[args.scale]
    overrides: dict[str, Any] = {"image": image} if image else {}
    if args.task is not None:
        overrides["task"] = args.task
    files: list[Path] = []
    if args.labels is not None:
        if not args.labels.is_file():
            raise ModelCardError(f"--labels {args.labels}: file not found")
        files.append(args.labels)
        overrides["labels_file"] = args.labels.name
    settings = dict(args.set or [])
    if settings:
        overrides = apply_settings(overrides, settings)
    return overrides, files


def cmd_models(args: argparse.Namespace) -> int:
    registry = ModelRegistry.default()
    if args.action == "list":
        for card in registry.list():
            d = card_dict(card)
            size = f"{d['size_bytes'] / 1e6:.1f} MB" if d["size_bytes"] else "missing"
            kind = "bundled" if card.bundled else "user"
            emit(d, args.json, f"{card.id:<20} {card.task:<13} {size:>9}  {card.license:<12} {kind}  {card.name}")
        for problem in registry.problems():
            print(f"warning: {problem}", file=sys.stderr)
        return 0
    if args.action == "edit":
        card = edit_card(registry, args.model, dict(args.set))
        keys = ", ".join(key for key, _ in args.set)
        emit({"ok": True, **card_dict(card)}, args.json, f"{card.id}: card updated ({keys})")
        return 0
    if args.action == "import":
        overrides, files = overrides_from_flags(args)  # a bad flag fails once, before any import
    failed = 0
    for target in args.targets:
        try:
            if args.action == "import":
                data, text = _import(registry, args, target, overrides, files)
            else:
                data, text = _model_action(registry, args, target)
            data = {"target": target, "ok": True, "error": None, **data}
        except AppError as exc:
            failed += 1
            data, text = {"target": target, "ok": False, "error": str(exc)}, f"{target}: FAILED: {exc}"
        emit(data, args.json, text)
    return 1 if failed else 0


def _import(registry: ModelRegistry, args: argparse.Namespace, target: str, overrides: dict[str, Any],
            files: list[Path]) -> tuple[dict[str, Any], str]:
    done = import_model(registry, Path(target), model_id=args.id, card_overrides=overrides, extra_files=files,
                        recognise=True)
    card = done.card
    return ({**card_dict(card), "recognised": done.summary},
            f"{target}: imported as {card.id} ({card.task}) into {card.folder}\n  {done.summary}")


def _model_action(registry: ModelRegistry, args: argparse.Namespace, target: str) -> tuple[dict[str, Any], str]:
    """inspect / remove one model; raises AppError for this item only."""
    if args.action == "inspect":
        found = registry.find(target)
        path = found.path if isinstance(found, ModelCard) else found
        data = inspect_model(path).to_dict()
        if isinstance(found, ModelCard):
            data["card"] = card_dict(found)
        return data, json.dumps(data, indent=2, ensure_ascii=False, default=str)
    registry.remove(target)
    return {"removed": target}, f"removed {target}"


def add_models_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """The `models` command and its actions."""
    models = sub.add_parser("models", help="list, inspect, import, edit or remove models")
    actions = models.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", parents=[common], help="every model, bundled then yours")
    p = actions.add_parser("inspect", parents=[common], help="what an ONNX file or a model declares")
    p.add_argument("targets", nargs="+", help="model ids or .onnx paths")
    p = actions.add_parser("remove", parents=[common], help="delete imported models")
    p.add_argument("targets", nargs="+", help="model ids")
    _add_import(actions, common)
    p = actions.add_parser("edit", parents=[common], help="change fields of an imported model's card",
                           epilog="Values are TOML: numbers, \"strings\", [lists], true/false; bare words are "
                                  "strings; key= (empty) removes the field. Example: --set thresholds.score=0.5")
    p.add_argument("model", help="model id")
    p.add_argument("--set", type=_setting, action="append", required=True, metavar="KEY=VALUE",
                   help="a card field, dotted: image.size=[320,320], detect.layout=rows (repeatable)")
    models.set_defaults(func=cmd_models)


def _add_import(actions: Any, common: argparse.ArgumentParser) -> None:
    p = actions.add_parser(
        "import", parents=[common], help="import .onnx files or Optimum folders (recognised, or described by flags)",
        epilog="Flags override what import recognises; see docs/model-cards.md. Write --scale=-1-1 with '='.")
    p.add_argument("targets", nargs="+", help=".onnx files, or folders holding one (config.json, tokenizer.json…)")
    p.add_argument("--id", help="id for the imported model (one path only)")
    p.add_argument("--task", choices=TASKS, help="what the model does (default: recognised, else raw)")
    p.add_argument("--size", type=_size, metavar="WxH", help="input width x height, e.g. 320x320")
    p.add_argument("--layout", choices=LAYOUTS, help="NCHW (channels first) or NHWC (channels last)")
    p.add_argument("--dtype", choices=DTYPES, help="the image input's element type")
    p.add_argument("--color", choices=COLORS, help="channel order")
    p.add_argument("--scale", choices=tuple(SCALES), help="value range the model expects (sets mean and std)")
    p.add_argument("--resize", choices=RESIZE_MODES, help="how a picture is fitted to the size")
    p.add_argument("--labels", type=Path, metavar="FILE", help="class names, one per line, copied beside the model")
    p.add_argument("--set", type=_setting, action="append", metavar="KEY=VALUE",
                   help="any other card field, dotted: detect.layout=rows (repeatable)")
