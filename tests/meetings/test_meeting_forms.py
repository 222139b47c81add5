"""Scheduling pages: the meetings list, a new meeting, editing and moving one, cancelling one,
and the weekly series. Bad input is refused next to its field with what was typed kept."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from meetings import services
from meetings.models import AgendaEvent, AgendaItem, Meeting, MeetingSeries
from tests.factories import UserFactory, make_shooting
from tests.field_errors import field_errors

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 10, 19, 10, 0, tzinfo=CHICAGO)  # a Monday


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


@pytest.fixture
def series(coordinator) -> MeetingSeries:
    return services.create_series(
        coordinator,
        {
            "name": "Weekly shoot review",
            "weekday": 2,
            "start_time": time(9, 0),
            "duration_minutes": 90,
            "place": "Headquarters, room 4B",
            "cutoff_hours": 24,
            "weeks_ahead": 4,
        },
    )


def new_meeting_post(**overrides) -> dict:
    data = {
        "series": "",
        "date": "2026-10-23",
        "start_time": "13:00",
        "end_time": "14:30",
        "cutoff_at": "",
        "place": "Annex conference room",
        "chair": "",
    }
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "prosecutor", "advocate", "supervisor", "outsider"])
def test_everyone_with_case_access_sees_the_meetings_but_only_coordinators_schedule(
    request, client_for, series, persona
):
    user = request.getfixturevalue(persona)
    html = client_for(user).get("/meetings/").content.decode()

    assert "Wed 21 Oct 2026, 09:00" in html
    assert "Headquarters, room 4B" in html
    assert "New meeting" not in html and "Edit or move" not in html and "Weekly series" not in html


def test_the_coordinator_sees_the_scheduling_controls(client_for, coordinator, series):
    html = client_for(coordinator).get("/meetings/").content.decode()

    assert 'href="/meetings/new/"' in html
    assert 'href="/meetings/series/new/"' in html
    assert f'href="/meetings/series/{series.pk}/edit/"' in html
    assert "Edit or move" in html


def test_someone_without_an_agency_or_role_gets_not_found(client_for):
    nobody = UserFactory(username="no_role", role="", agency=None)

    assert client_for(nobody).get("/meetings/").status_code == 404


def test_coming_meetings_come_next_first_and_past_ones_newest_first(client_for, investigator, coordinator, series):
    one_off = services.create_meeting(
        coordinator,
        {"starts_at": local(2026, 10, 12, 9, 0), "ends_at": local(2026, 10, 12, 10, 0), "place": "Old room"},
    )
    older = services.create_meeting(
        coordinator,
        {"starts_at": local(2026, 10, 5, 9, 0), "ends_at": local(2026, 10, 5, 10, 0), "place": "Older room"},
    )
    Meeting.objects.filter(pk__in=[one_off.pk, older.pk]).update(status=Meeting.Status.HELD)

    html = client_for(investigator).get("/meetings/").content.decode()

    coming, past = html.split('id="past-heading"')
    assert coming.index("21 Oct 2026") < coming.index("28 Oct 2026") < coming.index("4 Nov 2026")
    assert past.index("12 Oct 2026") < past.index("5 Oct 2026")
    assert f'href="/meetings/{one_off.pk}/minutes/"' in past


def test_a_cancelled_meeting_stays_listed_and_marked(client_for, investigator, coordinator, series):
    meeting = series.meetings.order_by("starts_at")[1]
    services.cancel_meeting(meeting, coordinator, "Citywide training day")

    html = client_for(investigator).get("/meetings/").content.decode()

    row = re.search(rf'<tr id="meeting-{meeting.pk}" class="is-cancelled">(.*?)</tr>', html, re.S).group(1)
    assert "Cancelled" in row and "Citywide training day" in row


def test_the_list_costs_the_same_number_of_queries_with_many_meetings(
    client_for, coordinator, series, django_assert_max_num_queries
):
    for n in range(6):
        meeting = services.create_meeting(
            coordinator,
            {"starts_at": local(2026, 9, 1 + n, 9, 0), "ends_at": local(2026, 9, 1 + n, 10, 0), "place": f"Room {n}"},
        )
        AgendaItem.objects.create(meeting=meeting, kind="text", title=f"Watch list {n}")
    client = client_for(coordinator)
    # session, user (with agency), coming meetings with counts, past count, past page, series,
    # audit: the insert (and the previous hash first on SQLite)
    with django_assert_max_num_queries(10):
        response = client.get("/meetings/")
    assert response.status_code == 200
    assert response.content.decode().count("Watch list") == 0  # counts only, not content
    assert ">1</td>" in response.content.decode()


# --- A new meeting ----------------------------------------------------------------------------


def test_a_coordinator_schedules_a_one_off_meeting_with_a_default_cutoff(client_for, coordinator, police, atf_office):
    response = client_for(coordinator).post(
        "/meetings/new/", new_meeting_post(invited_agencies=[police.pk, atf_office.pk])
    )

    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.series is None
    assert meeting.starts_at == local(2026, 10, 23, 13, 0)
    assert meeting.ends_at == local(2026, 10, 23, 14, 30)
    assert meeting.local_date == date(2026, 10, 23)
    assert meeting.cutoff_at == local(2026, 10, 22, 13, 0)
    assert set(meeting.invited_agencies.all()) == {police, atf_office}


def test_an_extra_meeting_in_a_series_takes_the_series_cutoff(client_for, coordinator, series):
    MeetingSeries.objects.filter(pk=series.pk).update(cutoff_hours=48)

    client_for(coordinator).post("/meetings/new/", new_meeting_post(series=series.pk))

    meeting = Meeting.objects.get(local_date=date(2026, 10, 23))
    assert meeting.series == series
    assert meeting.cutoff_at == local(2026, 10, 21, 13, 0)


def test_a_new_meeting_in_the_past_is_refused_next_to_the_date_and_what_was_typed_is_kept(client_for, coordinator):
    response = client_for(coordinator).post("/meetings/new/", new_meeting_post(date="2026-10-16"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "in the past" in field_errors(html, "id_date")
    assert 'value="2026-10-16"' in html and 'value="Annex conference room"' in html and 'value="13:00"' in html
    assert not Meeting.objects.exists()


def test_a_new_meeting_earlier_today_is_refused_next_to_the_start_time(client_for, coordinator):
    response = client_for(coordinator).post(
        "/meetings/new/", new_meeting_post(date="2026-10-19", start_time="08:00", end_time="09:00")
    )

    assert "in the past" in field_errors(response.content.decode(), "id_start_time")
    assert not Meeting.objects.exists()


def test_two_meetings_of_one_series_on_one_day_are_refused_next_to_the_date(client_for, coordinator, series):
    before = Meeting.objects.count()

    response = client_for(coordinator).post("/meetings/new/", new_meeting_post(series=series.pk, date="2026-10-21"))

    assert "already has a meeting on Wednesday 21 October 2026" in field_errors(response.content.decode(), "id_date")
    assert Meeting.objects.count() == before


def test_a_one_off_meeting_may_share_a_day_with_a_series_meeting(client_for, coordinator, series):
    response = client_for(coordinator).post("/meetings/new/", new_meeting_post(date="2026-10-21"))

    assert response.status_code == 302
    assert Meeting.objects.filter(local_date=date(2026, 10, 21)).count() == 2


def test_the_database_refuses_a_second_series_meeting_on_a_day_even_past_the_form(coordinator, series):
    with pytest.raises(services.SlotTaken):
        services.create_meeting(
            coordinator,
            {
                "series": series,
                "starts_at": local(2026, 10, 21, 15, 0),
                "ends_at": local(2026, 10, 21, 16, 0),
                "place": "X",
            },
        )


def test_an_end_before_the_start_is_refused_next_to_the_end_time(client_for, coordinator):
    response = client_for(coordinator).post("/meetings/new/", new_meeting_post(end_time="12:00"))

    html = response.content.decode()
    assert "must end after it starts" in field_errors(html, "id_end_time")
    assert 'value="12:00"' in html
    assert not Meeting.objects.exists()


def test_a_cutoff_after_the_start_is_refused_next_to_the_cutoff(client_for, coordinator):
    response = client_for(coordinator).post("/meetings/new/", new_meeting_post(cutoff_at="2026-10-23T15:00"))

    html = response.content.decode()
    assert "no later than the start" in field_errors(html, "id_cutoff_at")
    assert 'value="2026-10-23T15:00"' in html
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["investigator", "atf_agent", "prosecutor", "advocate", "supervisor"])
def test_only_coordinators_schedule_meetings(request, client_for, series, persona):
    client = client_for(request.getfixturevalue(persona))
    meeting = series.meetings.order_by("starts_at").first()
    before = list(Meeting.objects.order_by("pk").values_list("pk", "starts_at", "status"))

    assert client.get("/meetings/new/").status_code == 404
    assert client.post("/meetings/new/", new_meeting_post()).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/edit/", new_meeting_post(date="2026-10-22")).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "No"}).status_code == 404
    assert client.get("/meetings/series/new/").status_code == 404
    assert client.get(f"/meetings/series/{series.pk}/edit/").status_code == 404
    assert list(Meeting.objects.order_by("pk").values_list("pk", "starts_at", "status")) == before


# --- Editing, moving, cancelling --------------------------------------------------------------


def test_moving_one_meeting_records_it_and_leaves_the_others(client_for, coordinator, series):
    meetings = list(series.meetings.order_by("starts_at"))
    target, others = meetings[0], {m.pk: m.starts_at for m in meetings[1:]}
    client = client_for(coordinator)
    form = client.get(f"/meetings/{target.pk}/edit/").content.decode()
    assert 'value="2026-10-21"' in form and 'value="09:00"' in form and 'value="10:30"' in form

    response = client.post(
        f"/meetings/{target.pk}/edit/",
        new_meeting_post(date="2026-10-22", start_time="09:00", end_time="10:30", place="Headquarters, room 4B"),
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.starts_at == local(2026, 10, 22, 9, 0)
    assert target.moved_from == local(2026, 10, 21, 9, 0)
    assert target.series == series
    assert AgendaEvent.objects.get(meeting=target).kind == AgendaEvent.Kind.MOVED
    assert {m.pk: m.starts_at for m in Meeting.objects.exclude(pk=target.pk)} == others
    assert "Moved" in client.get("/meetings/").content.decode()


def test_moving_onto_another_meeting_of_the_series_is_refused(client_for, coordinator, series):
    first, second = series.meetings.order_by("starts_at")[:2]

    response = client_for(coordinator).post(f"/meetings/{first.pk}/edit/", new_meeting_post(date="2026-10-28"))

    assert "already has a meeting" in field_errors(response.content.decode(), "id_date")
    first.refresh_from_db()
    assert first.local_date == date(2026, 10, 21)


def test_changing_only_the_place_is_not_a_move(client_for, coordinator, series):
    meeting = series.meetings.order_by("starts_at").first()

    client_for(coordinator).post(
        f"/meetings/{meeting.pk}/edit/",
        new_meeting_post(
            date="2026-10-21", start_time="09:00", end_time="10:30", cutoff_at="2026-10-20T09:00", place="Annex"
        ),
    )

    meeting.refresh_from_db()
    assert meeting.place == "Annex"
    assert meeting.moved_from is None
    assert not AgendaEvent.objects.filter(meeting=meeting).exists()


def test_cancelling_needs_a_reason_next_to_the_field(client_for, coordinator, series):
    meeting = series.meetings.order_by("starts_at").first()

    response = client_for(coordinator).post(f"/meetings/{meeting.pk}/cancel/", {"reason": "  "})

    assert "Say why the meeting is cancelled." in field_errors(response.content.decode(), "id_reason")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_cancelling_one_meeting_leaves_the_rest_of_the_series(client_for, coordinator, series):
    meeting = series.meetings.order_by("starts_at").first()

    response = client_for(coordinator).post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Storm warning"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.CANCELLED, "Storm warning")
    assert series.meetings.filter(status=Meeting.Status.SCHEDULED).count() == 3


def test_a_held_meeting_cannot_be_edited_or_cancelled(client_for, coordinator, series):
    meeting = series.meetings.order_by("starts_at").first()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    client = client_for(coordinator)

    client.post(f"/meetings/{meeting.pk}/edit/", new_meeting_post(date="2026-10-22"))
    client.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Oops"})

    meeting.refresh_from_db()
    assert (meeting.status, meeting.local_date) == (Meeting.Status.HELD, date(2026, 10, 21))


# --- The weekly series ------------------------------------------------------------------------


def series_post(**overrides) -> dict:
    data = {
        "name": "Weekly shoot review",
        "weekday": "2",
        "start_time": "09:00",
        "duration_minutes": "90",
        "place": "Headquarters, room 4B",
        "chair": "",
        "cutoff_hours": "24",
        "weeks_ahead": "3",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_saving_a_series_creates_its_coming_meetings(client_for, coordinator, police):
    response = client_for(coordinator).post(
        "/meetings/series/new/", series_post(chair=coordinator.pk, invited_agencies=[police.pk])
    )

    assert response.status_code == 302
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [m.local_date for m in meetings] == [date(2026, 10, 21), date(2026, 10, 28), date(2026, 11, 4)]
    assert all(m.starts_at.astimezone(CHICAGO).time() == time(9, 0) for m in meetings)
    assert all(m.chair == coordinator and list(m.invited_agencies.all()) == [police] for m in meetings)


def test_a_series_with_silly_numbers_is_refused_next_to_each_field(client_for, coordinator):
    response = client_for(coordinator).post(
        "/meetings/series/new/", series_post(weeks_ahead="0", duration_minutes="5", place="")
    )

    html = response.content.decode()
    assert (
        field_errors(html, "id_weeks_ahead")
        and field_errors(html, "id_duration_minutes")
        and field_errors(html, "id_place")
    )
    assert 'value="Weekly shoot review"' in html
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_editing_the_series_moves_its_untouched_coming_meetings(client_for, coordinator, series):
    response = client_for(coordinator).post(
        f"/meetings/series/{series.pk}/edit/", series_post(weekday="3", start_time="10:00", weeks_ahead="4")
    )

    assert response.status_code == 302
    assert [m.local_date for m in Meeting.objects.order_by("starts_at")] == [
        date(2026, 10, 22),
        date(2026, 10, 29),
        date(2026, 11, 5),
        date(2026, 11, 12),
    ]


def test_a_shooting_on_the_agenda_does_not_appear_in_the_list(client_for, investigator, series):
    shooting = make_shooting(victims=[{"name": "Tobias Quenneville", "age": 31, "sex": "M"}])
    AgendaItem.objects.create(meeting=series.meetings.first(), shooting=shooting)

    html = client_for(investigator).get("/meetings/").content.decode()

    assert "Tobias Quenneville" not in html and shooting.report_number not in html


def test_a_new_meeting_naming_an_attendee_beyond_any_database_key_is_answered_beside_the_field(client_for, coordinator):
    response = client_for(coordinator).post(
        "/meetings/new/", new_meeting_post(date="2099-10-23", attendees=[str(2**63)], place="Room 9")
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert 'value="Room 9"' in response.content.decode()
    assert not Meeting.objects.exists()
