"""Shootings per week as an SVG bar chart, drawn on the server so that the page, the browser's
print and the PDF show the same picture with no JavaScript and nothing fetched from the web.

Hand-written rather than a charting library: twelve bars need a few dozen lines, and every piece
of text goes through `escape` on its way in.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.maps.svg import Marker, map_svg

from .people import COUNTING_RULES
from .stats import Week, cover_for

WIDTH = 640
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 56, 58
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
SHOOTING_FILL = "#5b8fc7"
HOMICIDE_FILL = "#a40e26"
INK = "#1b1f24"
MUTED = "#57606a"
GRID = "#d0d7de"
FONT = "DejaVu Sans, Verdana, sans-serif"


def axis_top(largest: int) -> tuple[int, int]:
    """A round top for the y axis and the step between its ticks (at most five steps)."""
    if largest <= 5:
        return 5, 1
    for step in (2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if largest <= step * 5:
            top = -(-largest // step) * step
            return top, step
    step = 10 ** (len(str(largest)) - 1)
    return -(-largest // step) * step, step


def week_label(week: Week) -> str:
    day = week.last_day
    return f"{day:%b} {day.day}"


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def weekly_chart_svg(weeks: Sequence[Week], *, title: str, id_prefix: str = "weekly-chart") -> SafeString:
    """Bars of shootings per week (homicides as the dark part of each bar), a count above each
    bar, the week's last day below it, axis labels, and a <title>/<desc> that say the same in
    words for screen readers."""
    ident = escape(id_prefix)
    largest = max((w.shootings for w in weeks), default=0)
    top, step = axis_top(largest)
    slot = PLOT_W / max(len(weeks), 1)
    bar_w = slot * 0.64
    base_y = TOP + PLOT_H

    def y_for(value: int) -> float:
        return base_y - PLOT_H * value / top

    described = "; ".join(
        f"week ending {week_label(w)}: {w.shootings} shooting{'s' if w.shootings != 1 else ''}"
        f" ({w.homicides} homicide{'s' if w.homicides != 1 else ''})"
        for w in weeks
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="weekly-chart" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{ident}-title {ident}-desc"'
        f' font-family="{FONT}" font-size="11">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(described or "No weeks to show.")}</desc>',
        _text(8, 18, title, font_size="14", font_weight="bold", fill=INK, class_="chart-title"),
    ]
    # Legend under the title at the right, above the tallest bar's count.
    legend_x = WIDTH - RIGHT - 210
    parts += [
        f'<rect x="{legend_x}" y="27" width="10" height="10" fill="{HOMICIDE_FILL}"/>',
        _text(legend_x + 14, 36, "Homicides", fill=INK),
        f'<rect x="{legend_x + 82}" y="27" width="10" height="10" fill="{SHOOTING_FILL}"/>',
        _text(legend_x + 96, 36, "Non-fatal shootings", fill=INK),
    ]
    for tick in range(0, top + 1, step):
        y = y_for(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, str(tick), text_anchor="end", fill=MUTED, class_="tick"))
    for i, week in enumerate(weeks):
        x = LEFT + slot * i + (slot - bar_w) / 2
        centre = x + bar_w / 2
        height = PLOT_H * week.shootings / top
        homicide_height = PLOT_H * week.homicides / top
        label = week_label(week)
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{base_y - height:.1f}" width="{bar_w:.1f}" height="{height:.1f}"'
            f' fill="{SHOOTING_FILL}" data-count="{week.shootings}" data-week="{escape(label)}">'
            f"<title>{escape(f'Week ending {label}: {week.shootings} shootings, {week.homicides} homicides')}</title>"
            f"</rect>"
        )
        if week.homicides:
            parts.append(
                f'<rect class="bar-homicides" x="{x:.1f}" y="{base_y - homicide_height:.1f}" width="{bar_w:.1f}"'
                f' height="{homicide_height:.1f}" fill="{HOMICIDE_FILL}" data-count="{week.homicides}"/>'
            )
        parts.append(
            _text(centre, base_y - height - 4, str(week.shootings), text_anchor="middle", fill=INK, class_="value")
        )
        parts.append(_text(centre, base_y + 16, label, text_anchor="middle", fill=MUTED, class_="week"))
    parts += [
        f'<line x1="{LEFT}" y1="{base_y}" x2="{LEFT + PLOT_W}" y2="{base_y}" stroke="{INK}" stroke-width="1"/>',
        _text(LEFT + PLOT_W / 2, HEIGHT - 10, "Week ending", text_anchor="middle", fill=INK, class_="axis-label"),
        f'<text x="14" y="{TOP + PLOT_H / 2:.1f}" transform="rotate(-90 14 {TOP + PLOT_H / 2:.1f})"'
        f' text-anchor="middle" fill="{INK}" class="axis-label">Shootings</text>',
        "</svg>",
    ]
    # Every value above is a number we computed or text passed through escape().
    return mark_safe("".join(parts))  # noqa: S308


def people_context(stats) -> dict:
    """What `meetings/_cover_people.html` needs beside the numbers."""
    people = stats.people
    if people is None:
        return {}
    return {
        "people_clearances": [
            ("Homicide", people.homicide_clearance),
            ("Non-fatal shooting", people.nonfatal_clearance),
        ],
        "counting_rules": COUNTING_RULES,
    }


def window_map_svg(stats, *, id_prefix: str) -> SafeString | None:
    """The review window's counted shootings on a map, by kind; None for a cover kept before
    covers had maps. The markers carry their kind and nothing else: no report number, address or
    name, so the same drawing suits every audience's packet."""
    if stats.map_points is None:
        return None
    start, end = timezone.localtime(stats.window_start), timezone.localtime(stats.window_end)
    title = f"Where the shootings of the review window happened ({start:%b} {start.day} to {end:%b} {end.day})"
    unplaced = stats.map_unplaced
    note = f"{unplaced} without coordinates {'is' if unplaced == 1 else 'are'} not on the map." if unplaced else ""
    markers = [Marker(lat, lon, kind) for lat, lon, kind in stats.map_points]
    return map_svg(markers, title=title, id_prefix=id_prefix, note=note)


def cover_context(meeting, viewer) -> dict:
    """What `meetings/_cover.html` needs: the numbers and their chart. Shared by the cover page,
    the agenda page and the printed packets so that all three show the same."""
    stats = cover_for(meeting, viewer)
    end = timezone.localtime(stats.window_end)
    title = f"Shootings per week, the 12 weeks to {end:%b} {end.day}"
    return {
        "cover": stats,
        "cover_chart": weekly_chart_svg(stats.weeks, title=title, id_prefix=f"weekly-chart-{meeting.pk}"),
        "cover_map": window_map_svg(stats, id_prefix=f"window-map-{meeting.pk}"),
        "cover_kept": meeting.is_frozen,
        **people_context(stats),
    }
