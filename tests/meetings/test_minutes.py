"""The minutes page: attendance by agency, every item's outcome, the action items agreed and the
record of the agenda. Report numbers and outcomes only, never note content."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from cases import services as case_services
from meetings import services
from meetings.models import ActionItem, AgendaEvent, AgendaItem, Attendance, Meeting
from tests.factories import UserFactory, make_shooting

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


@pytest.fixture
def held_meeting(coordinator, investigator, police, advocacy_center, atf_office) -> Meeting:
    meeting = services.create_meeting(
        coordinator,
        {
            "starts_at": local(2026, 10, 14, 9, 0),
            "ends_at": local(2026, 10, 14, 10, 30),
            "place": "Headquarters, room 4B",
            "chair": coordinator,
        },
        invited_agencies=[police, advocacy_center, atf_office],
    )
    homicide = make_shooting(
        investigator,
        report_number="RB26000777",
        kind="homicide",
        victims=[{"name": "Ellery Vantongeren", "age": 27, "sex": "M"}],
    )
    case_services.add_note(
        homicide,
        investigator,
        "witness",
        {"name": "Marisol Achterberg", "account": "Saw a grey sedan leave", "cooperation": "reluctant"},
    )
    case_services.add_note(homicide, investigator, "suspect", {"name": "Corwin Blackstead", "status": "suspect"})
    first = AgendaItem.objects.create(
        meeting=meeting,
        shooting=homicide,
        position=1,
        discussed=True,
        outcome=AgendaItem.Outcome.FOLLOW_UP,
        outcome_text="Canvass the block again; trace request to go out this week.",
        review_again=True,
    )
    AgendaItem.objects.create(
        meeting=meeting,
        kind="text",
        title="Retaliation watch list",
        text="Reviewed privately.",
        position=2,
        discussed=True,
        outcome=AgendaItem.Outcome.INFORMATION,
    )
    removed = make_shooting(investigator, report_number="RB26000778")
    AgendaItem.objects.create(
        meeting=meeting,
        shooting=removed,
        position=3,
        removed_at=local(2026, 10, 13, 16, 0),
        removed_by=coordinator,
        removal_reason="Duplicate of an earlier report",
    )
    ActionItem.objects.create(
        meeting=meeting,
        agenda_item=first,
        shooting=homicide,
        description="Send the eTrace request",
        assignee=investigator,
        agency=police,
        due_on=date(2026, 10, 21),
        created_by=coordinator,
    )
    present = Attendance.objects.create(meeting=meeting, agency=police, present=True, others="Two patrol officers")
    present.people.set([coordinator, investigator])
    Attendance.objects.create(meeting=meeting, agency=advocacy_center, present=False)
    for kind in [AgendaEvent.Kind.FROZEN, AgendaEvent.Kind.HELD]:
        AgendaEvent.objects.create(meeting=meeting, kind=kind, actor=coordinator, actor_name="Renee Talmadge")
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD, held_at=local(2026, 10, 14, 10, 25))
    return meeting


def test_the_minutes_show_attendance_outcomes_action_items_and_the_record(client_for, investigator, held_meeting):
    html = client_for(investigator).get(f"/meetings/{held_meeting.pk}/minutes/").content.decode()

    attendance = html[html.index('id="minutes-attendance"') : html.index('id="minutes-items"')]
    assert "Riverbend Metropolitan Police Department" in attendance and "Present" in attendance
    assert "Renee Talmadge" in attendance and "Dana Whitfield" in attendance and "Two patrol officers" in attendance
    assert "Harbor Light Advocacy Center" in attendance and "Absent" in attendance
    assert "ATF Riverbend Field Office" in attendance and "Not recorded" in attendance

    items = html[html.index('id="minutes-items"') : html.index('id="minutes-actions"')]
    assert items.index("RB26000777") < items.index("Retaliation watch list")
    assert "Follow-up" in items and "Canvass the block again" in items and "Review again" in items
    assert "Information" in items
    assert "Duplicate of an earlier report" in items  # removed, with its reason

    actions = html[html.index('id="minutes-actions"') : html.index('id="minutes-record"')]
    assert "Send the eTrace request" in actions and "Dana Whitfield" in actions and "21 Oct 2026" in actions

    record = html[html.index('id="minutes-record"') :]
    assert record.index("Frozen") < record.index("Marked held")
    assert "Not final" not in html


def test_the_minutes_link_report_numbers_to_the_case(client_for, investigator, held_meeting):
    shooting = AgendaItem.objects.get(meeting=held_meeting, position=1).shooting

    html = client_for(investigator).get(f"/meetings/{held_meeting.pk}/minutes/").content.decode()

    assert f'<a href="/cases/{shooting.pk}/">RB26000777</a>' in html


@pytest.mark.parametrize("persona", ["investigator", "advocate", "prosecutor", "atf_agent"])
def test_the_minutes_hold_no_note_content_and_no_names_from_the_case(request, client_for, held_meeting, persona):
    html = client_for(request.getfixturevalue(persona)).get(f"/meetings/{held_meeting.pk}/minutes/").content.decode()

    assert "RB26000777" in html
    for secret in [
        "Marisol Achterberg",
        "Corwin Blackstead",
        "Saw a grey sedan",
        "Ellery Vantongeren",
        "Reviewed privately",
    ]:
        assert secret not in html


def test_minutes_of_a_meeting_not_yet_held_say_they_are_not_final(client_for, investigator, held_meeting):
    Meeting.objects.filter(pk=held_meeting.pk).update(status=Meeting.Status.FROZEN)

    html = client_for(investigator).get(f"/meetings/{held_meeting.pk}/minutes/").content.decode()

    assert "Not final" in html


def test_minutes_are_not_found_for_people_without_case_access(client_for, held_meeting):
    nobody = UserFactory(username="no_role_minutes", role="", agency=None)

    assert client_for(nobody).get(f"/meetings/{held_meeting.pk}/minutes/").status_code == 404


def test_minutes_of_a_meeting_that_does_not_exist_are_not_found(client_for, investigator):
    assert client_for(investigator).get("/meetings/999999/minutes/").status_code == 404


def test_the_minutes_cost_the_same_number_of_queries_however_long_the_meeting(
    client_for, coordinator, investigator, police, held_meeting, django_assert_max_num_queries
):
    for n in range(8):
        shooting = make_shooting(investigator)
        item = AgendaItem.objects.create(meeting=held_meeting, shooting=shooting, position=10 + n, discussed=True)
        ActionItem.objects.create(
            meeting=held_meeting,
            agenda_item=item,
            shooting=shooting,
            description=f"Follow up {n}",
            assignee=UserFactory(agency=police, role=User.Role.INVESTIGATOR),
            agency=police,
            due_on=date(2026, 10, 21),
            created_by=coordinator,
        )
    client = client_for(investigator)
    # session, user, meeting, series, chair, attendance, attendance people, invited agencies, items,
    # action items, events, visible cases, header agency, audit (previous hash, insert, lock on PostgreSQL)
    with django_assert_max_num_queries(17):
        response = client.get(f"/meetings/{held_meeting.pk}/minutes/")
    assert response.content.decode().count("Follow up ") == 8
