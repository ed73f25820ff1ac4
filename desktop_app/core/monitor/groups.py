"""Where group values come from, each tagged with its provenance.

In the order the panel prefers them: (a) a CSV column or a sidecar `labels.csv` next to dropped
files, (b) a tag the user declares for the session, (c) observable, non-protected slices the app
computes from the decoded input (brightness, resolution, loudness, input device) or from what the model
found in it (people in frame: person boxes of an object detector, posed people, faces found; see
`events.with_people_in_frame`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from desktop_app.core.errors import MediaError
from desktop_app.core.media.table import Table, read_csv
from desktop_app.core.monitor.events import GroupValue

SIDECAR_NAME = "labels.csv"

# Band edges (documented so the panel can show them next to the group names).
DARK_BELOW, BRIGHT_ABOVE = 70.0, 185.0  # mean luma, 0..255 (Rec. 601 weights)
LOW_RES_BELOW, HIGH_RES_FROM = 480, 1080  # shorter side in pixels
QUIET_BELOW_DBFS, LOUD_ABOVE_DBFS = -40.0, -12.0  # RMS level, dB relative to full scale
PEOPLE_IN_FRAME = "people in frame"  # 0 / 1 / 2 / 3+ people a picture shows (see `people_band`)


def groups_from_row(table: Table, row: int, attributes: Sequence[str]) -> tuple[GroupValue, ...]:
    """Group values of one CSV row (0-based) for the named columns (provenance csv-column)."""
    index = [table.columns.index(a) if a in table.columns else -1 for a in attributes]
    missing = [a for a, i in zip(attributes, index, strict=True) if i < 0]
    if missing:
        table.column(missing[0])  # raises MediaError naming the file and its columns
    cells = table.rows[row]
    return tuple(GroupValue(a, cells[i], "csv-column") for a, i in zip(attributes, index, strict=True))


@dataclass(frozen=True)
class SidecarEntry:
    """One line of a labels.csv: the true label (None if blank) and the group values of one file."""

    label: str | None
    groups: tuple[GroupValue, ...]


def parse_sidecar(table: Table) -> dict[str, SidecarEntry]:
    """labels.csv (`file,label,<group columns>...`) -> {file name: entry}; MediaError if malformed."""
    columns = [c.strip().lower() for c in table.columns]
    if len(columns) < 1 or columns[0] != "file":
        raise MediaError(f"{table.source}: a labels file starts with the columns file,label[,group...]")
    has_label = len(columns) > 1 and columns[1] == "label"
    first_group = 2 if has_label else 1
    names = table.columns[first_group:]
    out: dict[str, SidecarEntry] = {}
    for line, cells in enumerate(table.rows, start=2):
        name = cells[0]
        if not name:
            raise MediaError(f"{table.source}: line {line} has no file name")
        if name in out:
            raise MediaError(f"{table.source}: {name!r} is listed twice (line {line})")
        label = (cells[1] or None) if has_label else None
        groups = tuple(GroupValue(a, v, "sidecar") for a, v in zip(names, cells[first_group:], strict=True) if v)
        out[name] = SidecarEntry(label, groups)
    return out


def read_sidecar(path: Path) -> dict[str, SidecarEntry]:
    """Read and parse a labels.csv file."""
    return parse_sidecar(read_csv(path))


def sidecar_for(path: Path) -> Path | None:
    """The labels.csv in the same folder as a dropped file, if there is one."""
    candidate = Path(path).parent / SIDECAR_NAME
    return candidate if candidate.is_file() else None


def lookup_sidecar(entries: dict[str, SidecarEntry], path: Path) -> SidecarEntry | None:
    """The entry of a file: by file name, or by the path relative to the labels.csv's folder."""
    p = Path(path)
    return entries.get(p.name) or entries.get(p.as_posix())


def session_tag(attribute: str, value: str) -> GroupValue:
    """A group the user declares for the whole session ("this recording session is group B")."""
    if not attribute.strip() or not value.strip():
        raise ValueError("a session tag needs an attribute and a value")
    return GroupValue(attribute.strip(), value.strip(), "session-tag")


def brightness_band(image: np.ndarray) -> GroupValue:
    """dark / normal / bright from the mean luma of an HxW (gray) or HxWx3 (RGB) uint8 image."""
    a = np.asarray(image)
    if not a.size:
        mean = 0.0
    elif a.ndim == 2 or a.shape[-1] < 3:
        mean = float(a.mean(dtype=np.float64))
    else:  # luma is linear in R, G, B: weight the channel means (cv2.mean: no float copy of a live frame)
        channels = a[..., :3]
        if channels.dtype == np.uint8 and channels.shape[-1] == 3:
            r, g, b = cv2.mean(np.ascontiguousarray(channels))[:3]
        else:
            r, g, b = (float(m) for m in channels.mean(axis=(0, 1), dtype=np.float64))
        mean = r * 0.299 + g * 0.587 + b * 0.114
    band = "dark" if mean < DARK_BELOW else "bright" if mean > BRIGHT_ABOVE else "normal"
    return GroupValue("brightness", band, "computed")


def resolution_band(width: int, height: int) -> GroupValue:
    """low / medium / high from the shorter side of the input image or frame."""
    short = min(width, height)
    band = "low" if short < LOW_RES_BELOW else "high" if short >= HIGH_RES_FROM else "medium"
    return GroupValue("resolution", band, "computed")


def loudness_band(samples: np.ndarray) -> GroupValue:
    """quiet / normal / loud from the RMS level (dBFS) of float samples in [-1, 1]."""
    x = np.asarray(samples, dtype=np.float64)
    rms = float(np.sqrt(np.mean(x * x))) if x.size else 0.0
    dbfs = 20 * np.log10(rms) if rms > 0 else -np.inf
    band = "quiet" if dbfs < QUIET_BELOW_DBFS else "loud" if dbfs > LOUD_ABOVE_DBFS else "normal"
    return GroupValue("loudness", band, "computed")


def people_band(count: int) -> GroupValue:
    """How many people a picture or live frame shows, as a computed group: "0", "1", "2" or "3+" (a negative
    count is a bug of the caller)."""
    if count < 0:
        raise ValueError(f"a people count cannot be negative ({count})")
    return GroupValue(PEOPLE_IN_FRAME, str(count) if count < 3 else "3+", "computed")


def device_group(name: str) -> GroupValue:
    """The input device (camera or microphone name) as a group."""
    return GroupValue("device", name.strip() or "unknown", "computed")


def merge_groups(*sources: Iterable[GroupValue]) -> tuple[GroupValue, ...]:
    """Groups from several sources, earlier sources winning per attribute (the preference order)."""
    seen: dict[str, GroupValue] = {}
    for source in sources:
        for g in source:
            seen.setdefault(g.attribute, g)
    return tuple(seen.values())
