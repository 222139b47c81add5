"""iCalendar (RFC 5545) files: one meeting's .ics and a person's private feed.

Calendars leave the secure system (phones, mail servers), so nothing here names a victim,
suspect or witness, and no note or agenda content is included: meetings carry their time, place
and a link back; action items only "Action item due" and a report number."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from accounts.inputs import EARLIEST, LATEST
from accounts.stored_dates import shifted

from . import scheduling
from .models import ActionItem, AgendaEvent, Meeting

PRODID = "-//Shoot review//Meetings//EN"
# How far back the private feed reaches; older meetings are history, not plans.
FEED_PAST = timedelta(days=90)
ALARM_BEFORE = timedelta(hours=1)


def with_sequence(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Annotate `ics_sequence`: how many times the meeting was moved or cancelled. Calendar
    programs replace their copy of an event only when its SEQUENCE goes up."""
    return meetings.annotate(
        ics_sequence=Count("events", filter=Q(events__kind__in=[AgendaEvent.Kind.MOVED, AgendaEvent.Kind.CANCELLED]))
    )


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{_host()}"


def action_item_uid(item: ActionItem) -> str:
    return f"action-item-{item.pk}@{_host()}"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def meeting_event(meeting: Meeting, *, sequence: int, stamp: datetime) -> Event:
    zone = scheduling.local_zone()
    title = meeting.series.name if meeting.series_id else "Shoot review"
    cancelled = meeting.status == Meeting.Status.CANCELLED
    url = _absolute(meeting.get_absolute_url())
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("summary", f"Cancelled: {title}" if cancelled else title)
    # Local time with its TZID (and a VTIMEZONE below), so the event moves with daylight saving
    # exactly as the meeting does.
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("location", meeting.place)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    description = f"Agenda and minutes (sign-in required): {url}"
    if cancelled and meeting.cancel_reason:
        description = f"Cancelled: {meeting.cancel_reason}\n{description}"
    event.add("description", description)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{title} in one hour")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event


def action_item_event(item: ActionItem, *, stamp: datetime) -> Event:
    """An all-day event on the due date. Only the report number: the description of the task may
    name people."""
    event = Event()
    event.add("uid", action_item_uid(item))
    event.add("dtstamp", stamp)
    summary = "Action item due"
    if item.shooting_id:
        summary += f": {item.shooting.report_number}"
    event.add("summary", summary)
    event.add("dtstart", item.due_on)
    # A due date stored before dates were bounded may be the last day there is.
    event.add("dtend", shifted(item.due_on, timedelta(days=1)))
    event.add("transp", "TRANSPARENT")
    event.add("url", _absolute(reverse("meetings:my_items")))
    return event


def _finish(cal: Calendar, days: Iterable[date]) -> bytes:
    days = list(days)
    if days:
        # A VTIMEZONE covering the events, not every rule since 1970.
        # Kept within the dates the app takes: a meeting stored before dates were bounded (in the
        # year 9999, say) would make the zone's rules overflow, and has no real rules anyway.
        first = min(max(shifted(min(days), -timedelta(days=366)), EARLIEST), LATEST)
        last = max(min(shifted(max(days), timedelta(days=366)), LATEST), EARLIEST)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def meeting_ics(meeting: Meeting, now: datetime | None = None) -> bytes:
    """The .ics download of one meeting."""
    stamp = (now or timezone.now()).astimezone(UTC)
    sequence = meeting.events.filter(kind__in=[AgendaEvent.Kind.MOVED, AgendaEvent.Kind.CANCELLED]).count()
    cal = _calendar(str(meeting))
    cal.add_component(meeting_event(meeting, sequence=sequence, stamp=stamp))
    return _finish(cal, [meeting.local_date])


def feed_meetings(user, now: datetime) -> QuerySet[Meeting]:
    return (
        with_sequence(Meeting.objects.involving(user))
        .filter(starts_at__gte=now - FEED_PAST)
        .select_related("series")
        .order_by("starts_at")
    )


def feed_action_items(user) -> QuerySet[ActionItem]:
    return ActionItem.objects.open().filter(assignee=user).select_related("shooting").order_by("due_on", "id")


def feed_ics(user, now: datetime | None = None) -> bytes:
    """A person's private feed: the meetings they are expected at (recent and coming, cancelled
    ones marked so calendars drop them) and the due dates of their open action items."""
    now = now or timezone.now()
    stamp = now.astimezone(UTC)
    cal = _calendar("Shoot review")
    days: list[date] = []
    for meeting in feed_meetings(user, now):
        cal.add_component(meeting_event(meeting, sequence=meeting.ics_sequence, stamp=stamp))
        days.append(meeting.local_date)
    for item in feed_action_items(user):
        cal.add_component(action_item_event(item, stamp=stamp))
    return _finish(cal, days)
