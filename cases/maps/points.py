"""The cases of a list as points on a map: which have coordinates, which do not, each with what
its marker and popup show (the case's own facts, which every role that sees the case sees)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from accounts.stored_dates import minute_text

from ..display import url_for_each
from ..models import Shooting

# More points than this make the page heavy and the map unreadable however it clusters; the page
# says how many were left out and asks for narrower filters.
MAP_LIMIT = 2000
# Cases without coordinates listed by name under the map; past this the count links to the list.
UNPLACED_LIMIT = 100

KIND_LABELS = dict(Shooting.Kind.choices)
# Drawn in this order in legends, so the worst is seen first.
KINDS = [Shooting.Kind.HOMICIDE, Shooting.Kind.NONFATAL, Shooting.Kind.SHOTS_FIRED]

# "3 homicides, 1 non-fatal shooting": the words a count of each kind takes.
COUNTED = {
    Shooting.Kind.HOMICIDE: ("homicide", "homicides"),
    Shooting.Kind.NONFATAL: ("non-fatal shooting", "non-fatal shootings"),
    Shooting.Kind.SHOTS_FIRED: ("shots-fired incident", "shots-fired incidents"),
}


def counted(counts: dict[str, int]) -> str:
    """Each kind's count in words, the kinds with none left out."""
    return ", ".join(
        f"{counts[kind]} {COUNTED[kind][0] if counts[kind] == 1 else COUNTED[kind][1]}"
        for kind in KINDS
        if counts.get(kind)
    )


_FIELDS = ["id", "report_number", "occurred_from", "kind", "address", "latitude", "longitude"]
HAS_PLACE = Q(latitude__isnull=False, longitude__isnull=False)


@dataclass(frozen=True)
class MapPoint:
    """One case on the map. `lat`/`lon` are None for a case with no coordinates."""

    id: int
    report_number: str
    occurred: str
    occurred_iso: str
    kind: str
    address: str
    url: str
    lat: float | None
    lon: float | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def as_json(self) -> dict:
        """What the browser's map draws (json_script escapes it into the page)."""
        return {
            "id": self.id,
            "report": self.report_number,
            "occurred": self.occurred,
            "kind": self.kind,
            "kindLabel": self.kind_label,
            "address": self.address,
            "url": self.url,
            "lat": self.lat,
            "lon": self.lon,
        }


@dataclass(frozen=True)
class CaseMap:
    placed: list[MapPoint]
    placed_total: int  # more than len(placed) when MAP_LIMIT cut the list
    unplaced: list[MapPoint]
    unplaced_total: int

    @property
    def cut(self) -> bool:
        return self.placed_total > len(self.placed)

    @property
    def case_ids(self) -> list[int]:
        return [point.id for point in (*self.placed, *self.unplaced)]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for point in self.placed:
            counts[point.kind] = counts.get(point.kind, 0) + 1
        return counts

    def counts_by_kind(self) -> list[tuple[str, str, int]]:
        return [(kind, KIND_LABELS.get(kind, kind), n) for kind, n in self.counts().items()]

    def summary(self) -> str:
        return counted(self.counts())


def _points(rows) -> list[MapPoint]:
    url = url_for_each("cases:detail")
    points = []
    for row in rows:
        occurred = timezone.localtime(row["occurred_from"])
        lat, lon = row["latitude"], row["longitude"]
        points.append(
            MapPoint(
                id=row["id"],
                report_number=row["report_number"],
                occurred=minute_text(occurred),
                occurred_iso=occurred.isoformat(),
                kind=row["kind"],
                address=row["address"],
                url=url(row["id"]),
                lat=float(lat) if lat is not None else None,
                lon=float(lon) if lon is not None else None,
            )
        )
    return points


def _first(shootings: QuerySet, limit: int) -> tuple[list[MapPoint], int]:
    """The first `limit` in the queryset's order and how many there are in all: one query, and a
    count only when the limit was reached."""
    rows = list(shootings.values(*_FIELDS)[: limit + 1])
    if len(rows) <= limit:
        return _points(rows), len(rows)
    return _points(rows[:limit]), shootings.count()


def case_map(shootings: QuerySet[Shooting]) -> CaseMap:
    """`shootings` (already the viewer's visible, filtered cases, in list order) as a map.
    Two queries, three or four when a part is over its limit."""
    placed, placed_total = _first(shootings.filter(HAS_PLACE), MAP_LIMIT)
    unplaced, unplaced_total = _first(shootings.exclude(HAS_PLACE), UNPLACED_LIMIT)
    return CaseMap(placed, placed_total, unplaced, unplaced_total)


# The table and the list are joined here, not looped over in the template: two thousand rows of
# template lookups and filters took most of the page's time (as on the case list, cases.list_rows).
def table_rows(points: list[MapPoint]) -> SafeString:
    """The mapped cases' rows: report number linked, date, kind, address, coordinates."""
    return format_html_join(
        "\n",
        '<tr><th scope="row"><a href="{}">{}</a></th><td><time datetime="{}">{}</time></td>'
        "<td>{}</td><td>{}</td><td>{}, {}</td></tr>",
        (
            (
                p.url,
                p.report_number,
                p.occurred_iso,
                p.occurred,
                p.kind_label,
                p.address,
                f"{p.lat:.5f}",
                f"{p.lon:.5f}",
            )
            for p in points
        ),
    )


def list_items(points: list[MapPoint]) -> SafeString:
    """The cases without coordinates, each linked."""
    return format_html_join(
        "\n",
        '<li><a href="{}">{}</a> · <time datetime="{}">{}</time> · {} · {}</li>',
        ((p.url, p.report_number, p.occurred_iso, p.occurred, p.kind_label, p.address) for p in points),
    )
