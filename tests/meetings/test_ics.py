"""Calendar files: a meeting's .ics names the right instant in the right zone with an alarm,
and each person's private feed lists their meetings and due dates without any names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AuditEvent, User
from cases import services as case_services
from meetings import services
from meetings.models import ActionItem, AgendaItem, CalendarFeed, Meeting
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def frozen_clock(time_machine, settings):
    settings.SITE_URL = "https://shootreview.example.org"
    time_machine.move_to(datetime(2026, 10, 19, 10, 0, tzinfo=CHICAGO), tick=False)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def one_off(coordinator, start: datetime, minutes: int = 90, **extra) -> Meeting:
    data = {"starts_at": start, "ends_at": start + timedelta(minutes=minutes), "place": "Headquarters, room 4B"}
    return services.create_meeting(coordinator, data, **extra)


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_a_meetings_ics_names_the_right_instant_in_the_local_zone(client_for, investigator, coordinator):
    meeting = one_off(coordinator, local(2026, 11, 4, 9, 0))

    response = client_for(investigator).get(f"/meetings/{meeting.pk}/meeting.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="shoot-review-2026-11-04.ics"' in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    [event] = cal.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime(2026, 11, 4, 15, 0, tzinfo=UTC)  # 09:00 CST is 15:00 UTC
    assert start.tzinfo.key == "America/Chicago"
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.decoded("dtend") == local(2026, 11, 4, 10, 30)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]
    assert str(event["LOCATION"]) == "Headquarters, room 4B"
    assert str(event["URL"]) == f"https://shootreview.example.org/meetings/{meeting.pk}/"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@shootreview.example.org"
    assert event["STATUS"] == "CONFIRMED"
    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=-1)


def test_a_summer_meeting_is_an_hour_earlier_in_utc(client_for, investigator, coordinator):
    meeting = one_off(coordinator, local(2026, 10, 28, 9, 0))

    [event] = events(client_for(investigator).get(f"/meetings/{meeting.pk}/meeting.ics").content)

    assert event.decoded("dtstart") == datetime(2026, 10, 28, 14, 0, tzinfo=UTC)


def test_moving_a_meeting_keeps_its_uid_and_raises_its_sequence(client_for, investigator, coordinator):
    meeting = one_off(coordinator, local(2026, 11, 4, 9, 0))
    client = client_for(investigator)
    [before] = events(client.get(f"/meetings/{meeting.pk}/meeting.ics").content)

    services.update_meeting(
        meeting, coordinator, {"starts_at": local(2026, 11, 5, 9, 0), "ends_at": local(2026, 11, 5, 10, 0)}
    )
    [after] = events(client.get(f"/meetings/{meeting.pk}/meeting.ics").content)

    assert after["UID"] == before["UID"]
    assert after.decoded("sequence") == before.decoded("sequence") + 1
    assert after.decoded("dtstart") == local(2026, 11, 5, 9, 0)


def test_a_cancelled_meeting_says_so_to_calendars(client_for, investigator, coordinator):
    meeting = one_off(coordinator, local(2026, 11, 4, 9, 0))
    services.cancel_meeting(meeting, coordinator, "City holiday")

    [event] = events(client_for(investigator).get(f"/meetings/{meeting.pk}/meeting.ics").content)

    assert event["STATUS"] == "CANCELLED"
    assert event.decoded("sequence") == 1
    assert not event.walk("VALARM")


def test_the_ics_holds_no_case_data(client_for, investigator, coordinator):
    meeting = one_off(coordinator, local(2026, 11, 4, 9, 0))
    shooting = make_shooting(investigator, victims=[{"name": "Ottoline Fairweather", "age": 40, "sex": "F"}])
    AgendaItem.objects.create(meeting=meeting, shooting=shooting)

    body = client_for(investigator).get(f"/meetings/{meeting.pk}/meeting.ics").content.decode()

    assert shooting.report_number not in body and "Fairweather" not in body


def test_the_ics_is_not_found_for_people_without_case_access(client_for, coordinator):
    meeting = one_off(coordinator, local(2026, 11, 4, 9, 0))
    nobody = UserFactory(username="no_role_ics", role="", agency=None)

    assert client_for(nobody).get(f"/meetings/{meeting.pk}/meeting.ics").status_code == 404


# --- The private feed -------------------------------------------------------------------------


@pytest.fixture
def feed_setup(coordinator, investigator, advocate, police, advocacy_center):
    by_agency = one_off(coordinator, local(2026, 10, 21, 9, 0), invited_agencies=[police])
    by_name = one_off(coordinator, local(2026, 10, 28, 9, 0), attendees=[investigator])
    elsewhere = one_off(coordinator, local(2026, 11, 4, 9, 0), invited_agencies=[advocacy_center])
    cancelled = one_off(coordinator, local(2026, 11, 11, 9, 0), invited_agencies=[police])
    services.cancel_meeting(cancelled, coordinator, "City holiday")
    shooting = make_shooting(
        investigator,
        report_number="RB26009001",
        victims=[{"name": "Ottoline Fairweather", "age": 40, "sex": "F"}],
    )
    case_services.add_note(shooting, investigator, "witness", {"name": "Bartholomew Quist", "cooperation": "reluctant"})
    case_services.add_note(shooting, investigator, "suspect", {"name": "Lucan Thornbury", "status": "suspect"})
    ActionItem.objects.create(
        meeting=by_agency,
        shooting=shooting,
        description="Ask Bartholomew Quist about Lucan Thornbury's car",
        assignee=investigator,
        agency=police,
        due_on=date(2026, 10, 26),
        created_by=coordinator,
    )
    ActionItem.objects.create(
        meeting=by_agency,
        description="Someone else's task",
        assignee=advocate,
        agency=advocacy_center,
        due_on=date(2026, 10, 27),
        created_by=coordinator,
    )
    return {"by_agency": by_agency, "by_name": by_name, "elsewhere": elsewhere, "cancelled": cancelled}


def feed_url(user: User) -> str:
    return f"/meetings/calendar/{services.calendar_feed_for(user).token}.ics"


def test_the_feed_lists_my_meetings_and_my_due_dates(client, investigator, feed_setup):
    response = client.get(feed_url(investigator))  # no session: calendar programs have none

    assert response.status_code == 200
    by_uid = {str(e["UID"]): e for e in events(response.content)}
    meetings = {pk for pk in (m.pk for m in feed_setup.values()) if f"meeting-{pk}@shootreview.example.org" in by_uid}
    assert meetings == {feed_setup["by_agency"].pk, feed_setup["by_name"].pk, feed_setup["cancelled"].pk}
    assert by_uid[f"meeting-{feed_setup['cancelled'].pk}@shootreview.example.org"]["STATUS"] == "CANCELLED"
    [due] = [e for uid, e in by_uid.items() if uid.startswith("action-item-")]
    assert str(due["SUMMARY"]) == "Action item due: RB26009001"
    assert due.decoded("dtstart") == date(2026, 10, 26)


def test_the_feed_names_no_victim_suspect_or_witness(client, investigator, feed_setup):
    body = client.get(feed_url(investigator)).content.decode()

    for name in ["Ottoline", "Fairweather", "Bartholomew", "Quist", "Lucan", "Thornbury", "Someone else"]:
        assert name not in body


def test_the_chair_gets_the_meetings_they_chair(client, coordinator, prosecutor):
    chaired = one_off(coordinator, local(2026, 10, 21, 9, 0))
    Meeting.objects.filter(pk=chaired.pk).update(chair=prosecutor)

    body = client.get(feed_url(prosecutor)).content.decode()

    assert f"meeting-{chaired.pk}@" in body


def test_revoking_the_link_makes_the_old_url_not_found(client_for, client, investigator, feed_setup):
    old = feed_url(investigator)

    response = client_for(investigator).post("/meetings/calendar/new-link/")
    client.logout()

    assert response.status_code == 302
    assert client.get(old).status_code == 404
    assert client.get(feed_url(investigator)).status_code == 200
    assert CalendarFeed.objects.get(user=investigator).revoked_count == 1


def test_a_made_up_token_gets_nothing(client):
    assert client.get("/meetings/calendar/not-a-real-token.ics").status_code == 404


def test_a_disabled_account_feed_stops_working(client, investigator, feed_setup):
    url = feed_url(investigator)
    User.objects.filter(pk=investigator.pk).update(is_active=False)

    assert client.get(url).status_code == 404


def test_a_locked_account_feed_answers_not_found_and_the_attempt_is_on_record(client, investigator, feed_setup):
    url = feed_url(investigator)
    User.objects.filter(pk=investigator.pk).update(locked_at=timezone.now())

    assert client.get(url).status_code == 404
    row = AuditEvent.objects.filter(event="meetings:feed.view").get()
    assert (row.actor_id, row.outcome) == (investigator.pk, "refused")

    User.objects.filter(pk=investigator.pk).update(locked_at=None)  # released by a supervisor
    assert client.get(url).status_code == 200


def test_fetching_the_feed_is_recorded_in_the_audit_trail(client, investigator, feed_setup):
    client.get(feed_url(investigator))

    row = AuditEvent.objects.filter(event="meetings:feed.view").get()
    assert row.actor_id == investigator.pk


def test_the_calendar_page_shows_my_link_and_creates_one_on_request(client_for, investigator):
    client = client_for(investigator)

    assert "Create my calendar link" in client.get("/meetings/calendar/").content.decode()
    client.post("/meetings/calendar/new-link/")
    html = client.get("/meetings/calendar/").content.decode()

    token = CalendarFeed.objects.get(user=investigator).token
    assert f"https://shootreview.example.org/meetings/calendar/{token}.ics" in html
    assert "Revoke this link" in html


def test_revoking_over_htmx_swaps_in_the_new_link(client_for, investigator):
    client = client_for(investigator)
    old = services.calendar_feed_for(investigator).token

    response = client.post("/meetings/calendar/new-link/", headers={"HX-Request": "true"})

    html = response.content.decode()
    new = CalendarFeed.objects.get(user=investigator).token
    assert new != old and new in html and old not in html
    assert html.lstrip().startswith('<div id="feed-box"') and "no longer works" in html
