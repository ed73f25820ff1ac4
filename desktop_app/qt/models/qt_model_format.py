"""Plain-text and HTML renderings of ModelInfo and ModelCard for the inspector (no widgets here)."""

from __future__ import annotations

import json
from html import escape

from desktop_app.core.models.card import ModelCard
from desktop_app.core.models.inspect import ModelInfo, TensorInfo


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


def card_html(card: ModelCard) -> str:
    """The model card as simple HTML: description, license, source, limitations, thresholds."""
    parts = [f"<h3>{escape(card.name)}</h3>",
             f"<p><b>id</b> {escape(card.id)} · <b>task</b> {escape(card.task)} · "
             f"<b>version</b> {escape(card.version)} · {'bundled' if card.bundled else 'user model'}</p>"]
    if card.description.strip():
        parts.append(f"<p style='white-space: pre-wrap'>{escape(card.description.strip())}</p>")
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
    if card.limitations:
        items = "".join(f"<li>{escape(item)}</li>" for item in card.limitations)
        parts.append(f"<p><b>Known limitations</b></p><ul>{items}</ul>")
    if card.thresholds:
        items = "".join(f"<li>{escape(k)} = {v:g}</li>" for k, v in sorted(card.thresholds.items()))
        parts.append(f"<p><b>Thresholds</b></p><ul>{items}</ul>")
    if card.second_stage:
        parts.append(f"<p><b>Second stage:</b> {escape(card.second_stage)} runs on each detection</p>")
    return "\n".join(parts)
