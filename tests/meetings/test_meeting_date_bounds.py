"""Meeting dates: the meeting and series forms take only 1900 to 2100, beside the field; and a
meeting stored out of range before those bounds existed still has its page, cover, printed
agenda, minutes and calendar files, instead of an error page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from meetings import services
from meetings.models import ActionItem, Meeting
from tests.field_errors import field_errors
from tests.meetings.test_meeting_forms import new_meeting_post

pytestmark = pytest.mark.django_db

BOUNDS = "Enter a date between 01 January 1900 and 31 December 2100."


@pytest.mark.parametrize(
    "field,value",
    [
        ("cutoff_at", "0001-01-01T00:00"),  # saved before, and its cover and packet answered 500
        ("cutoff_at", "1000-01-01T00:00"),
        ("date", "9999-12-31"),  # saved before, and its .ics answered 500
        ("date", "2101-01-01"),
    ],
)
def test_the_meeting_form_refuses_a_date_out_of_bounds_beside_the_field(client_for, coordinator, field, value):
    response = client_for(coordinator).post("/meetings/new/", new_meeting_post(**{field: value}))

    assert response.status_code == 200
    html = response.content.decode()
    assert BOUNDS in field_errors(html, f"id_{field}")
    assert 'value="Annex conference room"' in html
    assert not Meeting.objects.exists()


def meeting_at(coordinator, starts_at: datetime, cutoff_at: datetime) -> Meeting:
    """A meeting with the times given, past the form's checks, as one saved before them."""
    meeting = services.create_meeting(
        coordinator,
        {"starts_at": datetime(2026, 11, 4, 15, tzinfo=UTC), "ends_at": datetime(2026, 11, 4, 16, tzinfo=UTC)},
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        cutoff_at=cutoff_at,
        local_date=starts_at.date(),
    )
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def year_one_cutoff(coordinator) -> Meeting:
    # 0001-01-01T00:00 on Chicago's wall clock (local mean time, 5:50:36 behind UTC then).
    starts = datetime(2026, 11, 4, 15, tzinfo=UTC)
    return meeting_at(coordinator, starts, datetime(1, 1, 1, 5, 50, 36, tzinfo=UTC))


@pytest.fixture
def last_day_meeting(coordinator) -> Meeting:
    starts = datetime(9999, 12, 31, 15, tzinfo=UTC)  # 09:00 in Chicago on 31 December 9999
    return meeting_at(coordinator, starts, starts - timedelta(hours=24))


@pytest.mark.parametrize("which", ["year_one_cutoff", "last_day_meeting"])
def test_a_meeting_stored_out_of_range_still_has_every_page_and_file(request, client_for, coordinator, which):
    meeting = request.getfixturevalue(which)
    client = client_for(coordinator)

    for url in [
        "/meetings/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/cover/",
        f"/meetings/{meeting.pk}/agenda.pdf",
        f"/meetings/{meeting.pk}/minutes/",
        f"/meetings/{meeting.pk}/meeting.ics",
        f"/meetings/{meeting.pk}/edit/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url

    [event] = Calendar.from_ical(client.get(f"/meetings/{meeting.pk}/meeting.ics").content).walk("VEVENT")
    assert event.decoded("dtstart").year == meeting.starts_at.year


def test_the_calendar_feed_lists_a_meeting_and_a_due_date_stored_in_the_year_9999(
    client_for, coordinator, last_day_meeting
):
    last_day_meeting.attendees.add(coordinator)
    ActionItem.objects.create(
        meeting=last_day_meeting,
        description="Send the casings to the lab",
        assignee=coordinator,
        agency=coordinator.agency,
        due_on=date(9999, 12, 31),
        created_by=coordinator,
    )
    feed = services.calendar_feed_for(coordinator)

    response = client_for(coordinator).get(f"/meetings/calendar/{feed.token}.ics")

    assert response.status_code == 200
    starts = [event.decoded("dtstart") for event in Calendar.from_ical(response.content).walk("VEVENT")]
    assert date(9999, 12, 31) in starts  # the due date, an all-day event
    assert date(9999, 12, 31) in [start.date() for start in starts if isinstance(start, datetime)]
