"""Plain-text and HTML renderings of ModelInfo and ModelCard for the inspector (no widgets here)."""

from __future__ import annotations

import json
from html import escape

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.inspect import ModelInfo, TensorInfo
from desktop_app.core.services import MODEL_FOR_KIND, AppServices

KIND_LABELS = {"image": "images", "detect": "face detection", "audio": "audio", "table": "tables", "text": "texts"}


def model_choices(services: AppServices) -> dict[str, tuple[str, str]]:
    """"Images: Name (id)" -> (kind, id) for every model that fits an input kind; the model that dropped
    images go to now comes first, then the other models of that kind, then the other kinds."""
    image_kind = "detect" if services.settings.image_task == "detect-faces" else "image"
    kinds = [image_kind, *(k for k in MODEL_FOR_KIND if k != image_kind)]
    current = services.model_for(image_kind)
    pairs = [(kind, card) for kind in kinds for card in services.models_for(kind)]
    pairs.sort(key=lambda pair: pair[0] != image_kind or pair[1].id != current)  # stable: only moves current
    return {f"{KIND_LABELS[kind].capitalize()}: {card.name} ({card.id})": (kind, card.id) for kind, card in pairs}


def format_shape(tensor: TensorInfo) -> str:
    """[batch, 3, height, width]; unnamed unknown dims are '?', an undeclared rank is 'unknown rank'."""
    if not tensor.rank_known:
        return "unknown rank"
    return "[" + ", ".join("?" if d is None else str(d) for d in tensor.shape) + "]"


def format_opsets(opsets: dict[str, int]) -> str:
    return ", ".join(f"{domain or 'ai.onnx'} {version}" for domain, version in sorted(opsets.items())) or "—"


def format_bytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:,.2f} MB ({size:,} bytes)"
    return f"{size:,} bytes"


def signature_json(info: ModelInfo) -> str:
    """The model's calling convention as pretty JSON (what "Copy signature" puts on the clipboard)."""
    return json.dumps(info.signature(), indent=2, ensure_ascii=False)


def info_facts(info: ModelInfo) -> list[tuple[str, str]]:
    """(label, value) pairs for the inspector's form, in reading order."""
    producer = " ".join(p for p in (info.producer, info.producer_version) if p) or "—"
    metadata = "\n".join(f"{k} = {v}" for k, v in sorted(info.metadata.items())) or "—"
    external = "\n".join(p.as_posix() for p in info.external_data) or "none"
    facts = [
        ("Opsets", format_opsets(info.opsets)),
        ("Producer", producer),
        ("IR version", str(info.ir_version)),
        ("Parameters", f"{info.parameter_count:,}"),
        ("File size", format_bytes(info.file_size)),
        ("SHA-256", info.sha256),
        ("External data", external),
        ("Metadata", metadata),
    ]
    if info.custom_domains:
        facts.insert(1, ("Custom domains", ", ".join(info.custom_domains)))
    return facts


def _paragraphs(text: str) -> str:
    """Reflow hard-wrapped card text: blank lines split paragraphs, indented lines keep their own line."""
    out = []
    for block in text.strip().split("\n\n"):
        html = ""
        for line in block.splitlines():
            if not html:
                html = escape(line.strip())
            elif line[:1].isspace():
                html += "<br>&nbsp;&nbsp;" + escape(line.strip())
            else:
                html += " " + escape(line.strip())
        out.append(f"<p>{html}</p>")
    return "".join(out)


def card_html(card: ModelCard) -> str:
    """The model card as simple HTML: license, source, limitations and thresholds first, then the description."""
    parts = [f"<h3>{escape(card.name)}</h3>",
             f"<p><b>id</b> {escape(card.id)} · <b>task</b> {escape(card.task)} · "
             f"<b>version</b> {escape(card.version)} · {'bundled' if card.bundled else 'user model'}</p>"]
    license_text = escape(card.license)
    if card.license_file:
        license_text += f" (see {escape(card.license_file)})"
    parts.append(f"<p><b>License:</b> {license_text}</p>")
    src = card.source
    if src.package or src.file or src.url:
        pieces = [f"{escape(src.package)} {escape(src.version)}".strip()]
        if src.file:
            pieces.append(f"file {escape(src.file)}")
        if src.converter:
            pieces.append(f"converted by {escape(src.converter)}")
        parts.append(f"<p><b>Source:</b> {', '.join(p for p in pieces if p)}</p>")
        if src.url:
            parts.append(f"<p><b>URL:</b> {escape(src.url)}</p>")
        if src.upstream:
            parts.append(f"<p><b>Network by:</b> {escape(src.upstream)}</p>")
    if card.limitations:
        items = "".join(f"<li>{escape(item)}</li>" for item in card.limitations)
        parts.append(f"<p><b>Known limitations</b></p><ul>{items}</ul>")
    if card.thresholds:
        items = "".join(f"<li>{escape(k)} = {v:g}</li>" for k, v in sorted(card.thresholds.items()))
        parts.append(f"<p><b>Thresholds</b></p><ul>{items}</ul>")
    if card.second_stage:
        parts.append(f"<p><b>Second stage:</b> {escape(card.second_stage)} runs on each detection</p>")
    if card.description.strip():
        parts.append("<p><b>Description</b></p>" + _paragraphs(card.description))
    return "\n".join(parts)
