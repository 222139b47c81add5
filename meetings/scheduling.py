"""When a weekly series meets. Plain functions on local calendar dates: a series that meets on
Wednesdays at 09:00 meets at 09:00 on the wall clock in winter and in summer, so its UTC instant
moves by an hour across a daylight-saving change. Datetimes go out aware and in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from .models import Meeting


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_datetime(day: date, at: time) -> datetime:
    """The instant (UTC) at which the wall clock of the local zone shows `at` on `day`."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(UTC)


def local_date_of(moment: datetime) -> date:
    """The local calendar date of an aware instant (Meeting.local_date)."""
    return moment.astimezone(local_zone()).date()


def slot_on(series, day: date) -> datetime:
    """The series' start instant in the week of `day` (weeks start on Monday)."""
    monday = day - timedelta(days=day.weekday())
    return local_datetime(monday + timedelta(days=series.weekday), series.start_time)


def next_slots(series, after: datetime, count: int) -> list[datetime]:
    """The next `count` start instants of a weekly series strictly after `after`."""
    first = slot_on(series, local_date_of(after))
    if first <= after:
        first = slot_on(series, local_date_of(first) + timedelta(days=7))
    first_day = local_date_of(first)
    # Step local dates, not UTC instants, so 09:00 stays 09:00 across a clock change.
    return [local_datetime(first_day + timedelta(weeks=n), series.start_time) for n in range(count)]


def slot_times(series, starts_at: datetime) -> dict:
    """End and cutoff of a meeting of `series` starting at `starts_at`."""
    return {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=series.duration_minutes),
        "cutoff_at": starts_at - timedelta(hours=series.cutoff_hours),
        "local_date": local_date_of(starts_at),
    }


def occupied_slot_dates(series, since: datetime) -> set[date]:
    """Local dates of the series' slots that already have a meeting: where a meeting is, where a
    moved meeting was, and where a cancelled one was, so none of them is scheduled again."""
    rows = Meeting.objects.filter(series=series).filter(Q(starts_at__gte=since) | Q(moved_from__gte=since))
    taken: set[date] = set()
    for local_day, moved_from in rows.values_list("local_date", "moved_from"):
        taken.add(local_day)
        if moved_from is not None:
            taken.add(local_date_of(moved_from))
    return taken


def ensure_upcoming_meetings(series, now: datetime) -> list:
    """Create the series' meetings for the next `weeks_ahead` slots that have none yet. Safe to
    run any number of times (the beat task runs it daily); returns the meetings it created."""
    if not series.is_active or series.weeks_ahead == 0:
        return []
    slots = next_slots(series, now, series.weeks_ahead)
    created = []
    with transaction.atomic():
        # One writer per series at a time: the beat task and a coordinator saving the series form
        # must not both create the same week's meeting.
        type(series).objects.select_for_update().filter(pk=series.pk).first()
        taken = occupied_slot_dates(series, now - timedelta(days=7))
        agencies = list(series.invited_agencies.all())
        for starts_at in slots:
            times = slot_times(series, starts_at)
            if times["local_date"] in taken:
                continue
            meeting = Meeting.objects.create(series=series, place=series.place, chair=series.chair, **times)
            if agencies:
                meeting.invited_agencies.set(agencies)
            created.append(meeting)
    return created
