"""Weekly series: meetings on the local clock across daylight saving, created ahead without
typing them, and one meeting moved or cancelled on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings import scheduling, services
from meetings.models import AgendaEvent, Meeting, MeetingSeries
from meetings.tasks import ensure_upcoming_meetings as ensure_task

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def weekly(coordinator, now, **overrides) -> MeetingSeries:
    data = {
        "name": "Weekly shoot review",
        "weekday": MeetingSeries.Weekday.WEDNESDAY,
        "start_time": time(9, 0),
        "duration_minutes": 90,
        "place": "Headquarters, room 4B",
        "cutoff_hours": 24,
        "weeks_ahead": 4,
    }
    data.update(overrides)
    return services.create_series(coordinator, data, now=now)


def test_wednesday_nine_oclock_stays_nine_oclock_across_the_november_change():
    series = MeetingSeries(weekday=MeetingSeries.Weekday.WEDNESDAY, start_time=time(9, 0))

    slots = scheduling.next_slots(series, local(2026, 10, 20, 12, 0), 4)

    assert [s.astimezone(CHICAGO).replace(tzinfo=None) for s in slots] == [
        datetime(2026, 10, 21, 9, 0),
        datetime(2026, 10, 28, 9, 0),
        datetime(2026, 11, 4, 9, 0),
        datetime(2026, 11, 11, 9, 0),
    ]
    # Daylight time (UTC-5) before 1 November, standard time (UTC-6) after: the instant moves.
    assert [s.astimezone(UTC).hour for s in slots] == [14, 14, 15, 15]
    assert slots[2] - slots[1] == timedelta(days=7, hours=1)


def test_wednesday_nine_oclock_stays_nine_oclock_across_the_march_change():
    series = MeetingSeries(weekday=MeetingSeries.Weekday.WEDNESDAY, start_time=time(9, 0))

    slots = scheduling.next_slots(series, local(2027, 3, 8, 8, 0), 2)

    assert [s.astimezone(CHICAGO).time() for s in slots] == [time(9, 0), time(9, 0)]
    assert slots == [datetime(2027, 3, 10, 15, 0, tzinfo=UTC), datetime(2027, 3, 17, 14, 0, tzinfo=UTC)]


def test_a_slot_that_has_started_is_not_the_next_one():
    series = MeetingSeries(weekday=MeetingSeries.Weekday.WEDNESDAY, start_time=time(9, 0))

    assert scheduling.next_slots(series, local(2026, 11, 25, 9, 0), 1) == [local(2026, 12, 2, 9, 0)]
    assert scheduling.next_slots(series, local(2026, 11, 25, 8, 59), 1) == [local(2026, 11, 25, 9, 0)]


def test_saving_a_series_creates_the_coming_meetings_with_local_date_and_cutoff(coordinator, police):
    series = weekly(coordinator, local(2026, 10, 20, 12, 0))
    series.invited_agencies.set([police])

    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at"))

    assert [m.local_date for m in meetings] == [
        date(2026, 10, 21),
        date(2026, 10, 28),
        date(2026, 11, 4),
        date(2026, 11, 11),
    ]
    first = meetings[0]
    assert first.starts_at == local(2026, 10, 21, 9, 0)
    assert first.ends_at == local(2026, 10, 21, 10, 30)
    assert first.cutoff_at == local(2026, 10, 20, 9, 0)
    assert first.place == "Headquarters, room 4B"
    assert first.status == Meeting.Status.SCHEDULED


def test_ensuring_upcoming_meetings_twice_creates_nothing_the_second_time(coordinator):
    now = local(2026, 10, 20, 12, 0)
    series = weekly(coordinator, now)

    assert scheduling.ensure_upcoming_meetings(series, now) == []
    assert Meeting.objects.filter(series=series).count() == 4


def test_a_week_later_one_more_meeting_is_added_to_stay_four_weeks_ahead(coordinator):
    series = weekly(coordinator, local(2026, 10, 20, 12, 0))

    created = scheduling.ensure_upcoming_meetings(series, local(2026, 10, 27, 12, 0))

    assert [m.local_date for m in created] == [date(2026, 11, 18)]
    assert Meeting.objects.filter(series=series).count() == 5


def test_an_inactive_series_schedules_nothing(coordinator):
    series = weekly(coordinator, local(2026, 10, 20, 12, 0), is_active=False)

    assert Meeting.objects.filter(series=series).count() == 0


def test_moving_one_meeting_leaves_the_others_and_its_old_slot_is_not_filled_again(coordinator):
    now = local(2026, 10, 20, 12, 0)
    series = weekly(coordinator, now)
    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    before = {m.pk: m.starts_at for m in meetings[1:]}
    target = meetings[0]

    services.update_meeting(
        target,
        coordinator,
        {"starts_at": local(2026, 10, 22, 13, 0), "ends_at": local(2026, 10, 22, 14, 0), "cutoff_at": None},
    )

    target.refresh_from_db()
    assert target.local_date == date(2026, 10, 22)
    assert target.moved_from == local(2026, 10, 21, 9, 0)
    assert target.cutoff_at == local(2026, 10, 21, 13, 0)
    assert {m.pk: m.starts_at for m in Meeting.objects.exclude(pk=target.pk)} == before
    event = AgendaEvent.objects.get(meeting=target)
    assert event.kind == AgendaEvent.Kind.MOVED
    assert event.actor_name == "Renee Talmadge"
    assert "Wed 21 Oct 2026 09:00" in event.detail and "Thu 22 Oct 2026 13:00" in event.detail
    assert scheduling.ensure_upcoming_meetings(series, now) == []


def test_cancelling_one_meeting_leaves_the_others_and_it_is_not_scheduled_again(coordinator):
    now = local(2026, 10, 20, 12, 0)
    series = weekly(coordinator, now)
    target = Meeting.objects.filter(series=series).order_by("starts_at")[1]

    services.cancel_meeting(target, coordinator, "City holiday")

    target.refresh_from_db()
    assert target.status == Meeting.Status.CANCELLED
    assert target.cancel_reason == "City holiday"
    assert AgendaEvent.objects.get(meeting=target).kind == AgendaEvent.Kind.CANCELLED
    assert Meeting.objects.filter(series=series, status=Meeting.Status.SCHEDULED).count() == 3
    assert scheduling.ensure_upcoming_meetings(series, now) == []


def test_a_held_meeting_cannot_be_cancelled_or_moved(coordinator):
    series = weekly(coordinator, local(2026, 10, 20, 12, 0))
    meeting = Meeting.objects.filter(series=series).first()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)

    with pytest.raises(services.NotEditable):
        services.cancel_meeting(meeting, coordinator, "Too late")
    with pytest.raises(services.NotEditable):
        services.update_meeting(meeting, coordinator, {"place": "Elsewhere"})


def test_changing_the_series_day_moves_untouched_meetings_and_keeps_moved_ones(coordinator):
    now = local(2026, 10, 20, 12, 0)
    series = weekly(coordinator, now)
    meetings = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    services.update_meeting(
        meetings[1], coordinator, {"starts_at": local(2026, 10, 29, 9, 0), "ends_at": local(2026, 10, 29, 10, 0)}
    )

    series = services.update_series(
        series,
        coordinator,
        {"weekday": MeetingSeries.Weekday.THURSDAY, "start_time": time(10, 0), "place": "Annex"},
        now=now,
    )

    rows = list(Meeting.objects.filter(series=series).order_by("starts_at"))
    assert [(m.local_date, m.place) for m in rows] == [
        (date(2026, 10, 22), "Annex"),
        (date(2026, 10, 29), "Headquarters, room 4B"),  # moved by hand: keeps its own time and place
        (date(2026, 11, 5), "Annex"),
        (date(2026, 11, 12), "Annex"),
    ]
    assert all(timezone_hour(m) == 10 for m in rows if m.pk != meetings[1].pk)
    assert scheduling.ensure_upcoming_meetings(series, now) == []


def timezone_hour(meeting: Meeting) -> int:
    return meeting.starts_at.astimezone(CHICAGO).hour


def test_the_beat_task_keeps_every_active_series_ahead(coordinator, settings, time_machine):
    time_machine.move_to(local(2026, 10, 20, 12, 0), tick=False)
    active = weekly(coordinator, local(2026, 10, 20, 12, 0), weeks_ahead=2)
    weekly(coordinator, local(2026, 10, 20, 12, 0), is_active=False, name="Paused review")
    MeetingSeries.objects.filter(pk=active.pk).update(weeks_ahead=3)

    created = ensure_task.apply().get()

    assert Meeting.objects.filter(pk__in=created).get().local_date == date(2026, 11, 4)
    assert ensure_task.apply().get() == []
    assert (
        settings.CELERY_BEAT_SCHEDULE["ensure-upcoming-meetings"]["task"] == "meetings.tasks.ensure_upcoming_meetings"
    )
