"""The numbers a shoot review opens with: shootings and homicides in the review window, the year
to date against the same date last year, the homicide clearance rate, open linked clusters,
shootings per week for the last twelve weeks, and the cases referred for prosecution, charged,
declined and disposed in the window and the year.

Counting follows the National Police Foundation's model: an unfounded shooting never counts, a
shooting on hold does not count yet and is listed on its own. "Shootings" are people-shot
incidents (homicides and non-fatal injury shootings); shots fired without injury are counted
beside them, not in them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.stored_dates import SAFE_MIN, shifted
from cases import prosecution
from cases.access import sees_prosecution_status, shootings_visible_to
from cases.models import Shooting, ShootingChange

from ..agenda import rules
from ..models import Meeting
from .people import PeopleCounts, people_for
from .percentages import percent_change, percent_of

CHART_WEEKS = 12
# 2: the people counts (meetings.cover.people). A snapshot kept before them has none.
# 3: the map's points. A snapshot kept before them has no map (None), not a live one: a frozen
# cover shows only what stood when it was frozen.
SNAPSHOT_VERSION = 3


def review_window(meeting: Meeting) -> tuple[datetime, datetime]:
    """(start, end]: the agenda's own review window, so the cover counts what the agenda covers."""
    window = rules.review_window(meeting)
    return window.start, window.end


def same_moment_last_year(moment: datetime) -> datetime:
    """The same local wall-clock time one year earlier (29 February becomes the 28th)."""
    local = timezone.localtime(moment)
    day = local.day
    if local.month == 2 and day == 29:
        day = 28
    if local.year == 1:
        # A cutoff stored in year 1 (before dates were bounded): there is no year before it.
        return SAFE_MIN
    naive = local.replace(tzinfo=None).replace(year=local.year - 1, day=day)
    return timezone.make_aware(naive)


def start_of_local_year(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime(local.year, 1, 1))  # noqa: DTZ001 - made aware in local time


@dataclass(frozen=True)
class Week:
    start: datetime
    end: datetime
    shootings: int
    homicides: int

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end).date()


def chart_weeks(cutoff: datetime, weeks: int = CHART_WEEKS) -> list[tuple[datetime, datetime]]:
    """Weeks (start, end] of seven local days ending at the cutoff, oldest first. Local wall-clock
    arithmetic, so a week that crosses a daylight-saving change is 167 or 169 hours long."""
    local = timezone.localtime(cutoff)
    edges = [
        timezone.make_aware(shifted(local, -timedelta(days=7 * k)).replace(tzinfo=None)) for k in range(weeks, -1, -1)
    ]
    return list(zip(edges, edges[1:], strict=False))


