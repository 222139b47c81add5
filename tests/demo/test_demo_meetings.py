"""The demo meetings: eight held weekly meetings with minutes and action items (some still open)
and the next one scheduled with its agenda built. Run twice, nothing changes."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import User
from demo.seed_meetings import demo_dates
from meetings.models import ActionItem, AgendaEvent, AgendaItem, Attendance, Meeting, MeetingSeries

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=CHICAGO)  # a Monday, three weeks after the clocks went back


@pytest.fixture
def seeded(time_machine):
    time_machine.move_to(NOW, tick=False)
    call_command("seed_demo", verbosity=0)


def snapshot() -> tuple:
    return (
        list(MeetingSeries.objects.order_by("pk").values()),
        list(Meeting.objects.order_by("pk").values()),
        list(AgendaItem.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
        list(Attendance.objects.order_by("pk").values()),
        list(AgendaEvent.objects.order_by("pk").values()),
    )


# Seeding takes seconds, so each test checks one whole story rather than one fact.


def test_the_last_eight_wednesdays_are_held_with_minutes_and_action_items(seeded, client_for):
    held = list(Meeting.objects.filter(status=Meeting.Status.HELD).order_by("starts_at"))

    assert [m.local_date for m in held] == demo_dates(NOW)
    assert len(held) == 8 and held[-1].local_date.isoformat() == "2026-11-18"
    # Nine o'clock on the wall clock on both sides of the November change.
    assert all(m.starts_at.astimezone(CHICAGO).time() == time(9, 0) for m in held)
    assert all(m.held_at and m.held_at <= m.ends_at for m in held)
    for meeting in held:
        kinds = set(meeting.events.values_list("kind", flat=True))
        assert {AgendaEvent.Kind.BUILT, AgendaEvent.Kind.FROZEN, AgendaEvent.Kind.HELD} <= kinds
        assert meeting.attendance.filter(present=True).exists()
        items = meeting.items.filter(removed_at__isnull=True)
        assert items.exists() and items.filter(snapshot__isnull=False).count() == items.count()
        assert items.filter(discussed=True).exclude(outcome="").exists()

    actions = ActionItem.objects.select_related("assignee")
    assert actions.filter(status=ActionItem.Status.OPEN).exists()
    assert actions.filter(status=ActionItem.Status.DONE).exists()
    assert not actions.filter(status=ActionItem.Status.DONE, done_note="").exists()
    assert all(a.assignee.agency_id == a.agency_id and a.assignee.username != "admin" for a in actions)

    html = client_for(User.objects.get(username="coordinator")).get(f"/meetings/{held[-1].pk}/minutes/")
    assert "Not final" not in html.content.decode()
    assert "Riverbend Metropolitan Police Department" in html.content.decode()


def test_the_next_meeting_is_scheduled_with_its_agenda_built_and_open_items_back_on_it(seeded):
    upcoming = Meeting.objects.filter(starts_at__gt=NOW).order_by("starts_at")
    following = upcoming.first()

    assert following.local_date.isoformat() == "2026-11-25"
    assert following.status == Meeting.Status.SCHEDULED
    assert following.agenda_built_at is not None
    assert upcoming.count() == 4  # the series keeps four weeks ahead
    due = ActionItem.objects.open_items_due_by(following.local_date).exclude(shooting=None)
    assert due.exists()
    on_agenda = set(following.items.filter(removed_at__isnull=True).values_list("shooting_id", flat=True))
    assert set(due.values_list("shooting_id", flat=True)) <= on_agenda


def test_the_next_agenda_has_a_time_plan_with_presenters_start_times_and_an_end(seeded, client_for):
    following = Meeting.objects.filter(starts_at__gt=NOW).order_by("starts_at").first()
    items = following.items.filter(removed_at__isnull=True, shooting__isnull=False)

    assert items.exists() and not items.filter(time_box__isnull=True).exists()
    assert not items.filter(presenter__isnull=True, shooting__lead_investigator__isnull=False).exists()
    html = client_for(User.objects.get(username="coordinator")).get(following.get_absolute_url()).content.decode()
    assert "expected end" in html and "Planned start" in html


def test_running_the_seed_twice_changes_nothing(seeded):
    first = snapshot()

    call_command("seed_demo", verbosity=0)

    assert snapshot() == first
