"""Shootings on a plain map, drawn as SVG on the server: the case map without JavaScript and the
agenda packet's cover (WeasyPrint runs no script and a packet fetches nothing, so no tiles).

A marker per shooting with a shape and a colour for its kind, so the map reads in black and
white; markers that would overlap (the same cell of a grid) are drawn as one numbered circle.
Hand-written like the cover's chart, every piece of text through `escape`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Shooting
from .points import KINDS, counted
from .projection import Bounds, Frame, nice_step

WIDTH = 640
MAP_HEIGHT = 400
LEGEND_HEIGHT = 46
MARGIN = 22
# Markers closer than this (picture units) share a cell and are drawn as one numbered circle.
CELL = 26
BACKGROUND = "#f3f1ec"
GRID = "#cfd3d8"
INK = "#1b1f24"
MUTED = "#57606a"
FONT = "DejaVu Sans, Verdana, sans-serif"

# Shape and colour per kind: never colour alone.
STYLE = {
    Shooting.Kind.HOMICIDE: ("square", "#a40e26"),
    Shooting.Kind.NONFATAL: ("circle", "#1f5fa8"),
    Shooting.Kind.SHOTS_FIRED: ("triangle", "#8a4b00"),
}
CLUSTER_FILL = "#32383f"
# The legend's words, short enough for the three kinds and the clusters to fit on one line.
SHORT_LABELS = {
    Shooting.Kind.HOMICIDE: "Homicide",
    Shooting.Kind.NONFATAL: "Non-fatal shooting",
    Shooting.Kind.SHOTS_FIRED: "Shots fired",
}


@dataclass(frozen=True)
class Marker:
    lat: float
    lon: float
    kind: str
    title: str = ""  # the marker's tooltip; the packet's carry only the kind


def shape(kind: str, x: float, y: float, *, size: float = 6.5) -> str:
    form, colour = STYLE.get(kind, ("circle", MUTED))
    common = f'class="marker marker-{escape(kind)}" stroke="#ffffff" stroke-width="1.5"'
    if form == "square":
        side = size * 1.7
        corner = f'x="{x - side / 2:.1f}" y="{y - side / 2:.1f}"'
        return f'<rect {common} {corner} width="{side:.1f}" height="{side:.1f}" fill="{colour}"/>'
    if form == "triangle":
        r = size * 1.25
        points = " ".join(
            f"{x + r * math.cos(math.radians(a)):.1f},{y + r * math.sin(math.radians(a)):.1f}" for a in (-90, 30, 150)
        )
        # Hollow with a thick outline: shots fired hurt nobody, and it tells the kinds apart in print.
        return (
            f'<polygon class="marker marker-{escape(kind)}" points="{points}"'
            f' fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'
        )
    return f'<circle {common} cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def _degrees(value: float, positive: str, negative: str, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{abs(value):.{decimals}f}°{positive if value >= 0 else negative}"


def _grid(frame: Frame) -> list[str]:
    """Lines of latitude and longitude at round values, labelled at the edges: with no streets
    drawn, they are what lets a reader tell where the points are."""
    seen = frame.visible()
    parts = []
    lat_step = nice_step(seen.north - seen.south, at_most=5)
    lat = math.ceil(seen.south / lat_step) * lat_step
    while lat <= seen.north:
        _, y = frame.project(lat, seen.west)
        if 12 < y < frame.height - 4:
            parts.append(
                f'<line x1="0" y1="{y:.1f}" x2="{frame.width}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
            )
            parts.append(
                _text(4, y - 3, _degrees(lat, "N", "S", lat_step), fill=MUTED, font_size="9", class_="grid-label")
            )
        lat += lat_step
    lon_step = nice_step(seen.east - seen.west, at_most=6)
    lon = math.ceil(seen.west / lon_step) * lon_step
    while lon <= seen.east:
        x, _ = frame.project(seen.north, lon)
        if 40 < x < frame.width - 40:
            parts.append(
                f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{frame.height}" stroke="{GRID}" stroke-width="1"/>'
            )
            parts.append(
                _text(
                    x + 3,
                    frame.height - 4,
                    _degrees(lon, "E", "W", lon_step),
                    fill=MUTED,
                    font_size="9",
                    class_="grid-label",
                )
            )
        lon += lon_step
    return parts


def _scale_bar(frame: Frame) -> list[str]:
    metres = nice_step(frame.metres_per_unit() * 120, at_most=1)
    length = metres / frame.metres_per_unit()
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    x, y = frame.width - 16 - length, frame.height - 16
    return [
        f'<rect x="{x - 6:.1f}" y="{y - 16:.1f}" width="{length + 12:.1f}" height="24"'
        f' fill="{BACKGROUND}" opacity="0.85"/>',
        f'<path d="M{x:.1f},{y - 4:.1f} V{y:.1f} H{x + length:.1f} V{y - 4:.1f}"'
        f' fill="none" stroke="{INK}" stroke-width="1.5"/>',
        _text(x + length / 2, y - 6, label, text_anchor="middle", fill=INK, font_size="10", class_="scale"),
    ]


def _north_arrow(frame: Frame) -> list[str]:
    x, y = frame.width - 22, 14
    return [
        f'<path d="M{x},{y} l6,16 l-6,-4 l-6,4 z" fill="{INK}"/>',
        _text(x, y + 28, "N", text_anchor="middle", fill=INK, font_size="10", font_weight="bold"),
    ]


def clusters(
    frame: Frame, markers: Sequence[Marker]
) -> tuple[list[tuple[float, float, Marker]], list[tuple[float, float, list[Marker]]]]:
    """Markers alone in their cell of the grid, at their place, and the others as (centre of
    their points, the markers) groups."""
    cells: dict[tuple[int, int], list[tuple[float, float, Marker]]] = defaultdict(list)
    for marker in markers:
        x, y = frame.project(marker.lat, marker.lon)
        cells[(int(x // CELL), int(y // CELL))].append((x, y, marker))
    single, grouped = [], []
    for _cell, found in sorted(cells.items()):
        if len(found) == 1:
            single.append(found[0])
        else:
            cx = sum(x for x, _y, _m in found) / len(found)
            cy = sum(y for _x, y, _m in found) / len(found)
            grouped.append((cx, cy, [m for _x, _y, m in found]))
    return single, grouped


def map_svg(markers: Sequence[Marker], *, title: str, id_prefix: str = "case-map", note: str = "") -> SafeString:
    """The markers on a plain background fitted to them, with a latitude/longitude grid, a scale
    bar, a north arrow and a legend of the kinds (with their counts), titled for screen readers."""
    ident = escape(id_prefix)
    counts = Counter(marker.kind for marker in markers)
    height = MAP_HEIGHT + LEGEND_HEIGHT
    described = f"{len(markers)} shooting{'s' if len(markers) != 1 else ''} on the map"
    if markers:
        described += f": {counted(counts)}."
    if note:
        described += f" {note}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="case-map-svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' font-family="{FONT}" font-size="11">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(described)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{MAP_HEIGHT}" fill="{BACKGROUND}" stroke="{GRID}"/>',
    ]
    bounds = Bounds.around((m.lat, m.lon) for m in markers)
    if bounds is None:
        parts.append(
            _text(
                WIDTH / 2,
                MAP_HEIGHT / 2,
                "No shootings with coordinates to draw.",
                text_anchor="middle",
                fill=MUTED,
                font_size="13",
            )
        )
    else:
        frame = Frame(bounds, WIDTH, MAP_HEIGHT, MARGIN)
        parts += _grid(frame)
        single, grouped = clusters(frame, markers)
        for x, y, marker in single:
            tip = f"<title>{escape(marker.title or SHORT_LABELS.get(marker.kind, marker.kind))}</title>"
            parts.append(
                f'<g class="point" data-kind="{escape(marker.kind)}" data-x="{x:.1f}" data-y="{y:.1f}">'
                f"{tip}{shape(marker.kind, x, y)}</g>"
            )
        for x, y, group in grouped:
            kinds = Counter(m.kind for m in group)
            radius = 10 + min(6, math.log2(len(group)) * 1.5)
            tip = escape(f"{len(group)} shootings close together: {counted(kinds)}")
            parts.append(
                f'<g class="cluster" data-count="{len(group)}" data-x="{x:.1f}" data-y="{y:.1f}"><title>{tip}</title>'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{CLUSTER_FILL}"'
                ' stroke="#ffffff" stroke-width="2"/>'
                + _text(
                    x, y + 4, str(len(group)), text_anchor="middle", fill="#ffffff", font_size="11", font_weight="bold"
                )
                + "</g>"
            )
        parts += _scale_bar(frame)
        parts += _north_arrow(frame)
    parts += _legend(counts, MAP_HEIGHT)
    parts.append("</svg>")
    # Every value above is a number we computed or text passed through escape().
    return mark_safe("".join(parts))  # noqa: S308


def _legend(counts: Counter, top: float) -> list[str]:
    parts = []
    x, y = 12.0, top + 22
    for kind in KINDS:
        label = f"{SHORT_LABELS[kind]} ({counts.get(kind, 0)})"
        parts.append(shape(kind, x + 6, y - 4))
        parts.append(_text(x + 18, y, label, fill=INK, class_="legend"))
        x += 30 + len(label) * 6.2
    parts.append(f'<circle cx="{x + 8:.1f}" cy="{y - 4:.1f}" r="8" fill="{CLUSTER_FILL}"/>')
    parts.append(_text(x + 8, y, "n", text_anchor="middle", fill="#ffffff", font_size="10", font_weight="bold"))
    parts.append(_text(x + 22, y, "shootings close together", fill=INK, class_="legend"))
    return parts


def icon_svg(kind: str, *, size: int = 20) -> SafeString:
    """A kind's marker on its own, for the browser's map and the page's legend: the same shapes
    as the drawn map."""
    half = size / 2
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}"'
        f' aria-hidden="true" focusable="false">{shape(kind, half, half)}</svg>'
    )


def kind_icons() -> dict[str, str]:
    return {kind: str(icon_svg(kind)) for kind in KINDS}