@dataclass
class CoverStats:
    """Everything the cover page shows, JSON-serialisable so a frozen agenda keeps it."""

    window_start: datetime
    window_end: datetime
    year: int
    ytd_end: datetime
    # In the review window.
    window_homicides: int = 0
    window_nonfatal: int = 0
    window_shots_fired: int = 0
    window_hold: int = 0
    window_unfounded: int = 0
    # Year to date and the same stretch of last year.
    ytd_homicides: int = 0
    ytd_nonfatal: int = 0
    ytd_shots_fired: int = 0
    ytd_hold: int = 0
    last_year_homicides: int = 0
    last_year_nonfatal: int = 0
    last_year_shots_fired: int = 0
    # Homicides of this year cleared so far.
    cleared_arrest: int = 0
    cleared_exceptional: int = 0
    open_clusters: int = 0
    weeks: list[Week] = field(default_factory=list)
    computed_at: datetime | None = None
    # Cases referred, charged, declined and disposed: "<event>_window" and "<event>_ytd"
    # (prosecution_counts). Empty in a cover kept before it counted them.
    prosecution: dict[str, int] = field(default_factory=dict)
    # People shot, year to date against three years, clearance by kind (meetings.cover.people).
    people: PeopleCounts | None = None
    # The counted shootings of the window that have coordinates, as (latitude, longitude, kind):
    # where they were and what kind, nothing else, so every audience's packet may show them.
    map_points: list[tuple[float, float, str]] | None = None
    # The counted shootings of the window without coordinates (not on the map).
    map_unplaced: int = 0

    @property
    def window_shootings(self) -> int:
        return self.window_homicides + self.window_nonfatal

    @property
    def ytd_shootings(self) -> int:
        return self.ytd_homicides + self.ytd_nonfatal

    @property
    def last_year_shootings(self) -> int:
        return self.last_year_homicides + self.last_year_nonfatal

    @property
    def homicides_change(self) -> float | None:
        return percent_change(self.ytd_homicides, self.last_year_homicides)

    @property
    def nonfatal_change(self) -> float | None:
        return percent_change(self.ytd_nonfatal, self.last_year_nonfatal)

    @property
    def shootings_change(self) -> float | None:
        return percent_change(self.ytd_shootings, self.last_year_shootings)

    @property
    def shots_fired_change(self) -> float | None:
        return percent_change(self.ytd_shots_fired, self.last_year_shots_fired)

    @property
    def cleared(self) -> int:
        return self.cleared_arrest + self.cleared_exceptional

    @property
    def clearance_rate(self) -> float | None:
        return percent_of(self.cleared, self.ytd_homicides)

    @property
    def last_year_date(self) -> date:
        return timezone.localtime(same_moment_last_year(self.ytd_end)).date()

    def to_json(self) -> dict:
        data = asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        data["weeks"] = [
            {"start": w.start.isoformat(), "end": w.end.isoformat(), "shootings": w.shootings, "homicides": w.homicides}
            for w in self.weeks
        ]
        data["people"] = self.people.to_json() if self.people else None
        data["map_points"] = [list(point) for point in self.map_points] if self.map_points is not None else None
        data["version"] = SNAPSHOT_VERSION
        return data

    @classmethod
    def from_json(cls, data: dict) -> CoverStats:
        data = dict(data)
        data.pop("version", None)
        people = data.pop("people", None)
        points = data.pop("map_points", None)
        data["map_points"] = [(lat, lon, kind) for lat, lon, kind in points] if points is not None else None
        weeks = [
            Week(
                start=datetime.fromisoformat(w["start"]),
                end=datetime.fromisoformat(w["end"]),
                shootings=w["shootings"],
                homicides=w["homicides"],
            )
            for w in data.pop("weeks", [])
        ]
        for key in ("window_start", "window_end", "ytd_end", "computed_at"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        return cls(weeks=weeks, people=PeopleCounts.from_json(people) if people else None, **data)


def compute_cover(meeting: Meeting, viewer) -> CoverStats:
    """The cover numbers as they stand now, for what `viewer` may see.

    Queries: the previous held meeting (the window), one aggregate over the shootings of the
    counted period, one count of open clusters, the places of the window's shootings (the map),
    the prosecution changes of the year, and the people counts: the data's stamp, and their two
    queries unless counted under that stamp before."""
    start, end = review_window(meeting)
    year_start = start_of_local_year(end)
    last_year_end = same_moment_last_year(end)
    last_year_start = start_of_local_year(last_year_end)
    weeks = chart_weeks(end)
    earliest = min(start, last_year_start, weeks[0][0])

    homicide = Q(kind=Shooting.Kind.HOMICIDE)
    nonfatal = Q(kind=Shooting.Kind.NONFATAL)
    shots_fired = Q(kind=Shooting.Kind.SHOTS_FIRED)
    people_shot = homicide | nonfatal
    counts = Q(counting=Shooting.Counting.COUNTS)
    hold = Q(counting=Shooting.Counting.HOLD)
    in_window = Q(occurred_from__gt=start, occurred_from__lte=end)
    this_year = Q(occurred_from__gte=year_start, occurred_from__lte=end)
    last_year = Q(occurred_from__gte=last_year_start, occurred_from__lte=last_year_end)

    aggregates = {
        "window_homicides": Count("pk", filter=in_window & counts & homicide),
        "window_nonfatal": Count("pk", filter=in_window & counts & nonfatal),
        "window_shots_fired": Count("pk", filter=in_window & counts & shots_fired),
        "window_hold": Count("pk", filter=in_window & hold),
        "window_unfounded": Count("pk", filter=in_window & Q(counting=Shooting.Counting.UNFOUNDED)),
        "ytd_homicides": Count("pk", filter=this_year & counts & homicide),
        "ytd_nonfatal": Count("pk", filter=this_year & counts & nonfatal),
        "ytd_shots_fired": Count("pk", filter=this_year & counts & shots_fired),
        "ytd_hold": Count("pk", filter=this_year & hold),
        "last_year_homicides": Count("pk", filter=last_year & counts & homicide),
        "last_year_nonfatal": Count("pk", filter=last_year & counts & nonfatal),
        "last_year_shots_fired": Count("pk", filter=last_year & counts & shots_fired),
        "cleared_arrest": Count("pk", filter=this_year & counts & homicide & Q(status=Shooting.Status.CLEARED_ARREST)),
        "cleared_exceptional": Count(
            "pk", filter=this_year & counts & homicide & Q(status=Shooting.Status.CLEARED_EXCEPTIONAL)
        ),
    }
    for i, (week_start, week_end) in enumerate(weeks):
        in_week = Q(occurred_from__gt=week_start, occurred_from__lte=week_end) & counts
        aggregates[f"week_{i}"] = Count("pk", filter=in_week & people_shot)
        aggregates[f"week_{i}_homicides"] = Count("pk", filter=in_week & homicide)

    # Every partner who may see meetings sees every shooting (cases.access); the counts still go
    # through the one visibility rule so that a narrower rule later narrows them too.
    visible = shootings_visible_to(viewer)
    row = visible.filter(occurred_from__gte=earliest, occurred_from__lte=end).aggregate(**aggregates)
    open_clusters = (
        visible.filter(status=Shooting.Status.OPEN, cluster_id__isnull=False)
        .exclude(counting=Shooting.Counting.UNFOUNDED)
        .values("cluster_id")
        .distinct()
        .count()
    )
    map_points, map_unplaced = window_places(visible, start, end)
    stats = CoverStats(
        window_start=start,
        window_end=end,
        year=timezone.localtime(end).year,
        ytd_end=end,
        open_clusters=open_clusters,
        weeks=[
            Week(start=ws, end=we, shootings=row[f"week_{i}"], homicides=row[f"week_{i}_homicides"])
            for i, (ws, we) in enumerate(weeks)
        ],
        computed_at=timezone.now(),
        prosecution=prosecution_counts(visible, start, end, year_start) if sees_prosecution_status(viewer) else {},
        people=people_for(start, end, viewer),
        map_points=map_points,
        map_unplaced=map_unplaced,
        **{name: row[name] for name in aggregates if not name.startswith("week_")},
    )
    return stats


def window_places(visible: QuerySet[Shooting], start: datetime, end: datetime) -> tuple[list, int]:
    """Where the shootings the cover counts in the window (start, end] happened, and how many of
    them have no coordinates. One query."""
    points, unplaced = [], 0
    rows = visible.filter(
        occurred_from__gt=start, occurred_from__lte=end, counting=Shooting.Counting.COUNTS
    ).values_list("latitude", "longitude", "kind")
    for lat, lon, kind in rows.order_by("occurred_from", "pk"):
        if lat is None or lon is None:
            unplaced += 1
        else:
            points.append((float(lat), float(lon), kind))
    return points, unplaced


def prosecution_counts(visible: QuerySet[Shooting], start: datetime, end: datetime, year_start: datetime) -> dict:
    """Cases referred for prosecution, charged, declined and disposed in the review window
    (start, end] and this year to date, by when their history recorded it (cases.prosecution).
    A case counts once for each, however often it changed. One query: a year's prosecution
    changes are a few per charged case."""
    window: dict[str, set[int]] = {event: set() for event in prosecution.EVENTS}
    ytd: dict[str, set[int]] = {event: set() for event in prosecution.EVENTS}
    rows = ShootingChange.objects.filter(
        prosecution.touches_prosecution(),
        shooting_id__in=visible.values("pk"),
        changed_at__gte=min(year_start, start),
        changed_at__lte=end,
    ).values_list("shooting_id", "changed_at", "changes")
    for sid, changed_at, changes in rows:
        for event in prosecution.events(changes):
            if changed_at > start:
                window[event].add(sid)
            if changed_at >= year_start:
                ytd[event].add(sid)
    return {
        **{f"{event}_window": len(sids) for event, sids in window.items()},
        **{f"{event}_ytd": len(sids) for event, sids in ytd.items()},
    }


def cover_for(meeting: Meeting, viewer) -> CoverStats:
    """The cover of a frozen (or held) agenda is the one kept when it was frozen; of any other
    agenda, the numbers as they stand now. An agenda frozen before anything was kept gets its
    numbers kept on first use, so that every later print matches the first."""
    if meeting.is_frozen:
        if meeting.cover_snapshot:
            return CoverStats.from_json(meeting.cover_snapshot)
        return keep_cover(meeting, viewer)
    return compute_cover(meeting, viewer)


def keep_cover(meeting: Meeting, viewer) -> CoverStats:
    """Called when an agenda is frozen: keep the cover numbers with the meeting."""
    stats = compute_cover(meeting, viewer)
    meeting.cover_snapshot = stats.to_json()
    Meeting.objects.filter(pk=meeting.pk).update(cover_snapshot=meeting.cover_snapshot)
    return stats


def forget_cover(meeting: Meeting) -> None:
    """Called when an agenda is unfrozen: the cover goes back to live numbers."""
    meeting.cover_snapshot = None
    Meeting.objects.filter(pk=meeting.pk).update(cover_snapshot=None)
