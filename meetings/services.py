"""Scheduling writes (series, meetings, moving and cancelling), action items done, and calendar
feed tokens. Each function owns its transaction; nothing is half saved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Agency, User

from . import scheduling
from .models import ActionItem, AgendaEvent, CalendarFeed, Meeting, MeetingSeries

# A one-off meeting's agenda closes this long before it starts unless the coordinator says otherwise.
ONE_OFF_CUTOFF = timedelta(hours=24)

SERIES_FIELDS = [
    "name",
    "weekday",
    "start_time",
    "duration_minutes",
    "place",
    "chair",
    "cutoff_hours",
    "weeks_ahead",
    "is_active",
]
MEETING_FIELDS = ["series", "starts_at", "ends_at", "cutoff_at", "place", "chair"]


class SlotTaken(Exception):
    """The series already has a meeting on that local day (the database said so, after another
    coordinator saved first)."""


class NotEditable(Exception):
    """A held or cancelled meeting is history; it is not moved or cancelled."""


def set_local_date(meeting: Meeting) -> None:
    """Keep Meeting.local_date equal to the local calendar date of starts_at. Call it before
    every save that may change starts_at: the one-per-series-day constraint and the agenda's
    window rules rely on it."""
    meeting.local_date = scheduling.local_date_of(meeting.starts_at)


def default_cutoff(starts_at: datetime, series: MeetingSeries | None) -> datetime:
    return starts_at - (timedelta(hours=series.cutoff_hours) if series else ONE_OFF_CUTOFF)


def _record(meeting: Meeting, kind: str, user: User, detail: str = "") -> AgendaEvent:
    return AgendaEvent.objects.create(
        meeting=meeting, kind=kind, actor=user, actor_name=user.get_full_name() or user.username, detail=detail
    )


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%a %d %b %Y %H:%M}"


def _save_meeting(meeting: Meeting) -> None:
    set_local_date(meeting)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:
        if "meeting_one_per_series_day" in str(error) or "local_date" in str(error):
            raise SlotTaken from error
        raise


# --- Series -----------------------------------------------------------------------------------


@transaction.atomic
def create_series(user: User, data: dict, invited_agencies: Iterable[Agency] = (), now=None) -> MeetingSeries:
    """A weekly series, and its meetings for the coming `weeks_ahead` weeks."""
    series = MeetingSeries(**{name: data[name] for name in SERIES_FIELDS if name in data})
    series.full_clean()
    series.save()
    series.invited_agencies.set(invited_agencies)
    scheduling.ensure_upcoming_meetings(series, now or timezone.now())
    return series


@transaction.atomic
def update_series(
    series: MeetingSeries, user: User, data: dict, invited_agencies: Iterable[Agency] = (), now=None
) -> MeetingSeries:
    """Change the series; its coming meetings that nobody moved or froze follow the new day,
    time, length, place, chair and invitations. Meetings that keep their own time (moved, frozen
    or cancelled) remember the new usual slot in `moved_from`, so it is not scheduled twice."""
    now = now or timezone.now()
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    for name in SERIES_FIELDS:
        if name in data:
            setattr(series, name, data[name])
    series.full_clean()
    series.save()
    agencies = list(invited_agencies)
    series.invited_agencies.set(agencies)
    upcoming = list(Meeting.objects.filter(series=series, starts_at__gt=now).order_by("starts_at"))
    for meeting in upcoming:
        slot = scheduling.slot_on(series, meeting.local_date)
        follows = meeting.status == Meeting.Status.SCHEDULED and meeting.moved_from is None and slot > now
        if follows:
            meeting.place, meeting.chair = series.place, series.chair
            for name, value in scheduling.slot_times(series, slot).items():
                setattr(meeting, name, value)
            try:
                _save_meeting(meeting)
            except SlotTaken:
                # An extra meeting already sits on the new day; that one serves the week.
                continue
            meeting.invited_agencies.set(agencies)
        elif meeting.moved_from is not None or meeting.starts_at != slot:
            meeting.moved_from = slot
            meeting.save(update_fields=["moved_from", "updated_at"])
    scheduling.ensure_upcoming_meetings(series, now)
    return series


# --- Meetings ---------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    user: User, data: dict, invited_agencies: Iterable[Agency] = (), attendees: Iterable[User] = ()
) -> Meeting:
    """A meeting typed by a coordinator: a one-off, or an extra one in a series. Without a
    cutoff, the agenda closes the series' cutoff hours (24 for one-offs) before the start."""
    meeting = Meeting(**{name: data[name] for name in MEETING_FIELDS if data.get(name) is not None})
    if meeting.cutoff_at is None:
        meeting.cutoff_at = default_cutoff(meeting.starts_at, meeting.series)
    _save_meeting(meeting)
    meeting.invited_agencies.set(invited_agencies)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def update_meeting(
    meeting: Meeting,
    user: User,
    data: dict,
    invited_agencies: Iterable[Agency] | None = None,
    attendees: Iterable[User] | None = None,
) -> Meeting:
    """Edit one meeting; a new start time is a move, recorded (AgendaEvent MOVED) and counted in
    the calendar's SEQUENCE. Other meetings of the series are left alone."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status in {Meeting.Status.HELD, Meeting.Status.CANCELLED}:
        raise NotEditable
    old_start = current.starts_at
    for name in MEETING_FIELDS:
        if name in data and name != "series":
            setattr(current, name, data[name])
    if data.get("cutoff_at") is None:
        current.cutoff_at = default_cutoff(current.starts_at, current.series)
    moved = current.starts_at != old_start
    if moved and current.moved_from is None:
        # The slot it was moved away from; the scheduler never fills it again.
        current.moved_from = old_start
    elif current.moved_from == current.starts_at:
        current.moved_from = None
    _save_meeting(current)
    if invited_agencies is not None:
        current.invited_agencies.set(invited_agencies)
    if attendees is not None:
        current.attendees.set(attendees)
    if moved:
        _record(current, AgendaEvent.Kind.MOVED, user, f"from {_local(old_start)} to {_local(current.starts_at)}")
    return current


@transaction.atomic
def cancel_meeting(meeting: Meeting, user: User, reason: str) -> Meeting:
    """Cancel one meeting. It stays listed, marked, and its calendar entry says CANCELLED."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status in {Meeting.Status.HELD, Meeting.Status.CANCELLED}:
        raise NotEditable
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required.")
    current.status = Meeting.Status.CANCELLED
    current.cancel_reason = reason
    current.save(update_fields=["status", "cancel_reason", "updated_at"])
    _record(current, AgendaEvent.Kind.CANCELLED, user, reason)
    return current


# --- Action items -----------------------------------------------------------------------------


class AlreadyDone(Exception):
    pass


@transaction.atomic
def complete_action_item(item: ActionItem, user: User, note: str) -> ActionItem:
    """Mark an action item done, saying how. It stops coming back on agendas."""
    current = ActionItem.objects.select_for_update().get(pk=item.pk)
    if current.status == ActionItem.Status.DONE:
        raise AlreadyDone
    note = note.strip()
    if not note:
        raise ValueError("Say how it was done.")
    current.status = ActionItem.Status.DONE
    current.done_at = timezone.now()
    current.done_by = user
    current.done_note = note
    current.save(update_fields=["status", "done_at", "done_by", "done_note"])
    return current


# --- Calendar feeds ---------------------------------------------------------------------------


def calendar_feed_for(user: User) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def revoke_calendar_feed(user: User) -> CalendarFeed:
    """A new private URL; the old one stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return calendar_feed_for(user)
    feed.rotate()
    return feed
